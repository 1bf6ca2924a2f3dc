"""Numbers and names as the pages write them, in the unit each KPI declares.

Python-side text (cards, tables) uses these; charts take the catalogue's own d3
format for hover labels (:func:`hover_format`) and a compact one for axes.
"""

from __future__ import annotations

import math

from kpi import CATALOGUE

NO_VALUE = "–"

# Axes are narrow: compact formats such as $200k, 1.2k and 12%.
_AXIS = {
    "currency": "$~s",
    "per_customer": "$~s",
    "count": "~s",
    "ratio": ".0%",
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


def format_kpi(value: float | None, kpi: str) -> str:
    """Write ``value`` in the unit the catalogue declares for ``kpi``."""
    return format_value(value, CATALOGUE[kpi].unit)


def format_change(value: float | None, unit: str = "") -> str:
    """A relative change such as ``+12.5%``, or for a ``ratio`` the difference in
    percentage points such as ``-0.7 pt``; no base gives a dash."""
    if value is None or not math.isfinite(value):
        return NO_VALUE
    if unit == "ratio":
        return f"{value * 100:+.1f} pt"
    return f"{value:+.1%}"


def hover_format(kpi: str) -> str:
    """The d3 format of ``kpi``'s hover labels: the catalogue's ``number_format``."""
    return CATALOGUE[kpi].number_format


def axis_format(kpi: str) -> str:
    """A compact d3 format for ``kpi``'s axis ticks, so labels never clip."""
    return _AXIS.get(CATALOGUE[kpi].unit, "~s")


def dimension_label(name: str) -> str:
    """``region`` as a heading: ``Region``."""
    return name.replace("_", " ").capitalize()


def plural(name: str) -> str:
    """The plural of a dimension name: regions, categories, segments, classes."""
    words = name.replace("_", " ")
    if words.endswith("y") and words[-2:-1] not in tuple("aeiou"):
        return words[:-1] + "ies"
    if words.endswith(("s", "x", "ch", "sh")):
        return words + "es"
    return words + "s"
