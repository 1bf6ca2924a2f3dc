"""Snapshot reading for web requests: one pointer read, frames kept in memory.

When the store fails, the last snapshot this process saw is served with a notice.
Writing snapshots is left to ``snapshot.py``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cache.snapshot import Snapshot, load_snapshot, read_pointer
from cache.store import Store
from errors import CacheCorrupt, CacheError

logger = logging.getLogger(__name__)

FRESH = "fresh"
CACHE_UNAVAILABLE = "cache_unavailable"
MISSING = "missing"

NO_DATA = "No data yet: the daily refresh has not run, or its snapshot has expired."
# A snapshot that failed to load is not fetched again for this long.
DEFAULT_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class SnapshotRead:
    """What a request gets: the snapshot to show (or None), a status and a notice."""

    snapshot: Snapshot | None
    status: str
    detail: str


class SnapshotReader:
    """Read the current snapshot of ``store``, keeping only the latest one decoded.

    Thread-safe; one instance per process. ``read`` never raises for cache
    trouble: it returns the last snapshot seen with status ``cache_unavailable``,
    or ``missing`` with no snapshot.
    """

    def __init__(
        self,
        store: Store,
        *,
        retry_after: float = DEFAULT_RETRY_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.retry_after = retry_after
        self._clock = clock
        self._lock = threading.Lock()
        self._latest: Snapshot | None = None
        self._failed: tuple[str, float] | None = None

    def read(self) -> SnapshotRead:
        """Return the current snapshot; costs one small read when nothing changed."""
        try:
            pointer = read_pointer(self.store)
        except CacheCorrupt as exc:
            logger.debug("pointer read failed: %s", exc)
            return self._fallback("The cache holds a damaged snapshot pointer")
        except CacheError as exc:
            logger.debug("pointer read failed: %s", exc)
            return self._fallback("The cache is unavailable")

        if pointer is None:
            if self._latest is not None and not _expired(self._latest):
                return self._fallback("The cache lost the current snapshot")
            self._latest = None
            return SnapshotRead(None, MISSING, NO_DATA)

        latest = self._latest
        if latest is not None and latest.id == pointer.id:
            return SnapshotRead(latest, FRESH, _describe(latest))
        return self._load(pointer.id)

    def _load(self, snapshot_id: str) -> SnapshotRead:
        with self._lock:
            # Another thread may have loaded it while this one waited.
            latest = self._latest
            if latest is not None and latest.id == snapshot_id:
                return SnapshotRead(latest, FRESH, _describe(latest))
            if self._recently_failed(snapshot_id):
                return self._fallback(f"Snapshot {snapshot_id} could not be read")

            started = self._clock()
            try:
                snapshot = load_snapshot(self.store, snapshot_id)
            except CacheError as exc:
                logger.warning("cannot load snapshot %s: %s", snapshot_id, exc)
                self._failed = (snapshot_id, self._clock())
                return self._fallback(f"Snapshot {snapshot_id} could not be read")

            self._latest, self._failed = snapshot, None
            logger.info(
                "loaded snapshot %s: %s frames in %.3f s",
                snapshot_id,
                len(snapshot.frames),
                self._clock() - started,
            )
            return SnapshotRead(snapshot, FRESH, _describe(snapshot))

    def _recently_failed(self, snapshot_id: str) -> bool:
        failed = self._failed
        return (
            failed is not None
            and failed[0] == snapshot_id
            and self._clock() - failed[1] < self.retry_after
        )

    def _fallback(self, problem: str) -> SnapshotRead:
        latest = self._latest
        if latest is None:
            return SnapshotRead(
                None, CACHE_UNAVAILABLE, f"{problem}; no data to show yet."
            )
        return SnapshotRead(
            latest,
            CACHE_UNAVAILABLE,
            f"{problem}; showing {_describe(latest, lower=True)}",
        )


def _expired(snapshot: Snapshot) -> bool:
    """Whether ``snapshot`` has outlived the expiry its refresh gave it."""
    stamp = snapshot.meta.get("expires_at")
    if not stamp:
        return True
    return datetime.fromisoformat(str(stamp)) <= datetime.now(UTC)


def _describe(snapshot: Snapshot, *, lower: bool = False) -> str:
    through = snapshot.meta.get("data_through")
    refreshed = snapshot.meta.get("refreshed_at")
    text = f"Data from snapshot {snapshot.id}"
    if through:
        text += f", through {through}"
    if refreshed:
        text += f", refreshed at {refreshed}"
    text += "."
    return text[0].lower() + text[1:] if lower else text
