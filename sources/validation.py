"""Turning a source's raw columns into checked order-schema columns.

Each check raises :class:`errors.DataError` naming the column, the first offending
rows and the fix; nothing here reads files or knows where the frame came from.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from errors import DataError

logger = logging.getLogger(__name__)

SHOWN_ROWS = 5
# Tried in order; the first that reads every value wins (so 1/2/2017 is January 2).
DATE_FORMATS = ("ISO8601", "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%Y %H:%M", "%d.%m.%Y")
MISSING_DIMENSION = "(none)"

# A timestamp that carries its own offset: "...T10:00:00Z", "... 10:00+02:00".
_OFFSET = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})$"


class RowLabels:
    """How to name rows in messages: file lines (header is line 1) or positions."""

    def __init__(self, first_line: int | None) -> None:
        self._first = first_line

    def of(self, positions: np.ndarray) -> tuple[int, ...]:
        shown = positions[:SHOWN_ROWS]
        offset = 0 if self._first is None else self._first
        return tuple(int(p) + offset for p in shown)

    def describe(self, rows: tuple[int, ...], total: int) -> str:
        noun = "row" if self._first is None else "line"
        listed = ", ".join(str(r) for r in rows)
        more = f" and {total - len(rows)} more" if total > len(rows) else ""
        return f"{noun}{'s' if total > 1 else ''} {listed}{more}"


def fail(
    column: str, problem: str, positions: np.ndarray, labels: RowLabels, fix: str
) -> DataError:
    """A DataError for ``positions`` of ``column``, with the first rows listed."""
    rows = labels.of(positions)
    where = labels.describe(rows, len(positions))
    return DataError(
        f"column {column!r}: {problem} at {where}; {fix}", column=column, rows=rows
    )


def parse_dates(
    raw: pd.Series, column: str, timezone: str, labels: RowLabels
) -> pd.Series:
    """Calendar days in ``timezone``, naive; timestamps with offsets are converted."""
    missing = raw.isna().to_numpy()
    if missing.any():
        raise fail(
            column,
            "the date is empty",
            np.flatnonzero(missing),
            labels,
            "every order line needs its order date",
        )

    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        return _local_days(raw, timezone)
    if pd.api.types.is_datetime64_dtype(raw.dtype):
        return raw.astype("datetime64[ns]").dt.normalize()

    text = raw.astype("str").str.strip()
    offset = text.str.contains(_OFFSET, regex=True).to_numpy()
    if offset.any() and not offset.all():
        minority = offset if offset.sum() < (~offset).sum() else ~offset
        raise fail(
            column,
            "dates mix timestamps with and without a time zone offset",
            np.flatnonzero(minority),
            labels,
            f"give every date an offset, or none (then it is read as {timezone} time)",
        )

    parsed, bad = _parse_first_fitting(text, utc=bool(offset.all()))
    if bad.any():
        first = text.iloc[int(np.flatnonzero(bad)[0])]
        raise fail(
            column,
            f"{first!r} is not a date",
            np.flatnonzero(bad),
            labels,
            "write dates as YYYY-MM-DD (or ISO 8601 timestamps)",
        )

    if offset.all():
        return _local_days(parsed, timezone)
    return parsed.astype("datetime64[ns]").dt.normalize()


def _parse_first_fitting(text: pd.Series, *, utc: bool) -> tuple[pd.Series, np.ndarray]:
    """Parse with the first format that reads every value, else the closest one."""
    best: tuple[pd.Series, np.ndarray] | None = None
    for date_format in DATE_FORMATS[:1] if utc else DATE_FORMATS:
        parsed = pd.to_datetime(text, errors="coerce", format=date_format, utc=utc)
        bad = parsed.isna().to_numpy()
        if not bad.any():
            return parsed, bad
        if best is None or bad.sum() < best[1].sum():
            best = (parsed, bad)
    assert best is not None
    return best


def _local_days(stamps: pd.Series, timezone: str) -> pd.Series:
    # A timestamp belongs to the calendar day it falls on in the business time zone.
    local = stamps.dt.tz_convert(timezone).dt.tz_localize(None)
    return local.astype("datetime64[ns]").dt.normalize()


def parse_amounts(
    raw: pd.Series, column: str, labels: RowLabels, *, required: bool
) -> pd.Series:
    """Float amounts; text that is not a number is an error, blanks only if allowed."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        raise fail(
            column,
            "the values are true/false, not amounts",
            np.arange(len(raw)),
            labels,
            "map a numeric column",
        )
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.astype("float64")
    else:
        text = raw.astype("str").str.strip()
        blank = raw.isna() | (text == "")
        values = pd.to_numeric(text.where(~blank), errors="coerce").astype("float64")
        bad = (values.isna() & ~blank).to_numpy()
        if bad.any():
            first = text.iloc[int(np.flatnonzero(bad)[0])]
            raise fail(
                column,
                f"{first!r} is not a number",
                np.flatnonzero(bad),
                labels,
                "amounts must be plain numbers such as 1234.50 (no currency signs "
                "or thousands separators)",
            )

    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        raise fail(
            column,
            "the amount is infinite",
            np.flatnonzero(infinite),
            labels,
            "fix the value in the source",
        )
    if required and values.isna().any():
        raise fail(
            column,
            "the amount is empty",
            np.flatnonzero(values.isna().to_numpy()),
            labels,
            "every order line needs its net amount (0 is allowed)",
        )
    return values


def parse_ids(raw: pd.Series, column: str, labels: RowLabels) -> pd.Series:
    """Identifiers as text; an empty identifier is an error."""
    text = raw.astype("str").str.strip()
    empty = (raw.isna() | (text == "")).to_numpy()
    if empty.any():
        raise fail(
            column,
            "the identifier is empty",
            np.flatnonzero(empty),
            labels,
            "every order line needs it",
        )
    return text


def parse_dimension(raw: pd.Series) -> pd.Series:
    """Dimension values as text; a blank value becomes ``(none)``."""
    text = raw.astype("str").str.strip()
    return text.where(raw.notna() & (text != ""), MISSING_DIMENSION)


def check_unique_lines(raw: pd.Series, column: str, labels: RowLabels) -> None:
    """Raise when two order lines share a line identifier."""
    duplicated = raw.duplicated(keep=False).to_numpy()
    if duplicated.any():
        first = raw.iloc[int(np.flatnonzero(duplicated)[0])]
        raise fail(
            column,
            f"order line {first!r} appears more than once",
            np.flatnonzero(duplicated),
            labels,
            "remove the duplicate lines from the source (or fix their identifiers)",
        )


def check_orders_consistent(
    orders: pd.DataFrame, columns: Sequence[tuple[str, str]], labels: RowLabels
) -> None:
    """Raise when one order's lines disagree on a field that belongs to the order.

    ``columns`` pairs each schema field with its source column name for messages.
    """
    for field, column in columns:
        per_order = orders.groupby("order_id", sort=False)[field].transform("nunique")
        bad = (per_order > 1).to_numpy()
        if bad.any():
            order = orders["order_id"].iloc[int(np.flatnonzero(bad)[0])]
            raise fail(
                column,
                f"order {order!r} has lines with different values",
                np.flatnonzero(bad),
                labels,
                "an order has one date and one customer: fix those lines",
            )
