"""Earlier forecasts read from the snapshot's archive, and how each did against actuals.

The archive is one frame of the snapshot, read like any other; how it is made and
trimmed is left to ``forecast.archive``, which web workers never import.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

ARCHIVE = "forecast_archive"
# The default comparison wants this many complete periods to say anything.
MIN_SCORED = 3


@dataclasses.dataclass(frozen=True)
class ArchivedOrigin:
    """One earlier forecast of a series: where it starts, when it was made, and how
    many complete actual periods it covers."""

    origin: dt.date
    made_at: pd.Timestamp
    data_through: dt.date
    complete: int


def archived_origins(
    archive: pd.DataFrame | None,
    key: str,
    before: pd.Timestamp,
    actuals: pd.DataFrame,
) -> list[ArchivedOrigin]:
    """The archived forecasts of series ``key`` that start before ``before`` and
    cover at least one complete actual period, newest first."""
    if archive is None or archive.empty:
        return []
    found = archive[(archive["series_id"] == key) & (archive["origin"] < before)]
    complete = set(actuals.loc[_complete(actuals), "date"])
    origins = []
    for origin, rows in found.groupby("origin", sort=True):
        covered = int(rows["date"].isin(complete).sum())
        if covered:
            origins.append(
                ArchivedOrigin(
                    origin=pd.Timestamp(origin).date(),
                    made_at=pd.Timestamp(rows["made_at"].iloc[0]),
                    data_through=pd.Timestamp(rows["data_through"].iloc[0]).date(),
                    complete=covered,
                )
            )
    return origins[::-1]


def default_origin(origins: list[ArchivedOrigin]) -> ArchivedOrigin | None:
    """The newest of ``origins`` with :data:`MIN_SCORED` complete periods, else the
    one with the most (the newest of those on a tie)."""
    for found in origins:
        if found.complete >= MIN_SCORED:
            return found
    return max(origins, key=lambda o: o.complete, default=None)


def archived_forecast(
    archive: pd.DataFrame | None, key: str, origin: dt.date
) -> pd.DataFrame:
    """The forecast of series ``key`` made from ``origin``, by date (empty if none)."""
    if archive is None:
        return pd.DataFrame()
    rows = archive[
        (archive["series_id"] == key) & (archive["origin"] == pd.Timestamp(origin))
    ]
    return rows.sort_values("date", ignore_index=True)


def score_forecast(actuals: pd.DataFrame, forecast: pd.DataFrame) -> pd.DataFrame:
    """One row per complete actual period ``forecast`` covers: the forecast, the
    actual, the error as a share of the forecast, and whether each band held it.

    ``actuals`` has ``date``, ``actual``, ``partial``; the unfinished period is
    never scored.
    """
    done = actuals[_complete(actuals)]
    scored = forecast.merge(done[["date", "actual"]], on="date", how="inner")
    base = scored["forecast"].where(scored["forecast"] != 0)
    return pd.DataFrame(
        {
            "date": scored["date"],
            "forecast": scored["forecast"],
            "actual": scored["actual"],
            "error": (scored["actual"] - scored["forecast"]) / base,
            "inside80": scored["actual"].between(scored["lo80"], scored["hi80"]),
            "inside95": scored["actual"].between(scored["lo95"], scored["hi95"]),
        }
    )


def period_label(date: dt.date, grain: str) -> str:
    """``July 2017`` for a month, ``the week of 26 June 2017`` for a week."""
    if grain == "week":
        return f"the week of {date.day} {date:%B %Y}"
    return f"{date:%B %Y}"


def origin_label(found: ArchivedOrigin, grain: str) -> str:
    """A dropdown label: the period the forecast starts at and the run that made it."""
    made = found.made_at.date().isoformat()
    return (
        f"{period_label(found.origin, grain)} onwards (made {made}, data through "
        f"{found.data_through.isoformat()})"
    )


def comparison_sentence(scores: pd.DataFrame, origin: dt.date, grain: str) -> str:
    """How the forecast made from ``origin`` did, in one sentence."""
    total = len(scores)
    inside80, inside95 = int(scores["inside80"].sum()), int(scores["inside95"].sum())
    unit = grain if total == 1 else f"{grain}s"
    outside = total - inside95
    only80 = inside95 - inside80
    misses = f"{outside} outside it (marked ×)" if outside else "none outside it"
    if only80:
        misses += f", {only80} outside the 80% band only (marked ○)"
    return (
        f"The forecast made for {period_label(origin, grain)} onwards: {inside80} of "
        f"{total} complete {unit} inside its 80% band, {inside95} of {total} inside "
        f"its 95% band; {misses}."
    )


NO_COMPARISON = (
    "No earlier forecast to compare with yet: the archive grows by one forecast per "
    "refresh, and the first comparison appears once a forecast period has completed."
)


def _complete(actuals: pd.DataFrame) -> np.ndarray:
    finished = ~actuals["partial"].astype(bool)
    return np.asarray(finished & actuals["actual"].notna())
