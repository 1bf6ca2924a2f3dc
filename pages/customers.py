"""Customers & growth: who buys, who comes back, who stops.

Active, new and returning customers per period, the returning rate and churn, and
the monthly cohort retention grid of the customers whose first order is in range.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
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
from web.figures import build_cohort_figure, build_customers_figure, build_rates_figure

NAME = "Customers & growth"
dash.register_page(__name__, path="/customers", name=NAME, title=NAME, order=2)

CARD_KPIS = (
    "active_customers",
    "new_customers",
    "returning_customers",
    "returning_rate",
    "churn",
    "revenue_per_customer",
)


def layout(**query: str | list[str]) -> html.Div:
    state = current()
    view = read_view(state, query)
    if state.cube is None or view is None:
        return page_frame(state, None, empty_state("There is no snapshot to show yet."))

    heading = page_heading(
        NAME, "How many customers buy, how many come back, and how many stop."
    )
    summary = state.cube.summary(view.selection)
    series = state.cube.series(view.selection)
    if series.empty or summary.loc["active_customers", "value"] == 0:
        sentence = "No customer ordered within these filters in this date range."
        return page_frame(state, view, heading, empty_state(sentence, "customers"))

    theme = request_theme()
    cards = kpi_cards(summary, series, CARD_KPIS)
    rates = build_rates_figure(series, ("returning_rate", "churn"), theme)
    charts = dbc.Row(
        [
            dbc.Col(chart("customers", build_customers_figure(series, theme)), lg=6),
            dbc.Col(chart("rates", rates), lg=6),
        ],
        className="g-3",
    )
    return page_frame(
        state,
        view,
        heading,
        cards,
        partial_note(series, view.selection.grain, state.cube.last_day),
        charts,
        _cohorts(state.cube.cohorts(view.selection), theme),
    )


def _cohorts(cohorts: pd.DataFrame, theme: str) -> html.Div:
    title = html.H3("Cohort retention", className="h6 mt-3 mb-1")
    if cohorts.empty or not cohorts["cohort_size"].any():
        return html.Div(
            [
                title,
                empty_state(
                    "No customer placed a first order in this range within these "
                    "filters, so there is no cohort to follow.",
                    "cohorts",
                ),
            ]
        )
    explain = html.P(
        "Each row is the customers whose first order fell in that month; each cell "
        "the share of them who ordered again n months later.",
        className="small text-body-secondary mb-1",
    )
    grid = chart("cohorts", build_cohort_figure(cohorts, theme))
    return html.Div([title, explain, grid])
