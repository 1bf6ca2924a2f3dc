"""The deployed shape end to end: Procfile's gunicorn, memcached, a real browser."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from cache import load_snapshot, open_store
from config import Config
from kpi import Selection
from tests.web.conftest import ARTIFACTS, ServedApp
from tests.web.test_forecast_page import (
    expected_misses,
    monthly_series_with_a_miss,
    search_of,
)
from web.ondemand import ForecastJob, read_outcome

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_healthz_reports_the_fresh_memcached_snapshot(served_app: ServedApp) -> None:
    status, body = fetch(served_app.url + "/healthz")
    report = json.loads(body)

    assert status == 200
    assert report["status"] == "ok"
    assert report["cache"] == "memcached"
    assert report["data_through"] == "2017-12-30"  # the sample's last order date
    assert report["snapshot"]


@pytest.mark.parametrize("path", ["/", "/forecast", "/_dash-layout"])
def test_without_credentials_the_app_answers_401(
    served_app: ServedApp, path: str
) -> None:
    status, _ = fetch(served_app.url + path)

    assert status == 401


def test_overview_shows_the_2017_revenue_when_filtered_to_2017(
    served_app: ServedApp, page
) -> None:
    # Start from all time, whose revenue is another reference figure of the sample.
    page.goto(served_app.url + "/?start=2014-01-01&end=2017-12-31")
    page.wait_for_selector("#card-revenue-value")
    assert page.inner_text("#card-revenue-value") == "$2,297,200.86"

    page.click("#filter-preset")
    # The quick pick's option, not a chart's "2017" axis label.
    page.get_by_role("option", name="2017", exact=True).click()
    page.wait_for_url(re.compile(r"start=2017-01-01&end=2017-12-31"))

    # Reference figure of the sample (README of the data): revenue 2017 = 733,215.26.
    page.wait_for_function(
        "document.querySelector('#card-revenue-value').innerText === '$733,215.26'"
    )
    assert page.inner_text("#card-orders-value") == "1,687"
    assert page.inner_text("#card-active_customers-value") == "693"
    assert page.inner_text("#card-aov-value") == "$434.63"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview-2017.png"), full_page=True)


def test_forecast_page_draws_the_stored_forecast(served_app: ServedApp, page) -> None:
    page.goto(served_app.url + "/forecast?kpi=orders&series=region%3DWest")
    page.wait_for_selector("#chart-forecast .main-svg")

    assert "Model" in page.inner_text("#forecast-accuracy")
    page.screenshot(path=str(ARTIFACTS / "forecast.png"), full_page=True)


def test_a_selections_forecast_is_prepared_then_drawn(
    served_app: ServedApp, page
) -> None:
    # No other test asks for this selection, so no result is stored before.
    page.goto(served_app.url + "/forecast?region=East&category=Technology")
    page.wait_for_selector("#preparing-forecast")
    page.wait_for_selector("#chart-forecast .main-svg", timeout=120_000)
    drawn = page.evaluate(
        # plotly.js keeps the sent typed array encoded in data, decoded in _fullData.
        "() => Array.from(document.querySelector('#chart-forecast .js-plotly-plot')"
        "._fullData.find(t => t.name === 'forecast').y)"
    )

    _, body = fetch(served_app.url + "/healthz")
    selection = Selection.build(
        filters={"region": ["East"], "category": ["Technology"]}
    )
    job = ForecastJob(
        json.loads(body)["snapshot"], "revenue", "month", selection.filters, 12
    )
    store = open_store(Config(memcache_servers=(served_app.memcached.address,)))
    stored = read_outcome(store, job)
    store.close()
    assert stored.state == "done" and stored.forecast is not None
    assert stored.accuracy is not None
    # The page shows the default 12 months of the stored 12-month forecast.
    assert drawn == pytest.approx(stored.forecast["forecast"].tolist(), rel=1e-9)
    assert stored.accuracy["model"] in page.inner_text("#forecast-accuracy")
    assert "This selection: East · Technology" in page.inner_text("#forecast-scope")
    page.screenshot(path=str(ARTIFACTS / "forecast-selection.png"), full_page=True)


def test_forecast_page_compares_with_the_earlier_forecast(
    served_app: ServedApp, page
) -> None:
    store = open_store(Config(memcache_servers=(served_app.memcached.address,)))
    snapshot = load_snapshot(store, served_app.snapshot_id)
    store.close()
    key = monthly_series_with_a_miss(snapshot)
    expected = expected_misses(snapshot, key)
    inside80 = int((~expected["out80"]).sum())
    inside95 = int((~expected["out95"]).sum())

    page.goto(served_app.url + "/forecast" + search_of(key))
    page.wait_for_selector("#forecast-comparison-sentence")
    page.wait_for_selector("#chart-forecast .main-svg")
    # The drawn crosses: points of the trace named for the 95% band's misses.
    crosses = page.evaluate(
        """() => {
            const plot = document.querySelector('#chart-forecast .js-plotly-plot');
            const at = plot.data.findIndex(t => t.name === 'outside its 95% band');
            const drawn = plot.querySelectorAll('.scatterlayer .trace')[at];
            return drawn.querySelectorAll('path.point').length;
        }"""
    )

    assert crosses == len(expected) - inside95 > 0
    assert page.inner_text("#forecast-comparison-sentence").startswith(
        f"The forecast made for July 2017 onwards: {inside80} of 5 complete months "
        f"inside its 80% band, {inside95} of 5 inside its 95% band; "
        f"{5 - inside95} outside it (marked ×)"
    )
    assert page.inner_text("#forecast-vs").startswith("July 2017 onwards (made ")
    page.screenshot(path=str(ARTIFACTS / "forecast-comparison.png"), full_page=True)
