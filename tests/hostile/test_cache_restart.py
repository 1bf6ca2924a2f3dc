"""A memcached restart while several threads hold pooled connections to it.

Found by the load test: each stale pooled socket failed one breaker trial in turn,
so the workers served the old snapshot for minutes after the server was back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from cache.memcached import open_memcached_store
from cache.sharding import ShardedStore
from config import Config
from errors import CacheUnavailable
from tests.servers import MemcachedProcess

pytestmark = pytest.mark.integration
COOLDOWN = 0.3


@pytest.fixture
def store(memcached: MemcachedProcess) -> Iterator[ShardedStore]:
    opened = open_memcached_store(
        Config(memcache_servers=(memcached.address,)), cooldown=COOLDOWN
    )
    yield opened
    opened.close()


def test_the_first_trial_after_a_restart_reaches_the_server(
    memcached: MemcachedProcess, store: ShardedStore
) -> None:
    store.set("key", b"before", ttl=60)
    barrier = threading.Barrier(6)

    def read_together() -> None:
        barrier.wait()
        for _ in range(20):
            store.get("key")

    # Six threads at once leave several connections in the pool.
    threads = [threading.Thread(target=read_together) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    memcached.restart()
    with pytest.raises(CacheUnavailable):
        store.get("key")  # the first call after the restart finds a dead socket
    time.sleep(COOLDOWN * 1.5)

    assert store.get("key") is None  # answered: the restarted server is empty
    store.set("key", b"after", ttl=60)
    assert store.get("key") == b"after"
