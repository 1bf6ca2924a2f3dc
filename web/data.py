"""What a request may know: the current snapshot and the KPI cube built from it.

One :class:`DataAccess` lives on the Flask app; every page and callback asks it for
a :class:`Current` once, so a response never mixes two snapshots. The cube is built
once per snapshot and process, and only the newest one is kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Mapping
from typing import Any

import flask
import pandas as pd

from cache import Snapshot, SnapshotRead, SnapshotReader
from config import Config
from kpi import KpiCube
from web.state import QueryValue, View, parse_search, parse_view

logger = logging.getLogger(__name__)

EXTENSION_KEY = "kpi_dashboard"


@dataclasses.dataclass(frozen=True)
class Current:
    """The snapshot a request works from, or the reason there is none."""

    read: SnapshotRead
    cube: KpiCube | None
    config: Config

    @property
    def snapshot(self) -> Snapshot | None:
        return self.read.snapshot

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.read.snapshot.meta) if self.read.snapshot else {}

    def frame(self, name: str) -> pd.DataFrame | None:
        if self.read.snapshot is None:
            return None
        return self.read.snapshot.frames.get(name)

    def age_hours(self, now: dt.datetime | None = None) -> float | None:
        refreshed = self.meta.get("refreshed_at")
        if not refreshed:
            return None
        now = now or dt.datetime.now(dt.UTC)
        return (now - dt.datetime.fromisoformat(refreshed)).total_seconds() / 3600

    @property
    def stale(self) -> bool:
        age = self.age_hours()
        return age is not None and age > self.config.max_snapshot_age


class DataAccess:
    """Reads the current snapshot for requests and memoises its cube."""

    def __init__(self, reader: SnapshotReader, config: Config) -> None:
        self._reader = reader
        self._config = config
        self._lock = threading.Lock()
        self._cube_for: str | None = None
        self._cube: KpiCube | None = None

    def current(self) -> Current:
        read = self._reader.read()
        cube = self._cube_of(read.snapshot) if read.snapshot else None
        return Current(read=read, cube=cube, config=self._config)

    def _cube_of(self, snapshot: Snapshot) -> KpiCube:
        with self._lock:
            if self._cube_for != snapshot.id or self._cube is None:
                self._cube = KpiCube.from_frames(snapshot.frames)
                self._cube_for = snapshot.id
                logger.info("built the KPI cube of snapshot %s", snapshot.id)
            return self._cube


def current() -> Current:
    """The current snapshot of the app serving this request."""
    access: DataAccess = flask.current_app.extensions[EXTENSION_KEY]
    return access.current()


def read_view(state: Current, query: Mapping[str, QueryValue]) -> View | None:
    """The view of a page's query parameters, checked against the snapshot's data."""
    if state.cube is None:
        return None
    return parse_view(
        query,
        dimensions=state.cube.dimensions,
        first_day=state.cube.first_day,
        last_day=state.cube.last_day,
    )


def read_search(state: Current, search: Any) -> View | None:
    """The view of a URL search a callback received; anything but text is none."""
    return read_view(state, parse_search(search if isinstance(search, str) else ""))


THEME_COOKIE = "kpi_theme"


def request_theme() -> str:
    """The theme the browser last chose (mirrored from its local store to a cookie)."""
    if not flask.has_request_context():
        return "light"
    return "dark" if flask.request.cookies.get(THEME_COOKIE) == "dark" else "light"


def next_refresh(now: dt.datetime, hour_utc: int) -> dt.datetime:
    """The next scheduled daily refresh after ``now`` (an aware datetime), in UTC."""
    slot = now.astimezone(dt.UTC).replace(hour=hour_utc, minute=0, second=0)
    slot = slot.replace(microsecond=0)
    return slot if slot > now else slot + dt.timedelta(days=1)
