"""The comparison's control and report as the Forecast page lays them out."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from web.archive import NO_COMPARISON, ArchivedOrigin
from web.comparison import (
    NOT_ARCHIVED,
    Compared,
    choose_origin,
    compare_control,
    comparison_report,
)

JULY = ArchivedOrigin(
    origin=dt.date(2017, 7, 1),
    made_at=pd.Timestamp("2017-07-01T05:00", tz="UTC"),
    data_through=dt.date(2017, 6, 30),
    complete=5,
)
NO_ACTUALS = pd.DataFrame({"date": [], "actual": [], "partial": []})


def test_the_control_is_hidden_without_an_earlier_forecast() -> None:
    # Bootstrap's d-flex carries !important, so only its d-none class can hide it.
    hidden = compare_control(Compared(), "month")
    shown = compare_control(Compared([JULY], JULY), "month")

    assert hidden.to_plotly_json()["props"]["className"] == "d-none"
    assert shown.to_plotly_json()["props"]["className"].startswith("d-flex")
    dropdown = shown.children[1]
    assert dropdown.value == "2017-07-01"
    assert [option["value"] for option in dropdown.options] == ["2017-07-01"]


def test_the_report_says_why_there_is_nothing_to_compare() -> None:
    stored = comparison_report(NO_ACTUALS, pd.DataFrame(), None, "revenue", "month")
    selection = comparison_report(
        NO_ACTUALS, pd.DataFrame(), None, "revenue", "month", archived=False
    )

    assert stored.children[0].children == NO_COMPARISON
    assert selection.children[0].children == NOT_ARCHIVED


def test_an_origin_the_url_asks_for_is_chosen_else_the_default_with_a_note() -> None:
    notes: list[str] = []

    asked = choose_origin([JULY], dt.date(2017, 7, 1), "month", notes)
    unknown = choose_origin([JULY], dt.date(2016, 1, 1), "month", notes)

    assert asked.vs == unknown.vs == "2017-07-01"
    assert notes == [
        "Ignored vs='2016-01-01': no earlier forecast of this series starts then; "
        "showing the one made for July 2017 onwards."
    ]
