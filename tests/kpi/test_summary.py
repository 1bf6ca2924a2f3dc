"""Summary rows on the hand-made lines of conftest.py, values worked out by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from kpi import CATALOGUE, Selection
from kpi.report import Report


def sel(start: str, end: str, **filters: list[str]) -> Selection:
    return Selection.build(
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end),
        filters=filters,
    )


def test_summary_has_one_row_per_kpi_in_catalogue_order(handmade: Report):
    summary = handmade.summary(Selection())

    assert list(summary.index) == list(CATALOGUE)
    assert list(summary.columns) == ["value", "previous", "change", "year_ago", "yoy"]


def test_partial_month_is_compared_with_the_same_days_before(handmade: Report):
    # Data runs through Apr 20: April 1-20 (A 60 + D 10) against March 1-20 (B 40)
    # and April 1-20 2023 (E 30). The data starts on 2023-04-17, inside that
    # year-ago range, so its change is not given: April 1-16 2023 is unknown.
    summary = handmade.summary(sel("2024-04-01", "2024-04-30"))

    revenue = summary.loc["revenue"]
    assert revenue["value"] == 70.0
    assert revenue["previous"] == 40.0
    assert revenue["change"] == pytest.approx(0.75)
    assert revenue["year_ago"] == 30.0
    assert math.isnan(revenue["yoy"])

    value = summary["value"]
    assert value["orders"] == 2
    assert value["items"] == 4
    assert value["aov"] == 35.0
    assert value["profit"] == 15.0  # D's line has no known profit
    assert value["margin"] == pytest.approx(15 / 60)
    assert value["active_customers"] == 2
    assert value["new_customers"] == 1  # D
    assert value["returning_customers"] == 1  # A, back after a gap
    assert value["returning_rate"] == 0.5
    assert value["revenue_per_customer"] == 35.0
    # March 1-20 had B only, who did not come back in April 1-20.
    assert value["churn"] == 1.0
    # The previous range's own base (February 1-20) had nobody: no value.
    assert math.isnan(summary.loc["churn", "previous"])


def test_leap_month_is_compared_with_the_whole_previous_month(handmade: Report):
    summary = handmade.summary(sel("2024-02-01", "2024-02-29"))

    assert summary.loc["revenue", "value"] == 200.0
    assert summary.loc["revenue", "previous"] == 200.0  # all of January
    assert summary.loc["revenue", "change"] == 0.0
    # February 2023 has no orders: a zero base is no value, never inf.
    assert summary.loc["revenue", "year_ago"] == 0.0
    assert math.isnan(summary.loc["revenue", "yoy"])
    # January's customers A and B did not order in February.
    assert summary.loc["churn", "value"] == 1.0
    assert summary.loc["new_customers", "value"] == 1.0


def test_leap_day_alone_is_compared_with_the_day_before(handmade: Report):
    summary = handmade.summary(sel("2024-02-29", "2024-02-29"))

    assert summary.loc["revenue", "value"] == 200.0
    assert summary.loc["revenue", "previous"] == 0.0
    assert math.isnan(summary.loc["revenue", "change"])


def test_two_orders_on_one_date_count_twice(handmade: Report):
    value = handmade.summary(sel("2024-01-10", "2024-01-10"))["value"]

    assert value["orders"] == 2
    assert value["active_customers"] == 2
    assert value["revenue"] == 230.0
    assert value["aov"] == 115.0
    assert value["items"] == 4


def test_refund_lowers_revenue_and_zero_base_gives_no_value(handmade: Report):
    summary = handmade.summary(sel("2024-01-01", "2024-01-31"))
    value = summary["value"]

    # 100 + 50 + 80 - 30; the refund o3 is an order of its own.
    assert value["revenue"] == 200.0
    assert value["orders"] == 3
    assert value["aov"] == pytest.approx(200 / 3)
    assert value["profit"] == 30.0
    assert value["margin"] == pytest.approx(0.15)
    assert value["items"] == 3
    # December 2023 had no orders.
    assert summary.loc["revenue", "previous"] == 0.0
    assert summary["change"].isna().all()
    assert not summary.isin([math.inf, -math.inf]).any().any()


def test_range_of_days_is_compared_with_as_many_days_before(handmade: Report):
    # Jan 21 - Mar 5 is 45 days; the 45 days before are Dec 7 - Jan 20.
    summary = handmade.summary(sel("2024-01-21", "2024-03-05"))

    assert summary.loc["revenue", "value"] == 240.0
    assert summary.loc["revenue", "previous"] == 200.0
    assert summary.loc["revenue", "change"] == pytest.approx(0.2)


def test_filter_matching_nothing_gives_zeros_and_no_values(handmade: Report):
    for filters in ({"region": ["Nowhere"]}, {"channel": ["web"]}):
        summary = handmade.summary(Selection.build(filters=filters))
        value = summary["value"]

        for additive in ("revenue", "orders", "items", "profit", "active_customers"):
            assert value[additive] == 0.0
        for ratio in ("aov", "margin", "returning_rate", "churn", "cmgr"):
            assert math.isnan(value[ratio])


def test_multi_value_filter_counts_distinct_orders_and_customers(handmade: Report):
    both = handmade.summary(sel("2024-01-01", "2024-01-31", category=["X", "Y"]))
    only_x = handmade.summary(sel("2024-01-01", "2024-01-31", category=["X"]))
    only_y = handmade.summary(sel("2024-01-01", "2024-01-31", category=["Y"]))

    # o1 has lines in X and Y: per-category counts would add up to 4 orders and
    # 3 customers.
    assert both.loc["orders", "value"] == 3
    assert both.loc["active_customers", "value"] == 2
    assert only_x.loc["orders", "value"] == 3
    assert only_y.loc["orders", "value"] == 1
    assert only_x.loc["revenue", "value"] == 150.0
    assert only_y.loc["revenue", "value"] == 50.0


def test_new_customers_follow_the_first_order_ever(handmade: Report):
    february_y = handmade.summary(sel("2024-02-01", "2024-02-29", category=["Y"]))
    march_s = handmade.summary(sel("2024-03-01", "2024-03-31", region=["S"]))

    assert february_y.loc["new_customers", "value"] == 1  # C
    # B first ordered in January: returning in March.
    assert march_s.loc["new_customers", "value"] == 0
    assert march_s.loc["returning_customers", "value"] == 1


def test_compound_monthly_growth_uses_complete_months(handmade: Report):
    summary = handmade.summary(sel("2024-01-01", "2024-03-31"))

    # January 200 to March 40 over two steps: (40 / 200) ** (1 / 2) - 1.
    assert summary.loc["cmgr", "value"] == pytest.approx(0.2**0.5 - 1)


def test_range_after_the_data_gives_zeros(handmade: Report):
    summary = handmade.summary(sel("2025-01-01", "2025-02-01"))

    assert summary.loc["revenue", "value"] == 0.0
    assert summary.loc["orders", "value"] == 0.0
    assert math.isnan(summary.loc["aov", "value"])


def test_comparison_ranges_name_the_days_compared(handmade: Report):
    ranges = handmade.comparison_ranges(sel("2024-04-01", "2024-04-30"))

    # Data through Apr 20: the same 20 days of March and of April 2023.
    assert ranges == {
        "current": (dt.date(2024, 4, 1), dt.date(2024, 4, 20)),
        "previous": (dt.date(2024, 3, 1), dt.date(2024, 3, 20)),
        "year_ago": (dt.date(2023, 4, 1), dt.date(2023, 4, 20)),
    }


def test_a_year_of_whole_months_is_compared_with_the_year_before(handmade: Report):
    ranges = handmade.comparison_ranges(sel("2023-01-01", "2023-12-31"))

    assert ranges["previous"] == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert ranges["year_ago"] == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))


def test_a_range_before_the_data_starts_gives_no_change(handmade: Report):
    # The data starts on 2023-04-17. May-December 2023 (no orders) is compared with
    # September 2022 - April 2023, which the data covers only from April 17 (E's 30),
    # and with May-December 2022, before any data: neither change is given.
    early = handmade.summary(sel("2023-05-01", "2023-12-31"))

    assert early.loc["revenue", "previous"] == 30.0
    assert early["change"].isna().all()
    assert early["yoy"].isna().all()


def test_a_ratio_changes_by_its_difference(handmade: Report):
    # April 1-20: margin 15 / 60 = 0.25 (D's line has no known profit and is left
    # out); March 1-20: 8 / 40 = 0.20. The change is 0.05 (5 points), not +25%.
    # Revenue, an amount, still changes relatively: 70 against 40 is +75%.
    summary = handmade.summary(sel("2024-04-01", "2024-04-30"))

    assert summary.loc["margin", "value"] == pytest.approx(0.25)
    assert summary.loc["margin", "previous"] == pytest.approx(0.20)
    assert summary.loc["margin", "change"] == pytest.approx(0.05)
    assert summary.loc["revenue", "change"] == pytest.approx(0.75)
