"""Forecasts made on demand for a filter selection the refresh did not forecast.

It owns the job a request hands out, the store keys of its outcome and what is kept
under them: pending, done (Arrow frames) or failed (a sentence). Running jobs is
left to ``web/runner.py``, the fit itself to the child's ``web/ondemand_job.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
from typing import Any, Protocol

import flask
import pandas as pd

from cache.blob import pack_blob, read_blobs
from cache.codec import decode_frame, encode_frame
from cache.keys import make_key
from cache.store import Store
from errors import CacheError
from kpi import KpiCube, Selection
from kpi.history import complete_start, history_frame
from kpi.selection import Filters
from web.data import Current
from web.forecasts import WEEKS_PER_MONTH, scope_of, stored_grains, stored_kpis

logger = logging.getLogger(__name__)

EXTENSION_KEY = "kpi_dashboard_ondemand"
PENDING, DONE, FAILED, ABSENT = "pending", "done", "failed", "absent"
UNAVAILABLE = "unavailable"
PREPARING = "Forecast being prepared for this selection…"
CACHE_DOWN = "The cache is unavailable, so no forecast can be prepared for this view."
BUSY = (
    "Too many forecasts are being prepared right now; reload the page in a minute "
    "to queue this one."
)
NO_FORECASTS = "No forecasts are stored yet: the next refresh makes them."
# How often a page asks whether its forecast is ready.
POLL_SECONDS = 1.5


@dataclasses.dataclass(frozen=True)
class ForecastJob:
    """One KPI at one grain for one filter selection, under one snapshot.

    ``horizon`` counts periods of ``grain``, as the refresh's forecasts do.
    """

    snapshot_id: str
    kpi: str
    grain: str
    filters: Filters
    horizon: int

    @property
    def digest(self) -> str:
        """A stable hash of what is forecast; the filters are already normalised."""
        what = [self.kpi, self.grain, [[d, list(m)] for d, m in self.filters]]
        text = json.dumps([*what, self.horizon], separators=(",", ":"))
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def key(self, part: str) -> str:
        """The store key of ``part`` (status, forecast, accuracy) of the outcome."""
        return make_key("ondemand", self.snapshot_id, self.digest, part)

    @property
    def series_id(self) -> str:
        """A readable id such as ``revenue/month/region=East,West&segment=Consumer``."""
        scope = "&".join(f"{d}={','.join(members)}" for d, members in self.filters)
        return f"{self.kpi}/{self.grain}/{scope}"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """Where a job stands; a done one carries its forecast rows and backtest row."""

    state: str
    forecast: pd.DataFrame | None = None
    accuracy: pd.Series | None = None
    reason: str = ""


class Submitter(Protocol):
    """What hands a job to be run: :class:`web.runner.ForecastRunner`."""

    @property
    def patience(self) -> float: ...

    def submit(self, job: ForecastJob, history: pd.DataFrame) -> bool: ...


@dataclasses.dataclass(frozen=True)
class OnDemand:
    """The store outcomes live in and the runner that makes them, for one app."""

    store: Store
    runner: Submitter


def on_demand() -> OnDemand:
    """The on-demand forecasts of the app serving this request."""
    found: OnDemand = flask.current_app.extensions[EXTENSION_KEY]
    return found


def poll_limit(patience: float) -> int:
    """How many times a page asks before it gives up on a job."""
    return math.ceil(patience / POLL_SECONDS)


def poll_count(n_intervals: Any) -> int:
    """The browser's poll count, which is untrusted: anything odd counts as 0."""
    if isinstance(n_intervals, bool) or not isinstance(n_intervals, int):
        return 0
    return max(0, n_intervals)


def late_sentence(patience: float) -> str:
    """What a page says when a job is still not done after ``patience`` seconds."""
    return (
        f"The forecast for this selection is still not ready after {patience:.0f} s; "
        "reload the page to look again."
    )


def horizon_periods(grain: str, months: int) -> int:
    """The refresh's horizon in periods of ``grain`` for ``months`` months."""
    return months if grain == "month" else round(months * WEEKS_PER_MONTH)


