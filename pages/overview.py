"""Overview: the morning answer to "how are we doing" for the selected view.

KPI cards with their changes, then revenue, orders and customers over time with the
forecast continuing each line. Everything is read from the current snapshot.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from web.components import (
    chart,
    empty_state,
    kpi_cards,
    page_frame,
    page_heading,
    partial_note,
)
from web.data import current, read_view, request_theme
from web.figures import build_trend_figure
from web.forecasts import forecast_for, no_forecast_sentence

dash.register_page(__name__, path="/", name="Overview", title="Overview", order=0)

CARD_KPIS = ("revenue", "orders", "aov", "profit", "margin", "active_customers")
TREND_KPIS = ("revenue", "orders", "active_customers")
NO_SNAPSHOT = (
    "There is no snapshot to show yet: the daily refresh has not run. "
    "Run `python scripts/refresh_cache.py` to make one."
)


def layout(**query: str | list[str]) -> html.Div:
    state = current()
    view = read_view(state, query)
    if state.cube is None or view is None:
        return page_frame(state, None, empty_state(NO_SNAPSHOT))

    heading = page_heading(
        "Overview", "How the selected range compares with the one before it."
    )
    summary = state.cube.summary(view.selection)
    series = state.cube.series(view.selection)
    if series.empty or summary.loc["orders", "value"] == 0:
        sentence = "No orders match these filters in this date range."
        return page_frame(state, view, heading, empty_state(sentence, "overview"))

    theme = request_theme()
    cards = kpi_cards(summary, series, CARD_KPIS)
    charts = []
    missing = None
    for kpi in TREND_KPIS:
        forecast = forecast_for(state, view.selection, kpi)
        missing = missing or (None if forecast is not None else kpi)
        figure = build_trend_figure(series, kpi, forecast=forecast, theme=theme)
        charts.append(dbc.Col(chart(f"trend-{kpi}", figure), xs=12, lg=4))
    notes = [partial_note(series, view.selection.grain, state.cube.last_day)]
    if missing:
        notes.append(
            html.Div(
                no_forecast_sentence(state, view.selection, missing),
                className="small text-body-secondary",
                id="forecast-note",
            )
        )
    return page_frame(
        state, view, heading, cards, *notes, dbc.Row(charts, className="g-3")
    )
