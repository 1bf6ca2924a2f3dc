"""Versioned snapshots: write every piece, verify it, then flip the "current" pointer.

Layout (all keys from ``keys.make_key``): ``current`` holds ``{"id", "previous"}``;
``snapshot:<id>:index`` the meta and frame keys; ``snapshot:<id>:frame:<name>``
one frame each. Reading on every request is left to ``reader.py``.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pyarrow as pa

from cache.blob import blob_item_keys, pack_blob, read_blobs
from cache.codec import decode_frame, encode_frame
from cache.keys import make_key
from cache.store import Store
from errors import CacheCorrupt, CacheError, CacheWriteError

logger = logging.getLogger(__name__)

POINTER_KEY = make_key("current")
# Pieces outlive the pointer, so an expiring snapshot vanishes whole.
PIECE_TTL_MARGIN = 600
# Bytes sent to the store per write call.
_BATCH_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One complete refresh: JSON-able ``meta`` and named frames; hashed by identity."""

    id: str
    meta: Mapping[str, Any]
    frames: Mapping[str, pd.DataFrame] = field(repr=False)


@dataclass(frozen=True)
class Pointer:
    id: str
    previous: str | None


def index_key(snapshot_id: str) -> str:
    return make_key("snapshot", snapshot_id, "index")


def frame_key(snapshot_id: str, name: str) -> str:
    return make_key("snapshot", snapshot_id, "frame", name)


def new_snapshot_id(now: datetime | None = None) -> str:
    """A sortable, unique id such as ``20261204T051500Z-3f9a1c``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def read_pointer(store: Store) -> Pointer | None:
    """Return the current pointer, or None when no snapshot was ever made current."""
    raw = store.get(POINTER_KEY)
    if raw is None:
        return None

    try:
        value = json.loads(raw)
        return Pointer(str(value["id"]), value.get("previous"))
    except (ValueError, KeyError, TypeError) as exc:
        raise CacheCorrupt(
            f"the pointer {POINTER_KEY!r} holds {raw[:60]!r}, not a snapshot id; "
            "run the refresh again to rewrite it"
        ) from exc


def write_snapshot(
    store: Store,
    frames: Mapping[str, pd.DataFrame],
    meta: Mapping[str, Any],
    *,
    ttl: int,
) -> str:
    """Write a complete new snapshot, verify it, make it current; return its id.

    Raises CacheWriteError or CacheUnavailable when any step fails; the previous
    snapshot then stays current. The snapshot before the previous one is deleted.
    """
    started = time.monotonic()
    # Readers keep serving a snapshot whose pointer vanished before this moment:
    # the cache was emptied (restart, eviction), not the snapshot retired.
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl)
    meta_json = _meta_json({**meta, "expires_at": expires_at.isoformat()})
    previous = read_pointer_or_none(store)
    snapshot_id = new_snapshot_id()

    payloads = _encode_pieces(snapshot_id, frames, meta_json)
    items: dict[str, bytes] = {}
    for key, payload in payloads.items():
        items.update(pack_blob(key, payload, store.item_limit))
    _write_batches(store, items, ttl + PIECE_TTL_MARGIN)
    _verify(store, snapshot_id, payloads)

    pointer = {"id": snapshot_id, "previous": previous.id if previous else None}
    store.set(POINTER_KEY, json.dumps(pointer).encode("ascii"), ttl=ttl)
    _retire(store, previous, snapshot_id)

    logger.info(
        "snapshot %s is current: %s frames, %s items, %s bytes in %.2f s",
        snapshot_id,
        len(frames),
        len(items) + 1,
        sum(map(len, items.values())),
        time.monotonic() - started,
    )
    return snapshot_id


def load_snapshot(store: Store, snapshot_id: str) -> Snapshot:
    """Read and decode every frame of ``snapshot_id``; CacheCorrupt on any miss."""
    meta, keys = _read_index(store, snapshot_id)
    return Snapshot(
        id=snapshot_id, meta=meta, frames=_read_frames(store, snapshot_id, keys)
    )


def load_frames(
    store: Store, snapshot_id: str, names: Sequence[str]
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The meta of ``snapshot_id`` and those of its frames ``names`` that it has.

    A name the snapshot never had is left out; a frame it has but that cannot be
    read raises CacheCorrupt, as a missing or damaged index does.
    """
    meta, keys = _read_index(store, snapshot_id)
    wanted = {name: key for name, key in keys.items() if name in names}
    return meta, _read_frames(store, snapshot_id, wanted)


