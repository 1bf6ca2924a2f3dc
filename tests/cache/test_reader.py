"""Reading on every request: cheap when nothing changed, graceful when it breaks."""

from __future__ import annotations

from cache.local import LocalStore
from cache.reader import SnapshotReader
from cache.snapshot import write_snapshot

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
    assert first.snapshot.id == first_id
    assert second.snapshot.id == second_id
    assert second.snapshot.meta["n"] == 2
    assert "through 2017-12-30" in first.detail


def test_snapshots_hash_by_identity(local_store: LocalStore, frames) -> None:
    write_snapshot(local_store, frames, META, ttl=3600)
    snapshot = SnapshotReader(local_store).read().snapshot

    assert {snapshot: 1}[snapshot] == 1
