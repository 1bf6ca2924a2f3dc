"""Overview: the morning answer to "how are we doing" for the selected view.

KPI cards with their changes, then revenue, orders and customers over time with the
forecast continuing each line. Everything is read from the current snapshot.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, html, no_update

from web.components import (
    chart,
    empty_state,
    kpi_cards,
    page_frame,
    page_heading,
    partial_note,
    poll_timer,
)
from web.data import Current, current, read_search, read_view, request_theme
from web.figures import build_trend_figure
from web.forecasts import forecast_for, no_forecast_sentence
from web.ondemand import (
    DONE,
    PENDING,
    PREPARING,
    job_for,
    on_demand,
    page_outcome,
    poll_count,
)
from web.state import View

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

    cards = kpi_cards(summary, series, CARD_KPIS)
    trends, note, preparing = trend_charts(state, view, series, polls=0)
    notes = [partial_note(series, view.selection.grain, state.cube.last_day)]
    return page_frame(
        state,
        view,
        heading,
        cards,
        *notes,
        html.Div(note, id="forecast-note", className="small text-body-secondary"),
        dbc.Row(trends, className="g-3", id="overview-trends"),
        poll_timer("overview-poll", preparing, on_demand().runner.patience),
    )


@callback(
    Output("overview-trends", "children"),
    Output("forecast-note", "children"),
    Output("overview-poll", "disabled"),
    Input("overview-poll", "n_intervals"),
    State("url", "search"),
    prevent_initial_call=True,
)
def poll_trends(n_intervals: Any, search: Any) -> Any:
    return refresh_trends(search, n_intervals)


def refresh_trends(search: Any, n_intervals: Any) -> tuple[Any, Any, bool]:
    """The trend charts again once their on-demand forecasts are done or failed."""
    state = current()
    view = read_search(state, search)
    if state.cube is None or view is None:
        return no_update, no_update, True
    series = state.cube.series(view.selection)
    polls = poll_count(n_intervals)
    trends, note, preparing = trend_charts(state, view, series, polls)
    # Still preparing: the charts and note on the page are already right.
    return (no_update, no_update, False) if preparing else (trends, note, True)


def trend_charts(
    state: Current, view: View, series: pd.DataFrame, polls: int
) -> tuple[list[Any], str, bool]:
    """Each trend chart with the forecast it has, the note on those it lacks.

    The flag says whether an on-demand forecast is still being prepared.
    """
    theme = request_theme()
    charts, sentences = [], []
    for kpi in TREND_KPIS:
        forecast, sentence = _forecast_of(state, view, kpi, polls)
        figure = build_trend_figure(series, kpi, forecast=forecast, theme=theme)
        charts.append(dbc.Col(chart(f"trend-{kpi}", figure), xs=12, lg=4))
        sentences.append(sentence)
    preparing = PREPARING in sentences
    note = PREPARING if preparing else next((s for s in sentences if s), "")
    return charts, note, preparing


def _forecast_of(
    state: Current, view: View, kpi: str, polls: int
) -> tuple[pd.DataFrame | None, str]:
    """The forecast of ``kpi`` for the view, else the sentence that says why not.

    A range that ends before the data does gets neither: the forecast starts after
    the data, and drawing it would stretch the chart over the months between.
    """
    end = view.selection.end
    if state.cube is not None and end is not None and end < state.cube.last_day:
        return None, ""
    forecast = forecast_for(state, view.selection, kpi)
    if forecast is not None:
        return forecast, ""
    job = job_for(state, view.selection, kpi)
    if job is None:
        return None, no_forecast_sentence(state, view.selection, kpi)
    outcome = page_outcome(state, job, polls)
    if outcome.state == DONE:
        return outcome.forecast, ""
    return None, PREPARING if outcome.state == PENDING else outcome.reason
