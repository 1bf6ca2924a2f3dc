"""Writing snapshots: complete pieces, verified, then the pointer flips."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cache.blob import pack_blob
from cache.local import LocalStore
from cache.memcached import open_memcached_store
from cache.reader import SnapshotReader
from cache.sharding import ShardedStore
from cache.snapshot import (
    POINTER_KEY,
    frame_key,
    index_key,
    load_frames,
    load_snapshot,
    read_pointer,
    write_snapshot,
)
from cache.store import Store
from config import Config
from errors import CacheCorrupt, CacheWriteError
from tests.servers import MemcachedProcess

META = {"data_through": "2017-12-30", "refreshed_at": "2026-12-04T05:00:00+00:00"}


def _assert_same_frames(got: dict, want: dict) -> None:
    assert sorted(got) == sorted(want)
    for name, frame in want.items():
        pd.testing.assert_frame_equal(got[name], frame, check_freq=True)


def test_local_snapshot_round_trips(local_store: LocalStore, frames) -> None:
    snapshot_id = write_snapshot(local_store, frames, META, ttl=3600)

    pointer = read_pointer(local_store)
    snapshot = load_snapshot(local_store, snapshot_id)

    assert pointer is not None and pointer.id == snapshot_id
    assert pointer.previous is None
    assert {k: v for k, v in snapshot.meta.items() if k != "expires_at"} == META
    # The expiry the refresh gave it, an hour (ttl=3600) from the write.
    expires = datetime.fromisoformat(snapshot.meta["expires_at"])
    assert 3590 < (expires - datetime.now(UTC)).total_seconds() <= 3600
    _assert_same_frames(dict(snapshot.frames), frames)


@pytest.mark.integration
def test_memcached_snapshot_round_trips(memcached_store: ShardedStore, frames) -> None:
    snapshot_id = write_snapshot(memcached_store, frames, META, ttl=3600)

    snapshot = load_snapshot(memcached_store, snapshot_id)

    assert _current_id(memcached_store) == snapshot_id
    _assert_same_frames(dict(snapshot.frames), frames)


def test_named_frames_load_alone_from_the_local_store(
    local_store: LocalStore, frames
) -> None:
    snapshot_id = write_snapshot(local_store, frames, META, ttl=3600)
    # Damage the frame not asked for: reading the other one must not touch it.
    local_store.set(frame_key(snapshot_id, "lines"), b"not a frame", ttl=3600)

    meta, loaded = load_frames(local_store, snapshot_id, ["monthly", "absent"])

    assert meta["data_through"] == META["data_through"]
    assert list(loaded) == ["monthly"]
    pd.testing.assert_frame_equal(loaded["monthly"], frames["monthly"])


@pytest.mark.parametrize(
    "damage",
    [
        b"not a blob at all",
        # A well-formed blob whose bytes are no Arrow stream.
        pack_blob("k", b"no arrow here", 2**20)["k"],
    ],
)
def test_a_damaged_named_frame_raises_cache_corrupt(
    local_store: LocalStore, frames, damage: bytes
) -> None:
    snapshot_id = write_snapshot(local_store, frames, META, ttl=3600)
    local_store.set(frame_key(snapshot_id, "monthly"), damage, ttl=3600)

    with pytest.raises(CacheCorrupt, match="run the refresh again"):
        load_frames(local_store, snapshot_id, ["monthly"])


@pytest.mark.integration
def test_named_frames_load_alone_from_memcached(
    memcached: MemcachedProcess, memcached_store: ShardedStore, frames
) -> None:
    big = {**frames, "lines": _incompressible_frame(200_000)}  # 1.6 MB, in chunks
    snapshot_id = write_snapshot(memcached_store, big, META, ttl=3600)
    sent_before = memcached.stats()["bytes_written"]

    meta, loaded = load_frames(memcached_store, snapshot_id, ["monthly"])
    sent = memcached.stats()["bytes_written"] - sent_before

    assert meta["refreshed_at"] == META["refreshed_at"]
    assert list(loaded) == ["monthly"]
    pd.testing.assert_frame_equal(loaded["monthly"], frames["monthly"])
    # The index and one small frame crossed the wire, not the 1.6 MB one.
    assert sent < 50_000


def test_rerunning_keeps_the_previous_and_retires_the_one_before(
    local_store: LocalStore, frames
) -> None:
    first = write_snapshot(local_store, frames, META, ttl=3600)
    second = write_snapshot(local_store, frames, META, ttl=3600)
    files_with_two = len(list(local_store.folder.glob("*.item")))
    third = write_snapshot(local_store, frames, META, ttl=3600)

    assert len({first, second, third}) == 3
    pointer = read_pointer(local_store)
    assert pointer is not None and pointer.previous == second
    assert local_store.get(index_key(second)) is not None
    assert local_store.get(index_key(first)) is None
    # The first snapshot's files went: the folder holds two snapshots, not three.
    assert len(list(local_store.folder.glob("*.item"))) == files_with_two


def test_meta_that_is_not_json_fails_before_any_write(
    local_store: LocalStore, frames
) -> None:
    with pytest.raises(CacheWriteError, match="not JSON-able"):
        write_snapshot(local_store, frames, {"when": object()}, ttl=3600)

    assert local_store.get(POINTER_KEY) is None


@pytest.mark.integration
def test_a_write_the_server_refuses_leaves_the_previous_snapshot_current(
    memcached_factory, frames
) -> None:
    # A real partial write: the config claims 2 MB items, the server takes 1 MB, so
    # small pieces are stored and the big frame's chunks are refused.
    server = memcached_factory("-I", "1m")
    config = Config(memcache_servers=(server.address,), cache_item_limit=2_000_000)
    store = open_memcached_store(config)
    first = write_snapshot(store, frames, META, ttl=3600)
    big = {**frames, "big": _incompressible_frame(200_000)}

    with pytest.raises(CacheWriteError, match="refused a write"):
        write_snapshot(store, big, META, ttl=3600)

    assert _current_id(store) == first
    assert sorted(load_snapshot(store, first).frames) == sorted(frames)
    store.close()


_KILLED_WRITER = """
import sys, time
import numpy as np, pandas as pd
from cache.local import LocalStore
from cache.memcached import open_memcached_store
from cache.snapshot import write_snapshot
from config import Config

