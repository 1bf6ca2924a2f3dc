"""Writing snapshots: complete pieces, verified, then the pointer flips."""

from __future__ import annotations

import pandas as pd
import pytest

from cache.local import LocalStore
from cache.sharding import ShardedStore
from cache.snapshot import (
    POINTER_KEY,
    index_key,
    load_snapshot,
    read_pointer,
    write_snapshot,
)
from errors import CacheWriteError

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
    assert snapshot.meta == META
    _assert_same_frames(dict(snapshot.frames), frames)


@pytest.mark.integration
def test_memcached_snapshot_round_trips(memcached_store: ShardedStore, frames) -> None:
    snapshot_id = write_snapshot(memcached_store, frames, META, ttl=3600)

    snapshot = load_snapshot(memcached_store, snapshot_id)

    assert read_pointer(memcached_store).id == snapshot_id
    _assert_same_frames(dict(snapshot.frames), frames)


def test_rerunning_keeps_the_previous_and_retires_the_one_before(
    local_store: LocalStore, frames
) -> None:
    first = write_snapshot(local_store, frames, META, ttl=3600)
    second = write_snapshot(local_store, frames, META, ttl=3600)
    files_with_two = len(list(local_store.folder.glob("*.item")))
    third = write_snapshot(local_store, frames, META, ttl=3600)

    assert len({first, second, third}) == 3
    assert read_pointer(local_store).previous == second
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
