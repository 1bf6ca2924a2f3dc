"""Numbers and names as the pages write them: units, axes, hover labels, plurals."""

from __future__ import annotations

import pytest

from kpi import CATALOGUE
from web.formatting import (
    axis_format,
    dimension_label,
    format_change,
    format_kpi,
    hover_format,
    plural,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("region", "regions"),
        ("category", "categories"),
        ("segment", "segments"),
        ("class", "classes"),
        ("day", "days"),
        ("sales_channel", "sales channels"),
    ],
)
def test_plural_of_dimension_names(name: str, expected: str) -> None:
    assert plural(name) == expected


def test_dimension_label_capitalises_the_name() -> None:
    assert dimension_label("sales_channel") == "Sales channel"


def test_hover_format_is_the_catalogue_number_format() -> None:
    for name, spec in CATALOGUE.items():
        assert hover_format(name) == spec.number_format


@pytest.mark.parametrize(
    ("kpi", "expected"),
    [("revenue", "$~s"), ("aov", "$~s"), ("orders", "~s"), ("margin", ".0%")],
)
def test_axis_format_is_compact_in_the_kpi_unit(kpi: str, expected: str) -> None:
    assert axis_format(kpi) == expected


@pytest.mark.parametrize(
    ("value", "kpi", "text"),
    [
        (733215.255, "revenue", "$733,215.26"),
        (-331.25, "profit", "-$331.25"),
        (1687.0, "orders", "1,687"),
        (0.12744, "margin", "12.7%"),
        (float("nan"), "aov", "–"),
        (None, "churn", "–"),
    ],
)
def test_format_kpi_writes_the_catalogue_unit(
    value: float | None, kpi: str, text: str
) -> None:
    assert format_kpi(value, kpi) == text


def test_format_change_signs_and_dashes() -> None:
    assert format_change(0.2041) == "+20.4%"
    assert format_change(-0.05) == "-5.0%"
    assert format_change(float("inf")) == "–"
    # A ratio's change is its difference, written in percentage points.
    assert format_change(-0.0071, "ratio") == "-0.7 pt"
    assert format_change(0.05, "ratio") == "+5.0 pt"
    assert format_change(float("nan"), "ratio") == "–"
