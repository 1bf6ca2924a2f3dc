"""Every page in headless Chromium against gunicorn: filters, links, notices, CSV.

The numbers the browser shows are checked against KPIs recomputed in the test from
the raw sample order lines (the direct engine), not against the cube that serves
them. Screenshots of each page go to ``test-artifacts/``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from config import Config
from kpi import CATALOGUE, OrderLines, Selection
from sources import load_orders
from tests.web.conftest import ARTIFACTS, ServedApp, open_tab
from web.formatting import format_kpi

pytestmark = [pytest.mark.integration, pytest.mark.browser]

DIMENSIONS = ("region", "category", "segment")
# The sample's last order date; the default view is its last twelve months.
LAST_DAY = dt.date(2017, 12, 30)
DEFAULT_START = dt.date(2017, 1, 1)
PAGES = {
    "overview": ("/", "#card-revenue-value"),
    "revenue": ("/revenue", "#chart-contributions .main-svg"),
    "customers": ("/customers", "#chart-cohorts .main-svg"),
    "forecast": ("/forecast", "#chart-forecast .main-svg"),
    "data": ("/data", "#kpi-table"),
}
PAYLOAD_LIMIT = 100_000  # bytes of one callback answer: aggregates only
# Three on-demand fits one after another in a child each, on shared cores.
FORECAST_WAIT_MS = 120_000


@pytest.fixture(scope="module")
def reference() -> OrderLines:
    """The KPIs recomputed from the raw sample order lines."""
    return OrderLines(load_orders(Config()), dimensions=DIMENSIONS)


def expected_card(reference: OrderLines, selection: Selection, kpi: str) -> str:
    return format_kpi(reference.summary(selection).loc[kpi, "value"], kpi)


def wait_for_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => document.querySelector(s)?.innerText === t", arg=[selector, text]
    )


def choose(page, dropdown: str, option: str) -> None:
    page.click(f"#{dropdown}")
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_without_errors_and_with_small_payloads(
    served_app: ServedApp, page, name: str
) -> None:
    path, ready = PAGES[name]
    sizes: list[int] = []
    page.on(
        "response",
        lambda r: sizes.append(len(r.body())) if "_dash-update" in r.url else None,
    )

    page.goto(served_app.url + path)
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")

    assert page.inner_text("#freshness").startswith("Data through 2017-12-30")
    assert sizes and max(sizes) < PAYLOAD_LIMIT
    screenshot(page, f"page-{name}")


@pytest.mark.parametrize(
    ("dimension", "member"),
    [("region", "West"), ("category", "Technology"), ("segment", "Corporate")],
)
def test_each_dimension_filter_changes_the_url_and_the_numbers(
    served_app: ServedApp, page, reference: OrderLines, dimension: str, member: str
) -> None:
    page.goto(served_app.url + "/")
    page.wait_for_selector("#card-revenue-value")
    selection = Selection.build(
        start=DEFAULT_START, end=LAST_DAY, filters={dimension: [member]}
    )

    choose(page, f"filter-{dimension}", member)

    page.wait_for_url(f"**{dimension}={member}**")
    for kpi in ("revenue", "orders", "active_customers"):
        wait_for_text(
            page, f"#card-{kpi}-value", expected_card(reference, selection, kpi)
        )


def test_a_quick_pick_changes_the_range(
    served_app: ServedApp, page, reference: OrderLines
) -> None:
    page.goto(served_app.url + "/")
    page.wait_for_selector("#card-revenue-value")
    last_quarter = Selection.build(start=dt.date(2017, 7, 1), end=dt.date(2017, 9, 30))

    choose(page, "filter-preset", "Last quarter")

    page.wait_for_url("**start=2017-07-01&end=2017-09-30**")
    wait_for_text(
        page, "#card-revenue-value", expected_card(reference, last_quarter, "revenue")
    )
    assert page.input_value("#filter-dates") == "2017-07-01"


def test_the_grain_changes_the_kpi_table(
    served_app: ServedApp, page, reference: OrderLines
) -> None:
    page.goto(served_app.url + "/data?start=2017-10-01&end=2017-12-30")
    page.wait_for_selector("#kpi-table")
    weeks = Selection.build(start=dt.date(2017, 10, 1), end=LAST_DAY, grain="week")
    newest = reference.series(weeks).iloc[-1]

    page.get_by_label("Week").check()

    page.wait_for_url("**grain=week**")
    # Oct 1 2017 is a Sunday: its week (from Sep 25) and 13 more up to Dec 30.
    page.wait_for_function(
        "document.querySelectorAll('#kpi-table tbody tr').length === 14"
    )
    first_row = page.locator("#kpi-table tbody tr").first
    assert first_row.locator("th").inner_text() == "week of 2017-12-25 (partial)"
    assert first_row.locator("td").first.inner_text() == format_kpi(
        newest["revenue"], "revenue"
    )


def test_a_shared_link_reproduces_the_view(
    served_app: ServedApp, page, reference: OrderLines
) -> None:
    query = (
        "?start=2016-01-01&end=2016-12-31&region=East&segment=Consumer"
        "&grain=month&kpi=profit&dim=category"
    )
    selection = Selection.build(
        start=dt.date(2016, 1, 1),
        end=dt.date(2016, 12, 31),
        filters={"region": ["East"], "segment": ["Consumer"]},
    )
    breakdown = reference.breakdown(selection, "category")
    changes = reference.contributions(selection, "profit", "category")

    page.goto(served_app.url + "/revenue" + query)
    page.wait_for_selector("#revenue-table")

    assert "East" in page.inner_text("#filter-region")
    assert "Consumer" in page.inner_text("#filter-segment")
    assert page.input_value("#filter-dates") == "2016-01-01"
    rows = page.locator("#revenue-table tbody tr")
    for i, member in enumerate(breakdown.index):
        assert rows.nth(i).locator("th").inner_text() == member
        assert rows.nth(i).locator("td").first.inner_text() == format_kpi(
            breakdown.loc[member, "revenue"], "revenue"
        )
    # What changed: profit by category, the largest move first.
    first_change = page.locator("#changes-table tbody tr th").first.inner_text()
    assert first_change == changes.index[0]

    page.click("#nav-overview")
    page.wait_for_url("**/?start=2016-01-01**")
    wait_for_text(
        page, "#card-revenue-value", expected_card(reference, selection, "revenue")
    )


def test_the_back_button_returns_to_the_previous_view(
    served_app: ServedApp, page, reference: OrderLines
) -> None:
    page.goto(served_app.url + "/?start=2017-01-01&end=2017-12-30")
    page.wait_for_selector("#card-revenue-value")
    everything = Selection.build(start=DEFAULT_START, end=LAST_DAY)
    choose(page, "filter-region", "South")
    page.wait_for_url("**region=South**")

    page.go_back()

    page.wait_for_url("**/?start=2017-01-01&end=2017-12-30")
    wait_for_text(
        page, "#card-revenue-value", expected_card(reference, everything, "revenue")
    )


@pytest.mark.parametrize(
    ("link", "control"),
    [("Revenue & profit", "#revenue-dim"), ("Forecast", "#forecast-kpi")],
)
def test_back_from_a_page_with_its_own_controls_leaves_it(
    served_app: ServedApp, page, link: str, control: str
) -> None:
    # Those pages' controls report their values when they appear; that first
    # report must not add a history entry, or the back button never leaves.
    page.goto(served_app.url + "/")
    page.wait_for_selector("#card-revenue-value")
    page.click(f"nav >> text={link}")
    page.wait_for_selector(control)
    page.wait_for_timeout(1000)

    page.go_back()

    page.wait_for_selector("#card-revenue-value")
    assert page.url.split("?")[0] == served_app.url + "/"


def test_a_bad_parameter_shows_a_notice_and_the_default(
    served_app: ServedApp, page
) -> None:
    page.goto(served_app.url + "/?grain=year&region=Atlantis&colour=red")
    page.wait_for_selector("#card-revenue-value")

    notices = page.locator(".url-notice").all_inner_texts()
    assert notices == [
        "Ignored the unknown parameter 'colour'.",
        "Ignored grain='year': choose one of day, week, month.",
        "Ignored region 'Atlantis': not in the data.",
    ]
    # Reference figure of the sample (README of the data): revenue 2017 = 733,215.26.
    assert page.inner_text("#card-revenue-value") == "$733,215.26"
    screenshot(page, "page-notice")


def test_the_csv_download_matches_the_table(
    served_app: ServedApp, page, reference: OrderLines
) -> None:
    page.goto(served_app.url + "/data?start=2017-01-01&end=2017-06-30&region=West")
    page.wait_for_selector("#kpi-table")
    selection = Selection.build(
        start=dt.date(2017, 1, 1),
        end=dt.date(2017, 6, 30),
        filters={"region": ["West"]},
    )

    with page.expect_download() as download:
        page.click("#data-download-button")
    text = Path(download.value.path()).read_text()
    rows = list(csv.DictReader(io.StringIO(text)))

    assert download.value.suggested_filename == "kpis-2017-01-01-2017-06-30-month.csv"
    assert [row["period"] for row in rows] == [f"2017-0{m}-01" for m in range(1, 7)]
    assert {row["region"] for row in rows} == {"West"}
    headers = page.locator("#kpi-table thead th").all_inner_texts()
    table = page.locator("#kpi-table tbody tr")
    assert table.count() == len(rows)
    for i, row in enumerate(reversed(rows)):  # the table shows the newest first
        cells = table.nth(i).locator("td").all_inner_texts()
        for kpi in ("revenue", "orders", "margin", "churn"):
            shown = cells[headers.index(CATALOGUE[kpi].label) - 1]
            assert shown == format_kpi(float(row[kpi]), kpi)
    direct = reference.series(selection)
    assert [float(r["revenue"]) for r in rows] == list(direct["revenue"].round(2))


@pytest.mark.parametrize("name", list(PAGES))
def test_phone_width_has_no_horizontal_scroll(
    served_app: ServedApp, phone, name: str
) -> None:
    path, ready = PAGES[name]

    phone.goto(served_app.url + path)
    phone.wait_for_selector(ready)
    phone.wait_for_load_state("networkidle")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, f"phone-{name}")


def test_the_theme_choice_persists_and_charts_follow(
    served_app: ServedApp, page
) -> None:
    page.goto(served_app.url + "/")
    page.wait_for_selector("#chart-trend-revenue .main-svg")
    font = (
        "document.querySelector('#chart-trend-revenue .js-plotly-plot')"
        "._fullLayout.font.color"
    )
    assert page.evaluate(font) == "#212529"

    page.click("#theme-switch")
    page.wait_for_function("document.documentElement.dataset.bsTheme === 'dark'")
    page.wait_for_function(f"{font} === '#dee2e6'")
    page.reload()
    page.wait_for_selector("#chart-trend-revenue .main-svg")

    assert page.evaluate("document.documentElement.dataset.bsTheme") == "dark"
    assert page.is_checked("#theme-switch")
    assert page.evaluate(font) == "#dee2e6"
    screenshot(page, "page-overview-dark")


def test_overview_adds_a_selections_forecast_once_prepared(
    served_app: ServedApp, page
) -> None:
    page.goto(served_app.url + "/?region=West,East")
    page.wait_for_selector("#chart-trend-revenue .main-svg")

    # The history is drawn at once; the forecast line joins it without a reload.
    assert page.inner_text("#forecast-note").startswith(
        "Forecast being prepared for this selection"
    )
    page.wait_for_function(
        "() => ['revenue', 'orders', 'active_customers'].every(k => document"
        ".querySelector(`#chart-trend-${k} .js-plotly-plot`)?.data"
        ".some(t => t.name === 'forecast'))",
        timeout=FORECAST_WAIT_MS,
    )
    assert page.inner_text("#forecast-note") == ""


def test_day_grain_says_there_is_no_forecast(served_app: ServedApp, page) -> None:
    page.goto(served_app.url + "/forecast?grain=day")
    page.wait_for_selector("#forecast-notes")
    assert "Forecasts are not made at day grain" in page.inner_text("#forecast-notes")


def test_empty_selection_says_why(served_app: ServedApp, page) -> None:
    # The sample has no order dated 2017-01-04 or 2017-01-05 (found by listing its
    # order dates).
    page.goto(served_app.url + "/customers?start=2017-01-04&end=2017-01-05")
    page.wait_for_selector("#empty-customers")

    assert "No customer ordered" in page.inner_text("#empty-customers")


def test_page_views_answer_quickly(served_app: ServedApp, page) -> None:
    timings = {}
    for name, (path, ready) in PAGES.items():
        page.goto(served_app.url + path)
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        timings[name] = page.evaluate(
            "performance.getEntriesByType('resource')"
            ".filter(e => e.name.includes('_dash-update'))"
            ".reduce((m, e) => Math.max(m, e.duration), 0)"
        )
    pd.Series(timings).to_csv(ARTIFACTS / "callback-ms.csv", header=["max_ms"])

    assert max(timings.values()) < 1000


def test_readme_screenshots_of_every_page(served_app: ServedApp, browser) -> None:
    """Small screenshots (800 px wide) for the README, in both themes."""
    context, tab, errors = open_tab(browser, 1280, 900, scale=0.625)
    for name, (path, ready) in PAGES.items():
        tab.goto(served_app.url + path)
        tab.wait_for_selector(ready)
        tab.wait_for_load_state("networkidle")
        screenshot(tab, f"readme-{name}")
    tab.click("#theme-switch")
    tab.goto(served_app.url + "/")
    tab.wait_for_selector("#chart-trend-revenue .main-svg")
    tab.wait_for_load_state("networkidle")
    screenshot(tab, "readme-overview-dark")
    context.close()

    assert errors == []
    sizes = [(ARTIFACTS / f"readme-{name}.png").stat().st_size for name in PAGES]
    assert all(0 < size < 300_000 for size in sizes)
