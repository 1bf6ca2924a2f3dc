"""Numbers as the pages write them, in the unit each KPI declares.

Python-side text (cards, tables) uses these; charts get the matching d3 format from
:func:`d3_format`, so a hover label and a card never disagree.
"""

from __future__ import annotations

import math

NO_VALUE = "–"

_D3 = {
    "currency": "$,.2f",
    "count": ",.0f",
    "ratio": ".1%",
    "per_customer": "$,.2f",
}


def format_value(value: float | None, unit: str) -> str:
    """Write ``value`` in ``unit``; a missing or infinite value is a dash."""
    if value is None or not math.isfinite(value):
        return NO_VALUE
    if unit in ("currency", "per_customer"):
        sign = "-" if value < 0 else ""
        return f"{sign}${abs(value):,.2f}"
    if unit == "ratio":
        return f"{value:.1%}"
    return f"{value:,.0f}"


def format_change(value: float | None) -> str:
    """A relative change such as ``+12.5%``; no base gives a dash."""
    if value is None or not math.isfinite(value):
        return NO_VALUE
    return f"{value:+.1%}"


def d3_format(unit: str) -> str:
    """The plotly (d3) format string of ``unit``."""
    return _D3.get(unit, ",.2f")
