"""The reference figures of shared/data/README.md, reproduced to the cent."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi import KpiCube, Selection

YEAR_2017 = Selection.build(start=dt.date(2017, 1, 1), end=dt.date(2017, 12, 31))


def test_revenue_orders_customers_of_2017_match_the_reference(sample_cube: KpiCube):
    summary = sample_cube.summary(YEAR_2017)["value"]

    assert round(summary["revenue"], 2) == 733_215.26
    assert summary["orders"] == 1_687
    assert summary["active_customers"] == 693
    assert round(summary["aov"], 2) == 434.63


def test_all_time_figures_match_the_reference(sample_cube: KpiCube):
    summary = sample_cube.summary(Selection())["value"]

    assert round(summary["revenue"], 2) == 2_297_200.86
    assert round(summary["profit"], 2) == 286_397.02
    assert summary["orders"] == 5_009
    assert summary["active_customers"] == 793
    # Every customer's first order falls inside "all time".
    assert summary["new_customers"] == 793


def test_cube_knows_the_sample_calendar_and_dimensions(sample_cube: KpiCube):
    assert sample_cube.first_day == dt.date(2014, 1, 3)
    assert sample_cube.last_day == dt.date(2017, 12, 30)
    assert sample_cube.as_of == dt.date(2017, 12, 30)
    assert sample_cube.dimensions["region"] == ("Central", "East", "South", "West")
    assert sample_cube.dimensions["segment"] == ("Consumer", "Corporate", "Home Office")


def test_monthly_series_of_2017_adds_up_to_the_year(sample_cube: KpiCube):
    series = sample_cube.series(YEAR_2017)

    assert len(series) == 12
    assert series["revenue"].sum() == pytest.approx(733_215.26, abs=0.005)
    assert series["orders"].sum() == 1_687
    # The data runs through 2017-12-30, so December is the one unfinished month.
    assert series["partial"].tolist() == [False] * 11 + [True]


def test_weekly_and_daily_series_add_up_to_the_year(sample_cube: KpiCube):
    for grain in ("week", "day"):
        sel = Selection.build(
            start=dt.date(2017, 1, 1), end=dt.date(2017, 12, 31), grain=grain
        )
        series = sample_cube.series(sel)

        assert series["revenue"].sum() == pytest.approx(733_215.26, abs=0.005)
        assert series["orders"].sum() == 1_687
