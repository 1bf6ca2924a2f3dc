"""The view a user is looking at, as it travels in the URL's query string.

Parsing never fails: a value that cannot be used is dropped, the default stands in,
and a notice says what was ignored. Encoding is the exact inverse for good values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import parse_qs, urlencode

from kpi import CATALOGUE, GRAINS, Selection

DEFAULT_GRAIN = "month"
DEFAULT_KPI = "revenue"
HORIZONS = (3, 6, 12)
DATE_MARGIN_YEARS = 10  # how far before or after the data a date may reach
# Parameters that are read by some page and so never reported as unknown.
VIEW_KEYS = frozenset(
    {"start", "end", "grain", "kpi", "horizon", "series", "dim", "vs"}
)

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

QueryValue = str | Sequence[str]


@dataclasses.dataclass(frozen=True)
class View:
    """A parsed query string: the KPI selection plus page options and notices."""

    selection: Selection
    kpi: str = DEFAULT_KPI
    horizon: int | None = None
    series: str | None = None
    dim: str | None = None
    # The origin of the earlier forecast the Forecast page compares with.
    vs: dt.date | None = None
    notices: tuple[str, ...] = ()


def parse_search(search: str | None) -> dict[str, list[str]]:
    """Split ``?a=1&a=2`` into ``{"a": ["1", "2"]}``; anything unparsable is dropped."""
    return parse_qs((search or "").lstrip("?"), keep_blank_values=False)


def parse_view(
    params: Mapping[str, QueryValue],
    *,
    dimensions: Mapping[str, Sequence[str]],
    first_day: dt.date,
    last_day: dt.date,
) -> View:
    """Read a view from query parameters, falling back to defaults with notices."""
    notices: list[str] = []
    values = {key: _as_list(value) for key, value in params.items()}

    for key in sorted(set(values) - VIEW_KEYS - set(dimensions)):
        notices.append(f"Ignored the unknown parameter {key!r}.")

    start = _read_date(values, "start", notices)
    end = _read_date(values, "end", notices)
    if start is None and end is None:
        start, end = default_range(last_day)
    # Days far outside the data are pulled in, so the KPI maths never sees year 1.
    earliest = dt.date(first_day.year - DATE_MARGIN_YEARS, 1, 1)
    latest = dt.date(last_day.year + DATE_MARGIN_YEARS, 12, 31)
    start = min(max(start or first_day, earliest), latest)
    end = min(max(end or last_day, earliest), latest)
    if start > end:
        notices.append(
            f"The start {start.isoformat()} is after the end {end.isoformat()}; "
            "showing the default range."
        )
        start, end = default_range(last_day)

    grain = _read_choice(values, "grain", GRAINS, None, notices) or DEFAULT_GRAIN
    kpi = _read_choice(values, "kpi", tuple(CATALOGUE), None, notices) or DEFAULT_KPI
    filters = {
        name: _read_members(values, name, allowed, notices)
        for name, allowed in dimensions.items()
    }
    dim = _read_choice(values, "dim", tuple(dimensions), None, notices)
    vs = _read_date(values, "vs", notices)
    return View(
        selection=Selection.build(start=start, end=end, filters=filters, grain=grain),
        kpi=kpi,
        horizon=_read_horizon(values, notices),
        series=_first(values, "series"),
        dim=dim,
        vs=vs,
        notices=tuple(notices),
    )


def encode_view(view: View) -> str:
    """Return the query string (with its ``?``) that :func:`parse_view` reads back."""
    sel = view.selection
    pairs: list[tuple[str, str]] = []
    if sel.start:
        pairs.append(("start", sel.start.isoformat()))
    if sel.end:
        pairs.append(("end", sel.end.isoformat()))
    for name, members in sel.filters:
        pairs.append((name, ",".join(members)))
    pairs.append(("grain", sel.grain))
    if view.kpi != DEFAULT_KPI:
        pairs.append(("kpi", view.kpi))
    if view.horizon:
        pairs.append(("horizon", str(view.horizon)))
    if view.series:
        pairs.append(("series", view.series))
    if view.dim:
        pairs.append(("dim", view.dim))
    if view.vs:
        pairs.append(("vs", view.vs.isoformat()))
    return "?" + urlencode(pairs)


def default_range(last_day: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months: from the first of the month eleven months back."""
    month = last_day.month - 11
    year = last_day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1), last_day


def _as_list(value: QueryValue) -> list[str]:
    items: Iterable[str] = [value] if isinstance(value, str) else value
    return [part.strip() for item in items for part in str(item).split(",")]


def _first(values: Mapping[str, list[str]], key: str) -> str | None:
    present = [item for item in values.get(key, []) if item]
    return present[0] if present else None


def _read_date(
    values: Mapping[str, list[str]], key: str, notices: list[str]
) -> dt.date | None:
    raw = _first(values, key)
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        if _ISO_DAY.fullmatch(raw):
            notices.append(f"Ignored {key}={raw!r}: there is no such day.")
        else:
            notices.append(f"Ignored {key}={raw!r}: dates are written YYYY-MM-DD.")
        return None


def _read_choice(
    values: Mapping[str, list[str]],
    key: str,
    allowed: Sequence[str],
    default: str | None,
    notices: list[str],
) -> str | None:
    raw = _first(values, key)
    if raw is None:
        return default
    if raw in allowed:
        return raw
    notices.append(f"Ignored {key}={raw!r}: choose one of {', '.join(allowed)}.")
    return default


def _read_members(
    values: Mapping[str, list[str]],
    key: str,
    allowed: Sequence[str],
    notices: list[str],
) -> list[str]:
    members = [item for item in values.get(key, []) if item]
    unknown = [item for item in members if item not in allowed]
    if unknown:
        notices.append(
            f"Ignored {key} {', '.join(map(repr, unknown))}: not in the data."
        )
    return [item for item in members if item in allowed]


def _read_horizon(values: Mapping[str, list[str]], notices: list[str]) -> int | None:
    raw = _first(values, "horizon")
    if raw is None:
        return None
    if raw.isascii() and raw.isdigit() and int(raw) in HORIZONS:
        return int(raw)
    choices = ", ".join(map(str, HORIZONS))
    notices.append(f"Ignored horizon={raw!r}: choose one of {choices} months.")
    return None