class PausingStore:
    # Delegates to the real store; after the first batch it reports and waits to
    # be killed, so the kill lands between pieces.
    def __init__(self, store):
        self._store = store
        self.name, self.item_limit = store.name, store.item_limit
    def __getattr__(self, name):
        return getattr(self._store, name)
    def set_many(self, items, *, ttl):
        self._store.set_many(items, ttl=ttl)
        print(next(iter(items)), flush=True)
        time.sleep(60)

kind, where = sys.argv[1:3]
if kind == "local":
    store = LocalStore(where)
else:
    store = open_memcached_store(Config(memcache_servers=(where,)))
rng = np.random.default_rng(1)
frames = {f"f{i}": pd.DataFrame({"v": rng.random(700_000)}) for i in range(3)}
write_snapshot(PausingStore(store), frames, {"run": "killed"}, ttl=3600)
"""


@pytest.mark.parametrize(
    "kind", ["local", pytest.param("memcached", marks=pytest.mark.integration)]
)
def test_a_refresh_killed_half_way_leaves_the_previous_snapshot_current(
    kind: str, request: pytest.FixtureRequest, frames
) -> None:
    store: Store = request.getfixturevalue(f"{kind}_store")
    where = (
        str(store.folder)
        if isinstance(store, LocalStore)
        else request.getfixturevalue("memcached").address
    )
    first = write_snapshot(store, frames, META, ttl=3600)

    first_piece = _run_until_first_batch_then_kill(kind, where)
    read = SnapshotReader(store).read()

    # The killed run had stored pieces of its own snapshot, but never flipped.
    assert first_piece.startswith("kpidash:v1:snapshot:")
    assert store.get(first_piece) is not None
    assert _current_id(store) == first
    assert read.status == "fresh"
    assert read.snapshot is not None
    assert read.snapshot.id == first
    assert {k: v for k, v in read.snapshot.meta.items() if k != "expires_at"} == META


def _run_until_first_batch_then_kill(kind: str, where: str) -> str:
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, kind, where],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert writer.stdout is not None
    try:
        return writer.stdout.readline().decode().strip()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()


def _incompressible_frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"v": np.random.default_rng(5).random(rows)})


def _current_id(store: Store) -> str:
    pointer = read_pointer(store)
    assert pointer is not None
    return pointer.id


def test_a_frame_arrow_cannot_hold_fails_with_its_name(local_store: LocalStore) -> None:
    mixed = pd.DataFrame({"v": pd.Series([1, "two", 3.0], dtype=object)})

    with pytest.raises(CacheWriteError, match="frame 'mixed' cannot be stored"):
        write_snapshot(local_store, {"mixed": mixed}, META, ttl=3600)

    assert local_store.get(POINTER_KEY) is None


@pytest.mark.integration
def test_pieces_evicted_during_the_write_fail_the_verification(
    memcached_factory, frames
) -> None:
    # 8 MB of memory cannot hold a 16 MB snapshot: memcached confirms every write
    # and silently evicts the oldest chunks to make room.
    server = memcached_factory("-m", "8")
    store = open_memcached_store(Config(memcache_servers=(server.address,)))
    first = write_snapshot(store, frames, META, ttl=3600)
    big = {f"f{i}": _incompressible_frame(500_000) for i in range(4)}

    with pytest.raises(CacheWriteError, match="did not read back as written"):
        write_snapshot(store, big, META, ttl=3600)

    assert _current_id(store) == first
    store.close()
