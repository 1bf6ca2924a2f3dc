"""Reading on every request: cheap when nothing changed, graceful when it breaks."""

from __future__ import annotations

import gc
import socketserver
import threading
import time
import weakref
from collections.abc import Iterator

import pytest

from cache.local import LocalStore
from cache.memcached import open_memcached_store
from cache.reader import SnapshotRead, SnapshotReader
from cache.sharding import ShardedStore
from cache.snapshot import frame_key, write_snapshot
from config import Config
from errors import CacheUnavailable
from tests.servers import MemcachedProcess

META = {"data_through": "2017-12-30", "refreshed_at": "2026-12-04T05:00:00+00:00"}


def test_nothing_written_reads_as_missing(local_store: LocalStore) -> None:
    read = SnapshotReader(local_store).read()

    assert read.status == "missing"
    assert read.snapshot is None
    assert "refresh has not run" in read.detail


def test_reads_reuse_the_decoded_snapshot_until_the_pointer_moves(
    local_store: LocalStore, frames
) -> None:
    reader = SnapshotReader(local_store)
    first_id = write_snapshot(local_store, frames, META, ttl=3600)

    first = reader.read()
    again = reader.read()
    second_id = write_snapshot(local_store, frames, {**META, "n": 2}, ttl=3600)
    second = reader.read()

    assert first.status == again.status == second.status == "fresh"
    assert first.snapshot is again.snapshot
    assert _id(first) == first_id
    assert _id(second) == second_id
    assert second.snapshot is not None and second.snapshot.meta["n"] == 2
    assert "through 2017-12-30" in first.detail


def test_snapshots_hash_by_identity(local_store: LocalStore, frames) -> None:
    write_snapshot(local_store, frames, META, ttl=3600)
    snapshot = SnapshotReader(local_store).read().snapshot

    assert {snapshot: 1}[snapshot] == 1


@pytest.mark.integration
def test_a_fresh_read_costs_one_small_get(
    memcached_store: ShardedStore, memcached: MemcachedProcess, frames
) -> None:
    write_snapshot(memcached_store, frames, META, ttl=3600)
    reader = SnapshotReader(memcached_store)
    reader.read()

    before = memcached.stats()["cmd_get"]
    assert reader.read().status == "fresh"

    # memcached counts one get per key requested: only the pointer.
    assert memcached.stats()["cmd_get"] - before == 1


@pytest.mark.integration
def test_a_server_killed_while_serving_then_restarted(
    memcached_store: ShardedStore, memcached: MemcachedProcess, frames
) -> None:
    snapshot_id = write_snapshot(memcached_store, frames, META, ttl=3600)
    reader = SnapshotReader(memcached_store)
    assert reader.read().status == "fresh"
    memcached.kill()

    (down, first_wait), (still_down, second_wait) = _timed_reads(reader)

    assert down.status == still_down.status == "cache_unavailable"
    assert down.snapshot is not None and down.snapshot.id == snapshot_id
    assert down.detail.startswith("The cache is unavailable; showing data from")
    assert "through 2017-12-30" in down.detail
    assert first_wait < 1.5
    assert second_wait < 0.01

    # memcached comes back empty: the snapshot has not expired, so it stays served.
    memcached.start()
    time.sleep(0.6)
    emptied = reader.read()
    assert emptied.status == "cache_unavailable"
    assert emptied.snapshot is not None and emptied.snapshot.id == snapshot_id
    assert emptied.detail.startswith("The cache lost the current snapshot; showing")

    new_id = write_snapshot(memcached_store, frames, META, ttl=3600)
    back = reader.read()
    assert back.status == "fresh"
    assert back.snapshot is not None and back.snapshot.id == new_id


@pytest.mark.integration
def test_a_server_down_from_the_start_gives_no_snapshot(
    memcached_store: ShardedStore, memcached: MemcachedProcess
) -> None:
    memcached.kill()

    read = SnapshotReader(memcached_store).read()

    assert read.status == "cache_unavailable"
    assert read.snapshot is None
    assert read.detail == "The cache is unavailable; no data to show yet."


@pytest.mark.integration
def test_an_incomplete_new_snapshot_keeps_the_last_one_and_is_not_refetched(
    memcached_store: ShardedStore, memcached: MemcachedProcess, frames
) -> None:
    first_id = write_snapshot(memcached_store, frames, META, ttl=3600)
    reader = SnapshotReader(memcached_store, retry_after=60.0)
    reader.read()
    second_id = write_snapshot(memcached_store, frames, META, ttl=3600)
    memcached_store.delete_many([frame_key(second_id, "monthly")])

    broken = reader.read()
    before = memcached.stats()["cmd_get"]
    again = reader.read()

    assert broken.status == again.status == "cache_unavailable"
    assert _id(broken) == _id(again) == first_id
    assert f"Snapshot {second_id} could not be read" in broken.detail
    # Within retry_after only the pointer is read, not the broken snapshot again.
    assert memcached.stats()["cmd_get"] - before == 1


def test_only_the_latest_snapshot_stays_in_memory(
    local_store: LocalStore, frames
) -> None:
    reader = SnapshotReader(local_store)
    write_snapshot(local_store, frames, META, ttl=3600)
    old = weakref.ref(reader.read().snapshot)
    write_snapshot(local_store, frames, META, ttl=3600)
    reader.read()

    gc.collect()
    assert old() is None


@pytest.mark.integration
def test_a_hung_server_costs_one_timeout_then_is_skipped(
    memcached_store: ShardedStore, memcached: MemcachedProcess, frames
) -> None:
    write_snapshot(memcached_store, frames, META, ttl=3600)
    reader = SnapshotReader(memcached_store)
    reader.read()
    # A stopped process keeps its socket open but never answers.
    memcached.pause()
    try:
        (first, first_wait), (second, second_wait) = _timed_reads(reader)
    finally:
        memcached.resume()

    assert first.status == second.status == "cache_unavailable"
    assert first.snapshot is not None
    # CACHE_TIMEOUT is 1 s in this store: the first read waits for it, the second
    # skips the server without waiting (bounds loose enough for a busy machine).
    assert 0.9 < first_wait < 3.0
    assert second_wait < 0.5


def _timed_reads(reader: SnapshotReader) -> list[tuple[SnapshotRead, float]]:
    """Two reads in a row, each with the seconds it took."""
    results = []
    for _ in range(2):
        started = time.monotonic()
        results.append((reader.read(), time.monotonic() - started))
    return results


def _id(read: SnapshotRead) -> str:
    assert read.snapshot is not None
    return read.snapshot.id


def test_an_expired_local_snapshot_reads_as_missing(
    local_store: LocalStore, frames
) -> None:
    write_snapshot(local_store, frames, META, ttl=1)
    reader = SnapshotReader(local_store)
    assert reader.read().status == "fresh"

    time.sleep(1.05)
    read = reader.read()

    assert read.status == "missing"
    assert read.snapshot is None


@pytest.fixture
def erring_server() -> Iterator[str]:
    """A loopback server that answers every command with a memcached SERVER_ERROR."""

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            while self.rfile.readline():
                self.wfile.write(b"SERVER_ERROR out of memory storing object\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_server_answering_errors_gives_a_notice_not_an_exception(
    erring_server: str,
) -> None:
    store = open_memcached_store(Config(memcache_servers=(erring_server,)))

    read = SnapshotReader(store).read()

    assert read.status == "cache_unavailable"
    assert read.snapshot is None
    with pytest.raises(CacheUnavailable, match="answered with an error"):
        store.get("kpidash:v1:current")
    store.close()
