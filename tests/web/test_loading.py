"""Loading states in headless Chromium: each chart and card shows its own while a
view renders, and the first load of a page shows one spinner.

The browser holds back the app's callback answers (a slow network is the one
fault here that the real server cannot be made to show on demand), then lets
them through and checks the new view replaces the loading states.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.web.conftest import ServedApp
from tests.web.test_pages import choose, screenshot

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CALLBACKS = "**/_dash-update-component?*"
# The routing callback's output: the page content that Dash marks while loading.
PAGE_CONTENT = "_pages_content"
LOADING = '#_pages_content[data-dash-is-loading="true"]'
# What the spinner of one element computes to once its quarter-second delay passed.
SPINNER_STATE = """
(el) => {
  const after = getComputedStyle(el, '::after');
  return [after.animationName, after.opacity, getComputedStyle(el.firstElementChild)
    .opacity];
}
"""


@contextmanager
def held_callbacks(page: Any) -> Iterator[None]:
    """Hold the page's rendering requests until the block ends; others pass."""
    held: list[Any] = []
    released = False

    def hold(route: Any) -> None:
        if released or PAGE_CONTENT not in (route.request.post_data or ""):
            route.continue_()
        else:
            held.append(route)

    page.route(CALLBACKS, hold)
    try:
        yield
    finally:
        released = True
        for route in held:
            route.continue_()


def test_each_chart_and_card_shows_its_own_loading_state(
    served_app: ServedApp, page
) -> None:
    page.goto(served_app.url + "/")
    page.wait_for_selector("#chart-trend-active_customers .main-svg")
    page.wait_for_load_state("networkidle")
    before = page.inner_text("#card-revenue-value")

    with held_callbacks(page):
        choose(page, "filter-region", "West")
        page.wait_for_selector(LOADING, state="attached")
        page.wait_for_timeout(600)
        charts = page.eval_on_selector_all(
            f"{LOADING} .chart-box", f"els => els.map({SPINNER_STATE})"
        )
        cards = page.eval_on_selector_all(
            f"{LOADING} .kpi-card", f"els => els.map({SPINNER_STATE})"
        )
        screenshot(page, "loading-overview")

    # The Overview has three trend charts and six KPI cards; each keeps its last
    # picture at 40% opacity under a visible spinner.
    assert charts == [["spin, appear", "1", "0.4"]] * 3
    assert cards == [["spin, appear", "1", "0.4"]] * 6
    page.wait_for_function(
        "t => document.querySelector('#card-revenue-value').innerText !== t",
        arg=before,
    )
    page.wait_for_selector(LOADING, state="detached")


def test_the_first_load_of_a_page_shows_one_spinner(
    served_app: ServedApp, page
) -> None:
    with held_callbacks(page):
        page.goto(served_app.url + "/customers")
        page.wait_for_selector(f"{LOADING}:empty", state="attached")
        page.wait_for_timeout(600)
        spinner = page.eval_on_selector(
            "#_pages_content",
            "el => [getComputedStyle(el, '::before').animationName,"
            " getComputedStyle(el, '::before').opacity]",
        )

    assert spinner == ["spin, appear", "1"]
    page.wait_for_selector("#chart-cohorts .main-svg")


def test_the_chart_toolbar_stays_off_the_titles_on_a_phone(
    served_app: ServedApp, page, phone
) -> None:
    shown = {}
    for name, tab in (("laptop", page), ("phone", phone)):
        tab.goto(served_app.url + "/")
        tab.wait_for_selector(
            "#chart-trend-revenue .modebar-container", state="attached"
        )
        shown[name] = tab.eval_on_selector(
            "#chart-trend-revenue .modebar-container",
            "el => getComputedStyle(el).display",
        )

    assert shown == {"laptop": "block", "phone": "none"}
