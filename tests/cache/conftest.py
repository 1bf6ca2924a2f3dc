"""Shared pieces of the cache tests: sample frames and stores on real servers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from cache.local import LocalStore
from cache.memcached import open_memcached_store
from cache.sharding import ShardedStore
from config import Config
from errors import CacheUnavailable
from tests.servers import MemcachedProcess


def make_frames(rows: int = 200, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Frames with every dtype the product stores, and a monthly DatetimeIndex."""
    rng = np.random.default_rng(seed)
    lines = pd.DataFrame(
        {
            "order_date": pd.date_range("2017-01-01", periods=rows, freq="D"),
            "sales": rng.gamma(2.0, 100.0, rows).round(2),
            "quantity": rng.integers(1, 10, rows),
            "customer": pd.array([f"Kund {i % 17} ü&" for i in range(rows)], "str"),
            "region": pd.Categorical(
                rng.choice(["West", "East", "South", "Central"], rows),
                categories=["West", "East", "South", "Central"],
            ),
        }
    )
    monthly = pd.DataFrame(
        {"revenue": rng.normal(1000.0, 50.0, 12)},
        index=pd.date_range("2017-01-01", periods=12, freq="MS", name="month"),
    )
    return {"lines": lines, "monthly": monthly}


@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    return make_frames()


@pytest.fixture
def local_store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path / "store")


@pytest.fixture
def memcached_store(memcached: MemcachedProcess) -> Iterator[ShardedStore]:
    config = Config(memcache_servers=(memcached.address,), cache_timeout=1.0)
    store = open_memcached_store(config, cooldown=0.5)
    yield store
    store.close()


def assert_fails_fast_then_skipped(
    store: ShardedStore, key: str = "kpidash:v1:k"
) -> None:
    """The first read of a dead server fails within the timeout, the next at once."""
    started = time.monotonic()
    with pytest.raises(CacheUnavailable, match="did not answer"):
        store.get(key)
    first = time.monotonic() - started

    started = time.monotonic()
    with pytest.raises(CacheUnavailable, match="skipped"):
        store.get(key)
    second = time.monotonic() - started

    assert first < 1.5
    assert second < 0.01
