"""The memcached store on real servers: confirmed writes, spreading, dead servers."""

from __future__ import annotations

import os
import time

import pytest

from cache.keys import make_key
from cache.memcached import open_memcached_store, split_server
from cache.sharding import ShardedStore
from config import Config
from errors import CacheUnavailable, CacheWriteError
from tests.cache.conftest import assert_fails_fast_then_skipped
from tests.servers import MemcachedFactory, MemcachedProcess


def _store(*servers: MemcachedProcess, **config: object) -> ShardedStore:
    addresses = tuple(server.address for server in servers)
    return open_memcached_store(
        Config(memcache_servers=addresses, **config),  # type: ignore[arg-type]
        cooldown=0.5,
    )


@pytest.mark.integration
def test_a_value_the_server_refuses_raises_a_write_error(
    memcached_factory: MemcachedFactory,
) -> None:
    server = memcached_factory("-I", "1m")
    # The config claims 2 MB items; the server takes 1 MB.
    store = _store(server, cache_item_limit=2_000_000)

    with pytest.raises(CacheWriteError, match="refused a write") as info:
        store.set_many({"kpidash:v1:big": os.urandom(1_500_000)}, ttl=60)

    assert "memcached -I" in str(info.value)
    store.close()


@pytest.mark.integration
def test_keys_spread_over_several_servers(memcached_factory: MemcachedFactory) -> None:
    one, two = memcached_factory(), memcached_factory()
    store = _store(one, two)
    keys = [make_key("spread", str(i)) for i in range(200)]

    store.set_many({key: b"v" for key in keys}, ttl=60)

    counts = one.stats()["curr_items"], two.stats()["curr_items"]
    assert sum(counts) == 200
    # Rendezvous hashing gives each of two servers roughly half.
    assert min(counts) > 60
    assert store.get_many(keys) == {key: b"v" for key in keys}
    store.close()


@pytest.mark.integration
def test_a_killed_server_fails_fast_then_is_skipped(
    memcached: MemcachedProcess,
) -> None:
    store = _store(memcached)
    store.set("kpidash:v1:k", b"v", ttl=60)
    memcached.kill()

    assert_fails_fast_then_skipped(store)
    store.close()


@pytest.mark.integration
def test_a_restarted_server_is_used_again_after_the_cooldown(
    memcached: MemcachedProcess,
) -> None:
    store = _store(memcached)
    memcached.kill()
    with pytest.raises(CacheUnavailable):
        store.get("kpidash:v1:k")

    memcached.start()
    time.sleep(0.6)
    store.set("kpidash:v1:k", b"back", ttl=60)

    assert store.get("kpidash:v1:k") == b"back"
    store.close()


@pytest.mark.integration
def test_keys_of_a_dead_server_do_not_move_to_the_live_one(
    memcached_factory: MemcachedFactory,
) -> None:
    one, two = memcached_factory(), memcached_factory()
    store = _store(one, two)
    keys = [make_key("spread", str(i)) for i in range(50)]
    store.set_many({key: b"v" for key in keys}, ttl=60)
    two.kill()

    # Reads that touch the dead server fail loudly instead of missing quietly.
    with pytest.raises(CacheUnavailable):
        store.get_many(keys)
    store.close()


def test_server_addresses_are_split_into_host_and_port() -> None:
    assert split_server("cache.internal:11212", "MEMCACHE_SERVERS") == (
        "cache.internal",
        11212,
    )
    assert split_server("cache.internal", "MEMCACHE_SERVERS") == (
        "cache.internal",
        11211,
    )
    assert split_server("[::1]:11213", "MEMCACHE_SERVERS") == ("::1", 11213)
