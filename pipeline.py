"""The refresh's work, step by step: orders in, a complete snapshot's frames out.

It owns the list of forecast series and their ids, and which earlier archive of
forecasts a run carries on; loading, KPI maths, modelling and storage stay in
``sources``, ``kpi``, ``forecast`` and ``cache``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from cache import Store, load_frames
from cache.snapshot import read_pointer
from config import Config
from errors import CacheCorrupt, ForecastError
from forecast import ForecastSpec, run_forecasts
from forecast.archive import check_archive, merge_archive, tag_forecasts
from kpi import KpiCube, Selection, precompute
from kpi.history import complete_start, history_frame

logger = logging.getLogger(__name__)

SCHEMA = "snapshot-v1"
# Forecast runs by how the KPI behaves: counts and sums are never negative and a
# period without orders is a real zero; a ratio such as the average order value is
# interpolated over such a period instead; profit can go below zero.
FORECAST_GROUPS: tuple[tuple[tuple[str, ...], bool, str], ...] = (
    (("revenue", "orders", "active_customers"), True, "zero"),
    (("aov",), True, "interpolate"),
    (("profit",), False, "zero"),
)
FORECAST_KPIS = tuple(kpi for kpis, _, _ in FORECAST_GROUPS for kpi in kpis)
FORECAST_GRAINS = {"month": "MS", "week": "W-MON"}
WEEKS_PER_MONTH = 4.35
# The frame of every snapshot that keeps the forecasts of earlier refreshes.
ARCHIVE = "forecast_archive"


@dataclasses.dataclass(frozen=True)
class SnapshotFrames:
    """Everything one refresh writes: named frames and their JSON metadata."""

    frames: dict[str, pd.DataFrame]
    meta: dict[str, Any]


def series_key(
    kpi: str, grain: str, dimension: str | None = None, member: str = ""
) -> str:
    """The id of a forecast series, such as ``orders/week/region=East``."""
    scope = f"{dimension}={member}" if dimension else "all"
    return f"{kpi}/{grain}/{scope}"


def build_snapshot(
    orders: pd.DataFrame,
    config: Config,
    *,
    as_of: dt.date | None = None,
    processes: int | None = None,
) -> SnapshotFrames:
    """Compute the KPI frames and the forecasts of one snapshot from ``orders``."""
    started = time.perf_counter()
    frames = precompute(orders, dimensions=config.dimensions, as_of=as_of)
    cube = KpiCube.from_frames(frames)
    logger.info(
        "computed KPI frames: %d frames, %d rows in %.1fs",
        len(frames),
        sum(len(f) for f in frames.values()),
        time.perf_counter() - started,
    )

    started = time.perf_counter()
    forecast_frames, warnings = forecast_all(
        cube,
        config.forecast_horizon,
        processes=processes or min(2, os.cpu_count() or 1),
    )
    frames.update(forecast_frames)
    logger.info(
        "forecast %d series in %.1fs (%d model warnings)",
        forecast_frames["forecast_accuracy"].shape[0],
        time.perf_counter() - started,
        sum(warnings.values()),
    )
    for message, count in sorted(warnings.items()):
        logger.info("  model warning x%d: %s", count, message)

    meta = {
        "schema": SCHEMA,
        "data_through": cube.last_day.isoformat(),
        "first_day": cube.first_day.isoformat(),
        "as_of": cube.as_of.isoformat(),
        "refreshed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": describe_source(config),
        "order_lines": len(orders),
        "orders": int(orders["order_id"].nunique()),
        "customers": int(orders["customer_id"].nunique()),
        "dimensions": list(config.dimensions),
        "forecast_horizon_months": config.forecast_horizon,
    }
    return SnapshotFrames(frames=frames, meta=meta)


def forecast_all(
    cube: KpiCube, horizon_months: int, *, processes: int = 1
) -> tuple[dict[str, pd.DataFrame], Mapping[str, int]]:
    """Forecast every KPI of :data:`FORECAST_KPIS` for the business and each member."""
    outputs: dict[str, list[pd.DataFrame]] = {"forecasts": [], "accuracy": []}
    warnings: dict[str, int] = {}
    for grain, freq in FORECAST_GRAINS.items():
        horizon = (
            horizon_months
            if grain == "month"
            else round(horizon_months * WEEKS_PER_MONTH)
        )
        spec = ForecastSpec(freq=freq, horizon=horizon, processes=processes)
        for kpis, nonnegative, missing in FORECAST_GROUPS:
            history = pd.concat(list(_histories(cube, grain, kpis)), ignore_index=True)
            result = run_forecasts(
                history, spec, nonnegative=nonnegative, missing=missing
            )
            outputs["forecasts"].append(result.forecasts)
            outputs["accuracy"].append(result.accuracy)
            for message, count in result.warnings.items():
                warnings[message] = warnings.get(message, 0) + count
    return {
        "forecasts": pd.concat(outputs["forecasts"], ignore_index=True),
        "forecast_accuracy": pd.concat(outputs["accuracy"], ignore_index=True),
    }, warnings


def _histories(
    cube: KpiCube, grain: str, kpis: tuple[str, ...]
) -> Iterator[pd.DataFrame]:
    scopes: list[tuple[str | None, str]] = [(None, "")]
    scopes += [(d, m) for d, members in cube.dimensions.items() for m in members]
    for dimension, member in scopes:
        filters = {dimension: [member]} if dimension else {}
        series = cube.series(Selection.build(filters=filters, grain=grain))
        series = complete_start(series)
        for kpi in kpis:
            yield history_frame(series, kpi, series_key(kpi, grain, dimension, member))


def archive_forecasts(
    snapshot: SnapshotFrames, previous: pd.DataFrame | None
) -> pd.DataFrame:
    """The forecasts of ``snapshot`` merged into ``previous`` (None: a new archive)."""
    latest = tag_forecasts(
        snapshot.frames["forecasts"],
        made_at=pd.Timestamp(snapshot.meta["refreshed_at"]),
        data_through=pd.Timestamp(snapshot.meta["data_through"]),
    )
    return merge_archive(previous, latest)


def previous_archive(store: Store, source: str) -> pd.DataFrame | None:
    """The current snapshot's forecast archive, when a run from ``source`` may keep it.

    None starts a new archive. Each case is logged: INFO where no archive was ever
    made, WARNING where one is lost. A store that does not answer raises, so the
    refresh fails and the current snapshot, archive included, stays.
    """
    try:
        pointer = read_pointer(store)
        if pointer is None:
            logger.info("forecast archive: no previous snapshot; starting a new one")
            return None
        meta, frames = load_frames(store, pointer.id, [ARCHIVE])
    except CacheCorrupt as exc:
        logger.warning(
            "forecast archive: the previous snapshot cannot be read (%s); starting "
            "a new archive",
            exc,
        )
        return None

    if meta.get("source") != source:
        logger.warning(
            "forecast archive: snapshot %s was made from %r, this run reads %r; "
            "forecasts of other data are not comparable, so starting a new archive",
            pointer.id,
            meta.get("source"),
            source,
        )
        return None
    if ARCHIVE not in frames:
        logger.info(
            "forecast archive: snapshot %s was made before archives were kept; "
            "starting a new one",
            pointer.id,
        )
        return None
    return _checked_archive(frames[ARCHIVE], pointer.id)


def _checked_archive(frame: pd.DataFrame, snapshot_id: str) -> pd.DataFrame | None:
    try:
        archive = check_archive(frame)
    except ForecastError as exc:
        logger.warning(
            "forecast archive: the one in snapshot %s is unusable (%s); starting a "
            "new archive",
            snapshot_id,
            exc,
        )
        return None

    logger.info(
        "forecast archive: carrying on the %d rows of snapshot %s",
        len(archive),
        snapshot_id,
    )
    return archive


def describe_source(config: Config) -> str:
    """Where the orders came from, without any secret a URL may carry."""
    source = config.data_source
    if "://" in source:
        scheme, _, rest = source.partition("://")
        host = rest.rpartition("@")[2].split("/")[0]
        return f"{scheme}://{host}/…"
    return os.path.basename(source)
