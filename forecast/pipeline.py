"""The forecast run: validate the long history, model each series, assemble frames.

Missing periods count as zero (no orders that period) unless interpolation is
asked for; every series runs up to the latest complete period of the history.
"""

from __future__ import annotations

import functools
import logging
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from errors import ForecastError
from forecast import calendar
from forecast.backtest import forecast_values, run_backtest
from forecast.candidates import CHAINS
from forecast.pool import map_batched
from forecast.selection import Context
from forecast.spec import ForecastResult, ForecastSpec

logger = logging.getLogger(__name__)

REQUIRED = ("series_id", "date", "value")
FILLS = ("zero", "interpolate")


@dataclass(frozen=True)
class SeriesInput:
    """One series on its full calendar, complete periods only."""

    series_id: str
    dates: pd.DatetimeIndex
    values: np.ndarray


@dataclass(frozen=True)
class SeriesOutcome:
    """What one series contributes to the result frames."""

    forecast: pd.DataFrame
    accuracy: dict[str, object]
    warnings: Counter[str]


def run_forecasts(
    history: pd.DataFrame,
    spec: ForecastSpec,
    *,
    nonnegative: bool = True,
    missing: str = "zero",
) -> ForecastResult:
    """Forecast every series of a long ``series_id, date, value[, partial]`` frame.

    Rows flagged ``partial`` (the unfinished current period) are never fitted;
    the forecast starts at the period after the last complete one. With
    ``nonnegative`` the series are modelled on a log scale, so no forecast or
    bound is below zero. A missing period (no row, or a NaN value) is zero with
    ``missing="zero"``, right for sums and counts; ``"interpolate"`` fills it
    from its neighbours instead, for ratios such as an average order value.
    """
    if missing not in FILLS:
        raise ForecastError(f"missing {missing!r} is not known: use one of {FILLS!r}")
    started = time.perf_counter()
    series = prepare(history, spec, nonnegative, missing)
    work = functools.partial(forecast_batch, spec=spec, nonnegative=nonnegative)
    outcomes = map_batched(work, series, spec.processes)
    result = assemble(series, outcomes, spec)
    log_run(result, spec, time.perf_counter() - started)
    return result


def log_run(result: ForecastResult, spec: ForecastSpec, seconds: float) -> None:
    """Log the run's one INFO line, and a WARNING when series fell back to naive."""
    models = result.accuracy["model"] if len(result.accuracy) else pd.Series([])
    logger.info(
        "forecast %d series at %s grain in %.1f s (%d statsmodels warnings)",
        len(models),
        spec.freq,
        seconds,
        sum(result.warnings.values()),
    )
    fallback = models[models.isin(["seasonal naive", "naive"])]
    if len(fallback):
        logger.warning(
            "%d of %d series fell back to a naive forecast: %s",
            len(fallback),
            len(models),
            ", ".join(result.accuracy.loc[fallback.index, "series_id"].head(5)),
        )


def prepare(
    history: pd.DataFrame, spec: ForecastSpec, nonnegative: bool, missing: str
) -> list[SeriesInput]:
    """Check the frame and return each series on its full calendar."""
    absent = [column for column in REQUIRED if column not in history.columns]
    if absent:
        raise ForecastError(
            f"history lacks column(s) {absent!r}: pass a long frame with "
            f"columns {REQUIRED!r}"
        )
    frame = history.copy()
    frame["date"] = pd.to_datetime(frame["date"])
    frame["value"] = numeric_values(frame)
    calendar.check_dates(frame["date"], spec.freq)
    check_unique(frame)

    partial = (
        frame["partial"].fillna(False).astype(bool) if "partial" in frame else None
    )
    complete = frame if partial is None else frame[~partial]
    if partial is not None:
        check_partial_last(frame, partial)
    if complete.empty:
        raise ForecastError("history has no complete period: pass at least one row")

    if nonnegative and (complete["value"] < 0).any():
        bad = complete.loc[complete["value"] < 0].iloc[0]
        raise ForecastError(
            f"series {bad['series_id']!r} has negative value {bad['value']!r} on "
            f"{bad['date']!r}: pass nonnegative=False for KPIs that can be negative"
        )

    end = complete["date"].max()
    return [
        regularise(str(key), group, end, spec.freq, missing)
        for key, group in complete.groupby("series_id", sort=True)
    ]


