"""The refresh's work, step by step: orders in, a complete snapshot's frames out.

It owns the list of forecast series and their ids; loading, KPI maths, modelling and
storage stay in ``sources``, ``kpi``, ``forecast`` and ``cache``.
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

from config import Config
from forecast import ForecastSpec, run_forecasts
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


def describe_source(config: Config) -> str:
    """Where the orders came from, without any secret a URL may carry."""
    source = config.data_source
    if "://" in source:
        scheme, _, rest = source.partition("://")
        host = rest.rpartition("@")[2].split("/")[0]
        return f"{scheme}://{host}/…"
    return os.path.basename(source)