def job_for(state: Current, selection: Selection, kpi: str) -> ForecastJob | None:
    """The job that forecasts ``kpi`` for ``selection``, or None when none is made.

    None when the refresh covers the selection already (the business or one
    member), when the snapshot forecasts nothing at this grain or not this KPI,
    and when the configuration turns forecasts made on demand off.
    """
    snapshot = state.snapshot
    if snapshot is None or scope_of(selection) is not None:
        return None
    if not state.config.on_demand:
        return None
    if selection.grain not in stored_grains(state) or kpi not in stored_kpis(state):
        return None
    months = int(snapshot.meta.get("forecast_horizon_months", 0) or 0)
    months = months or state.config.forecast_horizon
    return ForecastJob(
        snapshot_id=snapshot.id,
        kpi=kpi,
        grain=selection.grain,
        filters=selection.filters,
        horizon=horizon_periods(selection.grain, months),
    )


def history_of(cube: KpiCube, job: ForecastJob) -> pd.DataFrame:
    """The job's KPI history over all the data, shaped as the refresh shapes it."""
    selection = Selection(filters=job.filters, grain=job.grain)
    series = complete_start(cube.series(selection))
    return history_frame(series, job.kpi, job.series_id)


def request_forecast(state: Current, job: ForecastJob, place: OnDemand) -> Outcome:
    """The job's outcome in the store; when there is none, hand the job to the runner.

    Only a read and, for a new job, the KPI cube's history (milliseconds): the
    fit runs in the runner's child process, never in this request.
    """
    outcome = read_outcome(place.store, job)
    if outcome.state != ABSENT or state.cube is None:
        return outcome
    if place.runner.submit(job, history_of(state.cube, job)):
        return Outcome(PENDING)
    return Outcome(FAILED, reason=BUSY)


def page_outcome(state: Current, job: ForecastJob, polls: int) -> Outcome:
    """The job's outcome for a page that has asked ``polls`` times already.

    A job still pending once the page's patience has run out comes back as
    failed, with a sentence that says so.
    """
    place = on_demand()
    outcome = request_forecast(state, job, place)
    if outcome.state == PENDING and polls >= poll_limit(place.runner.patience):
        return Outcome(FAILED, reason=late_sentence(place.runner.patience))
    return outcome


def read_outcome(store: Store, job: ForecastJob) -> Outcome:
    """What the store holds for ``job``; a done outcome missing a frame is absent."""
    keys = [job.key("status"), job.key("forecast"), job.key("accuracy")]
    try:
        found = read_blobs(store, keys)
    except CacheError as exc:
        logger.debug("on-demand read of %s failed: %s", job.series_id, exc)
        return Outcome(UNAVAILABLE, reason=CACHE_DOWN)

    status = _status(found.get(keys[0]))
    state = status.get("state", ABSENT)
    if state == FAILED:
        return Outcome(FAILED, reason=str(status.get("reason", "")))
    if state == PENDING:
        return Outcome(PENDING)
    if state != DONE or keys[1] not in found or keys[2] not in found:
        # Evicted or never made: the caller may queue the job again.
        return Outcome(ABSENT)
    forecast = decode_frame(found[keys[1]]).sort_values("date")
    accuracy = decode_frame(found[keys[2]])
    row = accuracy.iloc[0] if not accuracy.empty else None
    return Outcome(DONE, forecast=forecast, accuracy=row)


def _status(raw: bytes | None) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def pending_items(job: ForecastJob, item_limit: int) -> dict[str, bytes]:
    """The items that mark ``job`` as queued or running."""
    return _status_items(job, {"state": PENDING}, item_limit)


def failed_items(job: ForecastJob, reason: str, item_limit: int) -> dict[str, bytes]:
    """The items that record why ``job`` failed, as a sentence for the page."""
    return _status_items(job, {"state": FAILED, "reason": reason}, item_limit)


def done_items(
    job: ForecastJob,
    forecast: pd.DataFrame,
    accuracy: pd.DataFrame,
    item_limit: int,
) -> dict[str, bytes]:
    """The items of a finished job: its frames as Arrow, then its status."""
    items = pack_blob(job.key("forecast"), encode_frame(forecast), item_limit)
    items.update(pack_blob(job.key("accuracy"), encode_frame(accuracy), item_limit))
    items.update(_status_items(job, {"state": DONE}, item_limit))
    return items


def _status_items(
    job: ForecastJob, status: dict[str, str], item_limit: int
) -> dict[str, bytes]:
    payload = json.dumps(status).encode("utf-8")
    return pack_blob(job.key("status"), payload, item_limit)
