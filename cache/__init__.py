"""Precomputed frames in a snapshot store: local files, memcached or MemCachier.

Web requests read snapshots through :class:`SnapshotReader`; the refresh writes
them with :func:`write_snapshot`.
"""

from cache.keys import frame_name, make_key
from cache.reader import SnapshotRead, SnapshotReader
from cache.snapshot import Snapshot, load_frames, load_snapshot, write_snapshot
from cache.store import Store, open_store

__all__ = [
    "Snapshot",
    "SnapshotRead",
    "SnapshotReader",
    "Store",
    "frame_name",
    "load_frames",
    "load_snapshot",
    "make_key",
    "open_store",
    "write_snapshot",
]
