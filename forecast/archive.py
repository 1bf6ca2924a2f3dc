"""The forecast archive: every refresh's forecasts, each tagged with its origin.

Pure rules only: tagging a run's forecasts, merging them into the previous archive
and trimming it. Reading the previous archive and storing the new one is left to
``pipeline`` and ``cache``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from errors import ForecastError

# Newest origins kept per series. A monthly series keeps two years of forecasts, a
# weekly one one year: enough to judge two seasonal cycles of months, or a whole
# year of weeks, while the archive stays a few MB in every web worker's memory.
MONTH_ORIGINS_KEPT = 24
WEEK_ORIGINS_KEPT = 52
ORIGINS_KEPT = {"month": MONTH_ORIGINS_KEPT, "week": WEEK_ORIGINS_KEPT}

KEY = ["series_id", "origin"]
ORDER = ["series_id", "origin", "date"]
# Every column and its one type, so each archive encodes to the same Arrow schema.
# The text columns repeat a few values: as categories a full archive takes half the
# memory in each web worker.
DTYPES = {
    "series_id": "category",
    "origin": "datetime64[us]",
    "date": "datetime64[us]",
    "forecast": "float64",
    "lo80": "float64",
    "hi80": "float64",
    "lo95": "float64",
    "hi95": "float64",
    "model": "category",
    "made_at": "datetime64[us, UTC]",
    "data_through": "datetime64[us]",
}


@dataclass(frozen=True)
class ArchiveSize:
    """How much an archive holds: forecasts (a series from one origin), rows."""

    forecasts: int
    rows: int
    origins: int
    oldest: pd.Timestamp | None


def tag_forecasts(
    forecasts: pd.DataFrame, *, made_at: pd.Timestamp, data_through: pd.Timestamp
) -> pd.DataFrame:
    """One run's ``forecasts`` as archive rows: origin, run time and data-through.

    A series' origin is its first forecast date, the period the forecast starts at.
    """
    tagged = forecasts.assign(
        origin=forecasts.groupby("series_id")["date"].transform("min"),
        made_at=pd.Timestamp(made_at),
        data_through=pd.Timestamp(data_through),
    )
    return check_archive(tagged)


def merge_archive(previous: pd.DataFrame | None, latest: pd.DataFrame) -> pd.DataFrame:
    """``latest`` merged into ``previous``: the newest forecast per series and origin.

    A series and origin forecast by several runs keeps the one made last (``latest``
    on a tie); each series keeps its newest :data:`ORIGINS_KEPT` origins.
    """
    runs = [check_archive(latest)]
    if previous is not None:
        runs.insert(0, check_archive(previous))
    both = pd.concat(
        [run.assign(_run=i) for i, run in enumerate(runs)], ignore_index=True
    )
    # Number each run that wrote rows, oldest first; the newest wins each key.
    both["_batch"] = both.groupby(["made_at", "_run"]).ngroup()
    newest = both.groupby(KEY)["_batch"].transform("max")
    kept = both[both["_batch"] == newest].drop_duplicates(ORDER, keep="last")
    kept = _trim(kept)
    return check_archive(kept.drop(columns=["_run", "_batch"]))


def check_archive(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the archive's columns, types and order; ForecastError if not."""
    missing = [column for column in DTYPES if column not in frame.columns]
    if missing:
        raise ForecastError(
            f"a forecast archive lacks the columns {missing!r}; start a new archive "
            "from this run's forecasts"
        )

    # Through text first, so the categories are exactly the values, in order.
    as_text = {c: "str" if t == "category" else t for c, t in DTYPES.items()}
    try:
        typed = frame[list(DTYPES)].astype(as_text).astype(DTYPES)
    except (TypeError, ValueError) as exc:
        raise ForecastError(
            f"a forecast archive has a column of the wrong type ({exc}); start a new "
            "archive from this run's forecasts"
        ) from exc
    if typed[ORDER].isna().any(axis=None):
        raise ForecastError(
            "a forecast archive has rows without a series id, origin or date; start "
            "a new archive from this run's forecasts"
        )
    unknown = set(_grains(typed)) - set(ORIGINS_KEPT)
    if unknown:
        raise ForecastError(
            f"forecast archive series of grain {sorted(unknown)[0]!r}: ids must read "
            f"kpi/grain/scope with a grain of {sorted(ORIGINS_KEPT)!r}"
        )
    return typed.sort_values(ORDER, ignore_index=True)


def measure_archive(archive: pd.DataFrame) -> ArchiveSize:
    """The size of ``archive`` for the refresh's log line."""
    forecasts = len(archive.drop_duplicates(KEY))
    oldest = archive["origin"].min() if len(archive) else None
    return ArchiveSize(forecasts, len(archive), archive["origin"].nunique(), oldest)


def _trim(archive: pd.DataFrame) -> pd.DataFrame:
    """Each series' newest origins, as many as its grain keeps."""
    rank = archive.groupby("series_id")["origin"].rank(method="dense", ascending=False)
    limit = _grains(archive).map(ORIGINS_KEPT)
    return archive[rank <= limit]


def _grains(archive: pd.DataFrame) -> pd.Series:
    """The grain part of each series id (``revenue/month/all`` is month)."""
    after_kpi = archive["series_id"].astype("str").str.partition("/")[2]
    return after_kpi.str.partition("/")[0]
