"""The URL query string as the view: parsing, defaults, notices, round trips."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi import Selection
from web.state import View, default_range, encode_view, parse_search, parse_view

DIMENSIONS = {
    "region": ("Central", "East", "South", "West"),
    "category": ("Furniture", "Office Supplies", "Technology"),
    "segment": ("Consumer", "Corporate", "Home Office"),
}
FIRST, LAST = dt.date(2014, 1, 3), dt.date(2017, 12, 30)


def parse(search: str) -> View:
    return parse_view(
        parse_search(search), dimensions=DIMENSIONS, first_day=FIRST, last_day=LAST
    )


def test_full_query_is_read_into_a_selection() -> None:
    view = parse(
        "?start=2017-01-01&end=2017-12-31&region=West,East&region=South"
        "&category=Office%20Supplies&grain=week"
    )

    assert view.selection == Selection.build(
        start=dt.date(2017, 1, 1),
        end=dt.date(2017, 12, 31),
        filters={"region": ["East", "South", "West"], "category": ["Office Supplies"]},
        grain="week",
    )
    assert view.notices == ()


def test_no_query_gives_the_last_twelve_months_by_month() -> None:
    view = parse("")

    assert (view.selection.start, view.selection.end) == (dt.date(2017, 1, 1), LAST)
    assert view.selection.grain == "month"
    assert view.selection.filters == ()


@pytest.mark.parametrize(
    ("search", "notice"),
    [
        ("?start=2017-13-01", "Ignored start='2017-13-01': there is no such day."),
        ("?end=2017-02-30", "Ignored end='2017-02-30': there is no such day."),
        (
            "?start=01/02/2017",
            "Ignored start='01/02/2017': dates are written YYYY-MM-DD.",
        ),
        ("?grain=year", "Ignored grain='year': choose one of day, week, month."),
        ("?region=Atlantis", "Ignored region 'Atlantis': not in the data."),
        ("?colour=red", "Ignored the unknown parameter 'colour'."),
        (
            "?start=2017-05-01&end=2017-01-01",
            "The start 2017-05-01 is after the end 2017-01-01; "
            "showing the default range.",
        ),
        ("?horizon=7", "Ignored horizon='7': choose one of 3, 6, 12 months."),
        ("?vs=July", "Ignored vs='July': dates are written YYYY-MM-DD."),
        ("?vs=2017-06-31", "Ignored vs='2017-06-31': there is no such day."),
    ],
)
def test_bad_values_fall_back_with_a_notice(search: str, notice: str) -> None:
    view = parse(search)

    assert view.notices == (notice,)
    assert view.selection.grain == "month"


def test_only_the_bad_member_is_dropped() -> None:
    view = parse("?region=West,Atlantis")

    assert view.selection.filters == (("region", ("West",)),)


def test_encoding_reads_back_to_the_same_view() -> None:
    view = parse("?start=2016-02-29&end=2017-03-31&segment=Home%20Office&grain=day")

    again = parse(encode_view(view))

    assert again == view
    assert encode_view(view) == (
        "?start=2016-02-29&end=2017-03-31&segment=Home+Office&grain=day"
    )


def test_the_compared_forecast_travels_in_the_url() -> None:
    view = parse("?kpi=orders&vs=2017-07-01")

    assert view.vs == dt.date(2017, 7, 1)
    assert view.notices == ()
    assert encode_view(view) == "?start=2017-01-01&end=2017-12-30&grain=month" + (
        "&kpi=orders&vs=2017-07-01"
    )
    assert parse(encode_view(view)) == view


def test_default_range_crosses_a_year_boundary() -> None:
    assert default_range(dt.date(2017, 3, 15)) == (
        dt.date(2016, 4, 1),
        dt.date(2017, 3, 15),
    )
