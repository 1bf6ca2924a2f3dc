"""Random query strings through the view parser and through every page's layout."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from urllib.parse import parse_qs, urlencode

import dash
import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from kpi import CATALOGUE, GRAINS, KpiCube
from tests.dash_requests import fuzz, routing_body
from tests.hostile.conftest import LOGIN
from web.state import (
    DATE_MARGIN_YEARS,
    HORIZONS,
    VIEW_KEYS,
    QueryValue,
    View,
    encode_view,
    parse_view,
)

MEMBERS = ["Central", "East", "South", "West", "Furniture", "Technology", "Consumer"]
TRICKY = [
    "",
    " ",
    ",",
    ",,",
    "0",
    "-1",
    "1e309",
    "nan",
    "NaN",
    "None",
    "null",
    "true",
    "2017-02-30",
    "2017-13-01",
    "9999-12-31",
    "0001-01-01",
    "2017-1-1",
    "2017/01/01",
    "20170101",
    "2017-01-01T00:00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE orders; --",
    "%00",
    "\x00",
    "\u202e",
    "日本",
    "=1+1",
    "a" * 500,
]
KEYS = [*sorted(VIEW_KEYS), "region", "category", "segment", "utm_source", "__init__"]

raw_values = st.one_of(
    st.sampled_from(TRICKY + MEMBERS + list(GRAINS) + list(CATALOGUE)),
    st.dates().map(lambda d: d.isoformat()),
    st.text(max_size=30),
)
param_values = st.one_of(raw_values, st.lists(raw_values, min_size=1, max_size=4))
params = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=12)),
    param_values,
    max_size=8,
)


def view_of(cube: KpiCube, query: Mapping[str, QueryValue]) -> View:
    return parse_view(
        query,
        dimensions=cube.dimensions,
        first_day=cube.first_day,
        last_day=cube.last_day,
    )


@fuzz(2500)
@given(query=params)
def test_any_query_parses_into_a_usable_view(
    sample_cube: KpiCube, query: dict[str, str | list[str]]
) -> None:
    view = view_of(sample_cube, query)

    sel = view.selection
    assert sel.grain in GRAINS
    assert view.kpi in CATALOGUE
    assert view.horizon in (None, *HORIZONS)
    assert view.dim in (None, *sample_cube.dimensions)
    assert view.vs is None or isinstance(view.vs, dt.date)
    assert sel.start is not None and sel.end is not None
    assert sel.start <= sel.end
    assert sel.start.year >= sample_cube.first_day.year - DATE_MARGIN_YEARS
    assert sel.end.year <= sample_cube.last_day.year + DATE_MARGIN_YEARS
    for name, members in sel.filters:
        assert set(members) <= set(sample_cube.dimensions[name])
    # A good view survives the round trip through the URL unchanged.
    again = view_of(sample_cube, parse_qs(encode_view(view)[1:]))
    assert again.selection == sel
    assert again.vs == view.vs
    assert again.notices == ()


@fuzz(300)
# One value: a comma would split it in two, and a blank part is no value at all.
@given(
    grain=st.text(max_size=10).filter(
        lambda g: "," not in g and g.strip() not in (*GRAINS, "")
    )
)
def test_a_bad_grain_falls_back_to_month_with_a_notice(
    sample_cube: KpiCube, grain: str
) -> None:
    view = view_of(sample_cube, {"grain": grain})

    assert view.selection.grain == "month"
    assert any("grain=" in notice for notice in view.notices)


@fuzz(300)
@given(vs=st.text(max_size=12).filter(lambda v: "," not in v and v.strip()))
def test_a_vs_that_is_not_a_day_falls_back_with_a_notice(
    sample_cube: KpiCube, vs: str
) -> None:
    try:
        day: dt.date | None = dt.date.fromisoformat(vs.strip())
    except ValueError:
        day = None

    view = view_of(sample_cube, {"vs": vs})

    assert view.vs == day
    assert any("vs=" in notice for notice in view.notices) == (day is None)


def page_paths() -> list[str]:
    return sorted(page["relative_path"] for page in dash.page_registry.values())


searches = st.one_of(
    params.map(lambda q: "?" + urlencode(q, doseq=True)),
    st.text(max_size=60).map(lambda t: "?" + t),
    st.text(max_size=20),
)


@fuzz(60)
@given(data=st.data(), search=searches)
def test_every_page_renders_any_query_string(
    client: FlaskClient, sample_cube: KpiCube, data: st.DataObject, search: str
) -> None:
    path = data.draw(st.sampled_from(page_paths()), label="path")

    response = client.post(
        "/_dash-update-component", json=routing_body(path, search), headers=LOGIN
    )

    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    # Re-encoded, because the response escapes characters such as "<" as \u003c.
    text = json.dumps(response.get_json())
    assert "404 - Page not found" not in text
    # What was ignored is said on the page, in the words parse_view chose (for
    # plain parameter names: Dash's own parsing of odd ones is not ours to test).
    query = parse_qs(search[1:]) if search[:1] == "?" else {}
    if set(query) <= set(KEYS):
        for notice in view_of(sample_cube, query).notices:
            assert json.dumps(notice)[1:-1] in text


@pytest.mark.parametrize(
    "search",
    [
        "?end=0001100100",  # a lone end before the data: start came out after it
        "?horizon=%C2%B2",  # '²' is a digit to str.isdigit but not to int()
        "?start=0001-01-01&grain=week",  # year 0 in the previous-year comparison
        "?end=9999-12-31&grain=day",
    ],
)
def test_queries_the_fuzzer_found_render_the_overview(
    client: FlaskClient, search: str
) -> None:
    response = client.post(
        "/_dash-update-component", json=routing_body("/", search), headers=LOGIN
    )

    assert response.status_code == 200
    assert "card-revenue-value" in response.get_data(as_text=True)
