"""Series per period on the hand-made lines of conftest.py, values worked by hand."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from kpi import Selection
from kpi.catalogue import PERIOD_KPIS
from kpi.report import Report

NAN = float("nan")


def sel(start: str, end: str | None = None, grain: str = "month", **filters):
    return Selection.build(
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end) if end else None,
        filters=filters,
        grain=grain,
    )


def values(series: pd.DataFrame, column: str) -> list[float]:
    return [round(v, 6) if not math.isnan(v) else v for v in series[column]]


def same(actual: list[float], expected: list[float]) -> bool:
    return all(
        (math.isnan(a) and math.isnan(e)) or a == pytest.approx(e)
        for a, e in zip(actual, expected, strict=True)
    )


def test_monthly_series_marks_the_unfinished_month(handmade: Report):
    series = handmade.series(sel("2024-01-01"))

    assert series["period"].tolist() == list(
        pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
    )
    assert series["partial"].tolist() == [False, False, False, True]
    assert values(series, "revenue") == [200.0, 200.0, 40.0, 70.0]
    assert values(series, "orders") == [3.0, 1.0, 1.0, 2.0]
    assert values(series, "active_customers") == [2.0, 1.0, 1.0, 2.0]
    assert values(series, "new_customers") == [2.0, 1.0, 0.0, 1.0]
    assert values(series, "returning_customers") == [0.0, 0.0, 1.0, 1.0]
    # December 2023 had nobody; each later month lost every previous customer.
    assert same(values(series, "churn"), [NAN, 1.0, 1.0, 1.0])


def test_monthly_growth_compares_a_partial_month_with_the_same_days(handmade: Report):
    series = handmade.series(sel("2024-01-01"))

    # April 1-20 (70) against March 1-20 (40) and April 1-20 2023 (30).
    assert same(values(series, "revenue_pop"), [NAN, 0.0, -0.8, 0.75])
    assert same(values(series, "revenue_yoy"), [NAN, NAN, NAN, 40 / 30])
    assert same(values(series, "orders_pop"), [NAN, -2 / 3, 0.0, 1.0])


def test_series_has_a_growth_column_per_kpi(handmade: Report):
    series = handmade.series(sel("2024-01-01"))

    expected = ["period", "partial", *PERIOD_KPIS]
    expected += [f"{k}_pop" for k in PERIOD_KPIS] + [f"{k}_yoy" for k in PERIOD_KPIS]
    assert list(series.columns) == expected


def test_daily_series_around_the_leap_day(handmade: Report):
    series = handmade.series(sel("2024-02-28", "2024-03-01", grain="day"))

    assert values(series, "revenue") == [0.0, 200.0, 0.0]
    assert same(values(series, "revenue_pop"), [NAN, NAN, -1.0])
    assert series["partial"].tolist() == [False, False, False]


def test_daily_year_over_year_compares_the_same_weekday(handmade: Report):
    # Monday 2024-04-15 against Monday 2023-04-17, 364 days earlier (E's 30).
    series = handmade.series(sel("2024-04-15", "2024-04-15", grain="day"))

    assert values(series, "revenue") == [70.0]
    assert values(series, "revenue_yoy") == [round(40 / 30, 6)]


def test_weekly_series_starts_on_monday_and_marks_the_last_week(handmade: Report):
    series = handmade.series(sel("2024-04-08", "2024-04-30", grain="week"))

    assert series["period"].tolist() == list(
        pd.to_datetime(["2024-04-08", "2024-04-15"])
    )
    # Data through Saturday Apr 20, so the week of Apr 15 is unfinished.
    assert series["partial"].tolist() == [False, True]
    assert values(series, "revenue") == [0.0, 70.0]
    # Apr 15-20 against Apr 17-22 2023, 52 weeks earlier.
    assert same(values(series, "revenue_yoy"), [NAN, 40 / 30])


def test_filtered_series_counts_only_matching_lines(handmade: Report):
    series = handmade.series(sel("2024-01-01", region=["N"]))

    assert values(series, "revenue") == [120.0, 0.0, 0.0, 70.0]
    assert values(series, "orders") == [2.0, 0.0, 0.0, 2.0]
    assert same(values(series, "aov"), [60.0, NAN, NAN, 35.0])


def test_series_outside_the_data_is_empty(handmade: Report):
    series = handmade.series(sel("2025-01-01", "2025-03-01"))

    assert series.empty
    assert "revenue_pop" in series.columns
