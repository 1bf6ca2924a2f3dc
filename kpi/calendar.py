"""Calendar arithmetic on days: periods of a grain, previous and year-ago ranges.

Days are plain integers (days since 1970-01-01) so that whole arrays of them can be
worked on with numpy; :func:`to_day` and :func:`to_date` convert at the edges.
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

EPOCH = dt.date(1970, 1, 1)

Span = tuple[int, int]  # inclusive first and last day; empty when last < first


def to_day(value: dt.date) -> int:
    return (value - EPOCH).days


def to_date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def to_timestamps(days: np.ndarray) -> np.ndarray:
    """Integer days as ``datetime64[ns]`` values."""
    return (
        np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[ns]")
    )


def add_months(day: int, months: int, *, keep_month_end: bool = False) -> int:
    """The same day of the month ``months`` later, clipped to the month's length."""
    date = to_date(day)
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    length = calendar.monthrange(year, month + 1)[1]
    at_end = date.day == calendar.monthrange(date.year, date.month)[1]
    target = length if keep_month_end and at_end else min(date.day, length)
    return to_day(dt.date(year, month + 1, target))


def period_start(day: int, grain: str) -> int:
    """First day of the period of ``grain`` that holds ``day``."""
    if grain == "day":
        return day
    if grain == "week":
        # 1970-01-01 was a Thursday, so Mondays are the days with (day - 4) % 7 == 0.
        return day - (day - 4) % 7
    date = to_date(day)
    return to_day(date.replace(day=1))


def period_starts(days: np.ndarray, grain: str) -> np.ndarray:
    """Vectorised :func:`period_start`."""
    days = np.asarray(days, dtype="int64")
    if grain == "day":
        return days
    if grain == "week":
        return days - (days - 4) % 7
    months = days.astype("datetime64[D]").astype("datetime64[M]")
    return months.astype("datetime64[D]").astype("int64")


def next_period(start: int, grain: str, count: int = 1) -> int:
    """Start of the period ``count`` periods after the one starting on ``start``."""
    if grain == "day":
        return start + count
    if grain == "week":
        return start + 7 * count
    return add_months(start, count)


def period_span(start: int, grain: str) -> Span:
    return start, next_period(start, grain) - 1


def periods(first: int, last: int, grain: str) -> np.ndarray:
    """Starts of the periods of ``grain`` from the one holding ``first`` to ``last``."""
    if last < first:
        return np.empty(0, dtype="int64")
    days = np.arange(period_start(first, grain), last + 1, dtype="int64")
    return np.unique(period_starts(days, grain))


def shift_span(span: Span, grain: str, count: int) -> Span:
    """The same days of the period ``count`` periods away (day offsets kept).

    For months the offsets from the month start are kept and clipped to the target
    month, so March 1-15 shifted by -1 is February 1-15.
    """
    first, last = span
    if grain != "month":
        step = {"day": 1, "week": 7}[grain] * count
        return first + step, last + step
    home = period_start(first, "month")
    target = add_months(home, count)
    target_end = add_months(target, 1) - 1
    return (
        min(target + (first - home), target_end),
        min(target + (last - home), target_end),
    )


def year_earlier(span: Span, grain: str) -> Span:
    """The comparable span a year before: 12 months, or 52 weeks (364 days)."""
    if grain == "month":
        return shift_span(span, "month", -12)
    return span[0] - 364, span[1] - 364


def is_whole_months(span: Span) -> bool:
    first, last = span
    return (
        last >= first
        and period_start(first, "month") == first
        and add_months(period_start(last, "month"), 1) - 1 == last
    )


def previous_range(span: Span) -> Span:
    """The range just before ``span``: as many whole months, else as many days."""
    first, last = span
    if is_whole_months(span):
        a, b = to_date(first), to_date(last)
        months = (b.year - a.year) * 12 + b.month - a.month + 1
        return add_months(first, -months), first - 1
    length = last - first + 1
    return first - length, first - 1


def shift_year(day: int) -> int:
    """The same calendar day a year earlier (Feb 29 becomes Feb 28; month ends stay)."""
    return add_months(day, -12, keep_month_end=True)


def cut(span: Span, days: int) -> Span:
    """The first ``days`` days of ``span`` (all of it when it is shorter)."""
    first, last = span
    return first, min(last, first + days - 1)


def next_starts(starts: np.ndarray, grain: str, count: int = 1) -> np.ndarray:
    """Vectorised :func:`next_period` for period starts."""
    starts = np.asarray(starts, dtype="int64")
    if grain == "day":
        return starts + count
    if grain == "week":
        return starts + 7 * count
    months = starts.astype("datetime64[D]").astype("datetime64[M]") + count
    return months.astype("datetime64[D]").astype("int64")
