"""The chart builders: catalogue hover formats, compact axes, themes, partial marks."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pandas as pd
import pytest

from web.figures import (
    PARTIAL,
    build_cohort_figure,
    build_contribution_figure,
    build_forecast_figure,
    build_sparkline,
    build_trend_figure,
    templates_json,
)


def values(array: Any) -> list:
    """A figure array as a list, decoding plotly's base64 typed arrays."""
    if isinstance(array, dict):
        flat = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        shape = array.get("shape")
        if shape:
            flat = flat.reshape([int(n) for n in str(shape).split(",")])
        return flat.tolist()
    return list(array)


def month_series() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.to_datetime(["2017-10-01", "2017-11-01", "2017-12-01"]),
            "partial": [False, False, True],
            "revenue": [77776.92, 118447.82, 83829.32],
        }
    )


def test_trend_hover_uses_the_catalogue_format_and_the_axis_a_compact_one() -> None:
    figure = build_trend_figure(month_series(), "revenue")

    assert figure["layout"]["yaxis"]["tickformat"] == "$~s"
    assert {t["hovertemplate"] for t in figure["data"]} == {"%{y:$,.2f}"}


def test_trend_marks_the_partial_period_apart() -> None:
    figure = build_trend_figure(month_series(), "revenue")
    complete, partial = figure["data"]

    assert len(complete["x"]) == 2
    assert values(partial["y"]) == [83829.32]
    assert partial["marker"]["color"] == PARTIAL


def test_figures_carry_their_theme_template() -> None:
    dark = build_trend_figure(month_series(), "revenue", theme="dark")
    light = build_trend_figure(month_series(), "revenue", theme="unknown")

    assert dark["layout"]["template"] == templates_json()["dark"]
    assert light["layout"]["template"]["layout"]["font"]["color"] == "#212529"


def test_sparkline_draws_the_partial_period_as_a_grey_dot() -> None:
    series = month_series()
    figure = build_sparkline(series["revenue"], series["partial"])

    line, dot = figure["data"]
    drawn = values(line["y"])  # float32: about seven significant digits
    assert drawn[:2] == pytest.approx([77776.92, 118447.82], rel=1e-6)
    assert np.isnan(drawn[2])
    assert dot["x"] == [2] and dot["y"] == [83829.32]
    assert dot["marker"]["color"] == PARTIAL


def test_contributions_keep_the_engine_order_and_colour_by_direction() -> None:
    changes = pd.DataFrame(
        {"previous": [187480.18, 147429.38], "current": [250128.37, 147098.13]},
        index=pd.Index(["West", "Central"], name="region"),
    )
    changes["change"] = changes["current"] - changes["previous"]

    figure = build_contribution_figure(changes, "revenue", "region")
    (bars,) = figure["data"]

    assert list(bars["y"]) == ["West", "Central"]
    assert bars["marker"]["color"][0] != bars["marker"]["color"][1]


def test_cohort_grid_names_each_size_and_leaves_out_empty_months() -> None:
    cohorts = pd.DataFrame(
        {
            "cohort": pd.to_datetime(["2017-01-01"] * 2 + ["2017-02-01"]),
            "months_since": [0, 1, 0],
            "customers": [4, 1, 0],
            "cohort_size": [4, 4, 0],
            "share": [1.0, 0.25, float("nan")],
        }
    )

    (grid,) = build_cohort_figure(cohorts)["data"]

    # January's four starters label its row; February had none and has no row.
    assert list(grid["y"]) == ["2017-01 (4)"]
    assert values(grid["z"]) == [[1.0, 0.25]]


def test_an_earlier_forecast_is_dotted_and_its_misses_are_marked() -> None:
    months = pd.date_range("2017-07-01", periods=6, freq="MS")
    actuals = pd.DataFrame(
        {
            "date": months,
            "actual": [10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
            "partial": [False] * 5 + [True],
            "outside": [False, True, False, False, False, False],
            "outside80": [False, False, False, True, True, False],
        }
    )
    band = {"lo80": 9.0, "hi80": 12.0, "lo95": 8.0, "hi95": 13.0}
    earlier = pd.DataFrame({"date": months, "forecast": 10.5, **band})
    future = pd.DataFrame({"date": months[-1:], "forecast": 15.5, **band})

    figure = build_forecast_figure(
        actuals,
        future,
        "revenue",
        now=pd.Timestamp("2017-12-30").date(),
        earlier=earlier,
        earlier_name="forecast from July 2017",
    )
    traces = {t.get("name"): t for t in figure["data"]}

    assert traces["forecast from July 2017"]["line"]["dash"] == "dot"
    assert traces["forecast"]["line"]["dash"] == "dash"
    assert {"its 80% interval", "its 95% interval"} <= set(traces)
    crosses = traces["outside its 95% band"]
    assert (values(crosses["x"]), values(crosses["y"])) == (["2017-08-01"], [11.0])
    assert crosses["marker"]["symbol"] == "x"
    rings = traces["outside its 80% band"]
    assert values(rings["x"]) == ["2017-10-01", "2017-11-01"]
    assert rings["marker"]["symbol"] == "circle-open"


def test_without_an_earlier_forecast_nothing_is_marked() -> None:
    months = pd.date_range("2017-10-01", periods=3, freq="MS")
    actuals = pd.DataFrame(
        {
            "date": months,
            "actual": [1.0, 2.0, 3.0],
            "partial": [False, False, True],
            "outside": False,
        }
    )
    future = pd.DataFrame(
        {"date": months[-1:], "forecast": 3.0, "lo80": 2.0, "hi80": 4.0}
        | {"lo95": 1.0, "hi95": 5.0}
    )

    figure = build_forecast_figure(actuals, future, "orders", now=months[-1].date())

    names = [t.get("name") for t in figure["data"]]
    assert "outside its 95% band" not in names
    assert not any("its 80%" in str(name) for name in names)
