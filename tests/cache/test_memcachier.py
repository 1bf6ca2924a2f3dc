"""The MemCachier store against a real SASL memcached: login, data, refusals."""

from __future__ import annotations

import logging
import os

import pytest

from cache.blob import pack_blob, read_blobs
from cache.memcachier import open_memcachier_store
from cache.sharding import ShardedStore
from config import Config
from errors import CacheUnavailable
from tests.cache.conftest import assert_fails_fast_then_skipped
from tests.servers import SASL_PASSWORD, SASL_USER, MemcachedProcess

pytestmark = pytest.mark.integration

WRONG_PASSWORD = "wrong-password-91c2"


def _store(server: MemcachedProcess, password: str = SASL_PASSWORD) -> ShardedStore:
    config = Config(
        memcachier_servers=(server.address,),
        memcachier_username=SASL_USER,
        memcachier_password=password,
    )
    return open_memcachier_store(config, cooldown=0.5)


def test_the_sasl_login_stores_and_reads_chunked_bytes(
    sasl_memcached: MemcachedProcess,
) -> None:
    store = _store(sasl_memcached)
    data = os.urandom(2_200_000)

    store.set_many(pack_blob("kpidash:v1:big", data, 1_000_000), ttl=60)

    assert read_blobs(store, ["kpidash:v1:big", "kpidash:v1:absent"]) == {
        "kpidash:v1:big": data
    }
    store.close()


def test_a_wrong_password_gives_a_clear_error_without_the_password(
    sasl_memcached: MemcachedProcess, caplog: pytest.LogCaptureFixture
) -> None:
    store = _store(sasl_memcached, WRONG_PASSWORD)

    with caplog.at_level(logging.DEBUG), pytest.raises(CacheUnavailable) as info:
        store.get("kpidash:v1:k")

    message = str(info.value)
    assert "refused the SASL login" in message
    assert "MEMCACHIER_PASSWORD" in message
    assert WRONG_PASSWORD not in message
    assert WRONG_PASSWORD not in caplog.text
    assert WRONG_PASSWORD not in repr(info.value.__cause__)


def test_a_killed_sasl_server_fails_fast_then_is_skipped(
    sasl_memcached: MemcachedProcess,
) -> None:
    store = _store(sasl_memcached)
    store.set("kpidash:v1:k", b"v", ttl=60)
    sasl_memcached.kill()

    assert_fails_fast_then_skipped(store)
    store.close()
