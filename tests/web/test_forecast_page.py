"""The Forecast page against an earlier forecast, on the sample refreshed twice.

The expected misses are counted here from the snapshot's own frames: the archived
forecast's bands against the actuals the KPI engine computes, period by period.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from cache import Snapshot, load_snapshot, open_store
from config import Config
from kpi import KpiCube, Selection
from tests.conftest import SampleRefreshes
from tests.dash_requests import routing_body
from tests.hostile.conftest import LOGIN
from web.factory import create_app
from web.ondemand import EXTENSION_KEY as ONDEMAND_KEY

pytestmark = pytest.mark.integration

# The refresh as of 2017-06-30 (a complete June) forecast the months from July.
ORIGIN = pd.Timestamp("2017-07-01")


@pytest.fixture(scope="module")
def snapshot(sample_refreshes: SampleRefreshes) -> Snapshot:
    store = open_store(Config(memcache_servers=(sample_refreshes.memcached.address,)))
    try:
        return load_snapshot(store, sample_refreshes.second_id)
    finally:
        store.close()


@pytest.fixture(scope="module")
def client(sample_refreshes: SampleRefreshes) -> Iterator[FlaskClient]:
    config = Config(
        app_env="production",
        auth_users=f"ana:{generate_password_hash('pw', method='pbkdf2:sha256:1000')}",
        memcache_servers=(sample_refreshes.memcached.address,),
    )
    app = create_app(config)
    yield app.server.test_client()
    # The app's memcached connections, left open, would warn when collected.
    app.server.extensions[ONDEMAND_KEY].store.close()


def expected_misses(snapshot: Snapshot, key: str) -> pd.DataFrame:
    """Complete months of ``key``'s actuals against the July forecast's bands."""
    kpi, grain, scope = key.split("/")
    dimension, _, member = scope.partition("=")
    filters = {dimension: [member]} if member else {}
    series = KpiCube.from_frames(snapshot.frames).series(
        Selection.build(filters=filters, grain=grain)
    )
    actuals = series.loc[~series["partial"], ["period", kpi]]
    archive = snapshot.frames["forecast_archive"]
    forecast = archive[(archive["series_id"] == key) & (archive["origin"] == ORIGIN)]
    both = forecast.merge(actuals, left_on="date", right_on="period")
    both["out95"] = (both[kpi] < both["lo95"]) | (both[kpi] > both["hi95"])
    both["out80"] = (both[kpi] < both["lo80"]) | (both[kpi] > both["hi80"])
    return both


def page(client: FlaskClient, search: str) -> dict[str, Any]:
    response = client.post(
        "/_dash-update-component", json=routing_body("/forecast", search), headers=LOGIN
    )
    assert response.status_code == 200
    return response.get_json()


def find(node: Any, wanted: str | dict[str, str]) -> dict[str, Any]:
    """The component with id ``wanted`` in a Dash layout's JSON."""
    children: list[Any] = []
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == wanted:
            return node
        children = list(node.values())
    elif isinstance(node, list):
        children = node
    for child in children:
        found = find(child, wanted)
        if found:
            return found
    return {}


def text(node: Any) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return " ".join(text(child) for child in node)
    if isinstance(node, dict):
        return text(node.get("props", {}).get("children", ""))
    return ""


def monthly_series_with_a_miss(snapshot: Snapshot) -> str:
    """The first monthly series whose July forecast missed a month's 95% band."""
    archive = snapshot.frames["forecast_archive"]
    keys = archive.loc[archive["origin"] == ORIGIN, "series_id"].drop_duplicates()
    for key in sorted(keys):
        if expected_misses(snapshot, key)["out95"].any():
            return key
    raise AssertionError("no July forecast of the sample missed its 95% band")


def search_of(key: str) -> str:
    kpi, _, scope = key.split("/")
    return f"?kpi={kpi}&series={scope.replace('=', '%3D')}"


def test_the_page_marks_exactly_the_actuals_outside_the_archived_band(
    snapshot: Snapshot, client: FlaskClient
) -> None:
    key = monthly_series_with_a_miss(snapshot)
    expected = expected_misses(snapshot, key)

    layout = page(client, search_of(key))
    figure = find(layout, {"type": "chart", "name": "forecast"})["props"]["figure"]
    traces = {trace.get("name"): trace for trace in figure["data"]}

    crosses = traces["outside its 95% band"]
    want = expected.loc[expected["out95"], "date"].dt.strftime("%Y-%m-%d")
    assert crosses["x"] == list(want)
    assert traces["forecast from July 2017"]["line"]["dash"] == "dot"
    # Jul-Nov 2017 are complete; December (data through the 30th) is not scored.
    assert len(expected) == 5
    sentence = text(find(layout, "forecast-comparison-sentence"))
    inside80 = int((~expected["out80"]).sum())
    inside95 = int((~expected["out95"]).sum())
    assert sentence.startswith(
        f"The forecast made for July 2017 onwards: {inside80} of 5 complete months "
        f"inside its 80% band, {inside95} of 5 inside its 95% band; "
        f"{5 - inside95} outside it (marked ×)"
    )
    rows = find(layout, "forecast-comparison-table")["props"]["children"][1]
    assert len(rows["props"]["children"]) == 5


def test_the_compare_control_offers_the_earlier_forecast(
    client: FlaskClient,
) -> None:
    layout = page(client, "?kpi=revenue")

    dropdown = find(layout, "forecast-vs")["props"]
    assert dropdown["value"] == "2017-07-01"
    assert [o["value"] for o in dropdown["options"]] == ["2017-07-01"]
    assert dropdown["options"][0]["label"].startswith(
        "July 2017 onwards (made 20"
    ) and dropdown["options"][0]["label"].endswith("data through 2017-06-30)")


def test_weeks_compare_with_the_week_the_first_refresh_left_unfinished(
    client: FlaskClient,
) -> None:
    layout = page(client, "?kpi=orders&grain=week")

    # 2017-06-30 was a Friday: its week, from Monday 26 June, was the first forecast.
    assert find(layout, "forecast-vs")["props"]["value"] == "2017-06-26"
    assert text(find(layout, "forecast-comparison-sentence")).startswith(
        "The forecast made for the week of 26 June 2017 onwards: "
    )


@pytest.mark.parametrize(
    ("vs", "notice"),
    [
        (
            "2016-01-01",
            "Ignored vs='2016-01-01': no earlier forecast of this series starts then; "
            "showing the one made for July 2017 onwards.",
        ),
        ("July", "Ignored vs='July': dates are written YYYY-MM-DD."),
    ],
)
def test_an_unknown_or_malformed_vs_falls_back_with_a_notice(
    client: FlaskClient, vs: str, notice: str
) -> None:
    layout = page(client, f"?kpi=revenue&vs={vs}")

    assert notice in json.dumps(layout, ensure_ascii=False)
    assert find(layout, "forecast-vs")["props"]["value"] == "2017-07-01"
