"""Breakdown, contributions and cohorts on the hand-made lines of conftest.py."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from kpi import Selection
from kpi.report import Report

FROM_2024 = Selection.build(start=dt.date(2024, 1, 1))


def test_breakdown_by_region(handmade: Report):
    table = handmade.breakdown(FROM_2024, "region")

    assert list(table.index) == ["N", "S"]
    # N: 100 + 50 - 30 + 60 + 10; profit 30 + 10 - 30 + 15 over the revenue of the
    # lines with known profit (all but D's 10).
    assert table.loc["N", "revenue"] == 190.0
    assert table.loc["N", "profit"] == 25.0
    assert table.loc["N", "margin"] == pytest.approx(25 / 180)
    assert table.loc["N", "orders"] == 4
    assert table.loc["N", "active_customers"] == 2
    assert table.loc["S", "revenue"] == 320.0
    assert table.loc["S", "margin"] == pytest.approx(78 / 320)
    assert table["share"].tolist() == pytest.approx([190 / 510, 320 / 510])


def test_breakdown_keeps_only_the_filtered_values(handmade: Report):
    selection = Selection.build(start=dt.date(2024, 1, 1), filters={"region": ["S"]})

    table = handmade.breakdown(selection, "region")

    assert list(table.index) == ["S"]
    assert table.loc["S", "share"] == 1.0


def test_breakdown_of_an_empty_selection_has_zeros(handmade: Report):
    selection = Selection.build(filters={"category": ["Nothing"]})

    table = handmade.breakdown(selection, "region")

    assert table["revenue"].tolist() == [0.0, 0.0]
    assert table["share"].isna().all()


def test_contributions_split_the_change_largest_first(handmade: Report):
    march = Selection.build(start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31))

    table = handmade.contributions(march, "revenue", "region")

    # S went from February's 200 to March's 40; N had nothing in either.
    assert list(table.index) == ["S", "N"]
    assert table.loc["S", "previous"] == 200.0
    assert table.loc["S", "current"] == 40.0
    assert table.loc["S", "change"] == -160.0
    assert table["share_of_change"].tolist() == [1.0, 0.0]


def test_order_contributions_of_a_partial_month(handmade: Report):
    april = Selection.build(start=dt.date(2024, 4, 1), end=dt.date(2024, 4, 30))

    table = handmade.contributions(april, "orders", "category")

    # April 1-20: o6, o7 in X; March 1-20: o5 in X.
    assert table.loc["X", "change"] == 1.0
    assert table.loc["Y", "change"] == 0.0


def test_contributions_refuse_a_ratio_and_an_unknown_dimension(handmade: Report):
    with pytest.raises(ValueError, match="'margin' is not additive"):
        handmade.contributions(FROM_2024, "margin", "region")
    with pytest.raises(ValueError, match="dimension 'channel' is unknown"):
        handmade.breakdown(FROM_2024, "channel")


def test_cohort_grid_follows_each_first_month(handmade: Report):
    grid = handmade.cohorts(FROM_2024)
    cells = {
        (row.cohort.strftime("%Y-%m"), row.months_since): row
        for row in grid.itertuples()
    }

    assert len(grid) == 4 + 3 + 2 + 1
    # January: A and B; B is back in March, A in April.
    assert [cells[("2024-01", m)].customers for m in range(4)] == [2, 0, 1, 1]
    assert [cells[("2024-01", m)].share for m in range(4)] == [1.0, 0.0, 0.5, 0.5]
    assert cells[("2024-02", 0)].cohort_size == 1  # C
    assert cells[("2024-04", 0)].customers == 1  # D
    # Nobody's first order was in March.
    assert cells[("2024-03", 0)].cohort_size == 0
    assert math.isnan(cells[("2024-03", 0)].share)


def test_cohorts_within_a_filter(handmade: Report):
    selection = Selection.build(start=dt.date(2024, 1, 1), filters={"category": ["Y"]})

    grid = handmade.cohorts(selection)
    sizes = grid[grid["months_since"] == 0].set_index("cohort")["cohort_size"]

    # A bought Y in January (and only X later), C in February; D never bought Y.
    assert sizes.tolist() == [1, 1, 0, 0]
    assert grid[(grid["months_since"] > 0)]["customers"].sum() == 0