def _read_index(
    store: Store, snapshot_id: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The meta of ``snapshot_id`` and the key of each of its frames, by name."""
    index_raw = read_blobs(store, [index_key(snapshot_id)]).get(index_key(snapshot_id))
    if index_raw is None:
        raise CacheCorrupt(
            f"snapshot {snapshot_id!r} has no readable index in the cache"
        )

    try:
        index = json.loads(index_raw)
        return dict(index["meta"]), dict(index["frames"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CacheCorrupt(
            f"snapshot {snapshot_id!r} has an unreadable index ({exc}); "
            "run the refresh again"
        ) from exc


def _read_frames(
    store: Store, snapshot_id: str, keys: Mapping[str, str]
) -> dict[str, pd.DataFrame]:
    found = read_blobs(store, list(keys.values()))
    missing = [name for name, key in keys.items() if key not in found]
    if missing:
        raise CacheCorrupt(
            f"snapshot {snapshot_id!r} lacks {len(missing)} of {len(keys)} frames "
            f"(first {missing[0]!r}); run the refresh again"
        )
    return {name: decode_frame(found[key]) for name, key in keys.items()}


def read_pointer_or_none(store: Store) -> Pointer | None:
    """Like :func:`read_pointer`, but an unreadable pointer counts as none."""
    try:
        return read_pointer(store)
    except CacheCorrupt as exc:
        logger.warning("%s", exc)
        return None


def _meta_json(meta: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return dict(json.loads(json.dumps(dict(meta))))
    except (TypeError, ValueError) as exc:
        raise CacheWriteError(
            f"snapshot meta {meta!r} is not JSON-able ({exc}); pass dates as ISO "
            "strings and numbers as int or float"
        ) from exc


def _encode_pieces(
    snapshot_id: str, frames: Mapping[str, pd.DataFrame], meta: dict[str, Any]
) -> dict[str, bytes]:
    """The bytes of every frame and of the index, by the key each goes under."""
    payloads = {}
    for name, frame in frames.items():
        try:
            payloads[frame_key(snapshot_id, name)] = encode_frame(frame)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise CacheWriteError(
                f"frame {name!r} cannot be stored as Arrow ({exc}); give each of "
                "its columns a single type"
            ) from exc

    keys = {name: frame_key(snapshot_id, name) for name in frames}
    index = {"id": snapshot_id, "meta": meta, "frames": keys}
    payloads[index_key(snapshot_id)] = json.dumps(index).encode("utf-8")
    return payloads


def _write_batches(store: Store, items: Mapping[str, bytes], ttl: int) -> None:
    batch: dict[str, bytes] = {}
    size = 0
    written = 0
    for key, value in items.items():
        batch[key] = value
        size += len(value)
        if size >= _BATCH_BYTES:
            store.set_many(batch, ttl=ttl)
            written += len(batch)
            logger.debug("wrote %s of %s items", written, len(items))
            batch, size = {}, 0

    if batch:
        store.set_many(batch, ttl=ttl)
        logger.debug("wrote %s of %s items", written + len(batch), len(items))


def _verify(store: Store, snapshot_id: str, payloads: Mapping[str, bytes]) -> None:
    found = read_blobs(store, list(payloads))
    wrong = [key for key, payload in payloads.items() if found.get(key) != payload]
    if wrong:
        raise CacheWriteError(
            f"snapshot {snapshot_id!r}: {len(wrong)} of {len(payloads)} pieces did not "
            f"read back as written (first {wrong[0]!r}); the cache may be full or "
            "evicting: give it more memory, then run the refresh again"
        )


def _retire(store: Store, previous: Pointer | None, current_id: str) -> None:
    """Delete the snapshot before the previous one, and expired local files."""
    old_id = previous.previous if previous else None
    try:
        if old_id and old_id not in (current_id, previous.id if previous else None):
            old_index = read_blobs(store, [index_key(old_id)]).get(index_key(old_id))
            frame_keys = (
                list(json.loads(old_index)["frames"].values()) if old_index else []
            )
            store.delete_many(blob_item_keys(store, [index_key(old_id), *frame_keys]))
            logger.debug("deleted old snapshot %s", old_id)
        store.prune_expired()
    except (CacheError, ValueError, KeyError) as exc:
        # The new snapshot is already current; leftovers expire by themselves.
        logger.warning("could not delete old snapshot %s: %s", old_id, exc)