def numeric_values(frame: pd.DataFrame) -> pd.Series:
    """Return the values as floats; a missing value (NaN) counts as a missing period.

    Raises for text that is not a number and for infinities, naming the first.
    """
    values = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    bad = (values.isna() & frame["value"].notna()) | np.isinf(values)
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise ForecastError(
            f"series {row['series_id']!r} has value {row['value']!r} on "
            f"{row['date']!r}: pass finite numbers (NaN marks a missing period)"
        )
    return values


def check_unique(frame: pd.DataFrame) -> None:
    """Raise if a series has two rows for one period."""
    duplicated = frame.duplicated(["series_id", "date"])
    if duplicated.any():
        row = frame.loc[duplicated].iloc[0]
        raise ForecastError(
            f"series {row['series_id']!r} has two rows for {row['date']!r}: "
            "aggregate to one value per period first"
        )


def check_partial_last(frame: pd.DataFrame, partial: pd.Series) -> None:
    """Raise if a partial period is followed by a complete one in any series."""
    last_complete = frame.loc[~partial].groupby("series_id")["date"].max()
    first_partial = frame.loc[partial].groupby("series_id")["date"].min()
    joined = pd.concat([last_complete, first_partial], axis=1, join="inner")
    late = joined[joined.iloc[:, 0] >= joined.iloc[:, 1]]
    if not late.empty:
        raise ForecastError(
            f"series {late.index[0]!r} has a partial period before a complete one: "
            "only the last, unfinished period may be flagged partial"
        )


def regularise(
    series_id: str, group: pd.DataFrame, end: pd.Timestamp, freq: str, missing: str
) -> SeriesInput:
    """Reindex one series onto every period up to ``end`` and fill the gaps.

    Interpolation carries the last known value past the series' last row, and a
    series with no value at all stays zero.
    """
    dates = calendar.full_calendar(group["date"].min(), end, freq)
    values = group.set_index("date")["value"].reindex(dates)
    if missing == "interpolate":
        values = values.interpolate(method="linear", limit_direction="both")
    values = values.fillna(0.0)
    return SeriesInput(series_id, dates, values.to_numpy(dtype=float))


def forecast_batch(
    batch: Sequence[SeriesInput], *, spec: ForecastSpec, nonnegative: bool
) -> list[SeriesOutcome]:
    """Forecast each series of a batch (one pool task)."""
    return [forecast_series(item, spec, nonnegative) for item in batch]


def forecast_series(
    item: SeriesInput, spec: ForecastSpec, nonnegative: bool
) -> SeriesOutcome:
    """Choose, fit and backtest one series, counting the warnings it raised."""
    ctx = Context(spec.freq, spec.horizon, spec.levels, item.dates)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path, chain = forecast_values(item.values, ctx, CHAINS[spec.freq], nonnegative)
        scores = run_backtest(
            item.values, ctx, chain, nonnegative, spec.backtest_origins
        )

    frame = pd.DataFrame({"series_id": item.series_id, "date": ctx.future()})
    frame["forecast"] = path.mean
    for level in spec.levels:
        frame[f"lo{level}"], frame[f"hi{level}"] = path.bounds[level]
    frame["model"] = path.label
    accuracy = {
        "series_id": item.series_id,
        "model": path.label,
        **scores,
        "periods": item.values.size,
    }
    return SeriesOutcome(frame, accuracy, Counter(warning_kind(w) for w in caught))


def warning_kind(caught: warnings.WarningMessage) -> str:
    """Return a warning's category and the first clause of its message."""
    text = str(caught.message).split(".")[0].split("\n")[0].strip()
    return f"{caught.category.__name__}: {text[:80]}"


def assemble(
    series: Sequence[SeriesInput],
    outcomes: Sequence[SeriesOutcome],
    spec: ForecastSpec,
) -> ForecastResult:
    """Concatenate the per-series outcomes into the result frames."""
    bands = [f"{side}{level}" for level in spec.levels for side in ("lo", "hi")]
    forecasts = (
        pd.concat([outcome.forecast for outcome in outcomes], ignore_index=True)
        if outcomes
        else pd.DataFrame(columns=["series_id", "date", "forecast", *bands, "model"])
    )
    accuracy = pd.DataFrame([outcome.accuracy for outcome in outcomes])
    fitted = pd.concat(
        [
            pd.DataFrame(
                {"series_id": s.series_id, "date": s.dates, "actual": s.values}
            )
            for s in series
        ],
        ignore_index=True,
    )
    counts: Counter[str] = Counter()
    for outcome in outcomes:
        counts.update(outcome.warnings)
    return ForecastResult(forecasts, accuracy, fitted, dict(counts))
