"""Overview: the morning answer to "how are we doing" for the selected view.

KPI cards with their changes, then revenue, orders and customers over time with the
forecast continuing each line. Everything is read from the current snapshot.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from kpi import CATALOGUE
from web.components import empty_state, kpi_card, page_frame
from web.data import current, read_view
from web.figures import build_trend_figure
from web.forecasts import forecast_for

dash.register_page(__name__, path="/", name="Overview", title="Overview", order=0)

CARD_KPIS = ("revenue", "orders", "aov", "profit", "margin", "active_customers")
TREND_KPIS = ("revenue", "orders", "active_customers")


def layout(**query: str | list[str]) -> html.Div:
    state = current()
    view = read_view(state, query)
    if state.cube is None or view is None:
        return page_frame(state, None, empty_state(_no_data_sentence()))

    summary = state.cube.summary(view.selection)
    series = state.cube.series(view.selection)
    if series.empty or summary.loc["orders", "value"] == 0:
        body: list[object] = [
            empty_state("No orders match these filters in this date range.")
        ]
    else:
        cards = dbc.Row(
            [
                dbc.Col(kpi_card(summary, series, kpi), xs=12, sm=6, lg=4, xl=2)
                for kpi in CARD_KPIS
            ],
            className="g-3 mb-3",
        )
        charts = dbc.Row(
            [
                dbc.Col(
                    dcc.Graph(
                        id=f"chart-trend-{kpi}",
                        figure=build_trend_figure(
                            series,
                            kpi,
                            CATALOGUE[kpi].label,
                            CATALOGUE[kpi].unit,
                            forecast=forecast_for(state, view.selection, kpi),
                        ),
                        config={"displaylogo": False, "responsive": True},
                    ),
                    xs=12,
                    lg=4,
                )
                for kpi in TREND_KPIS
            ],
            className="g-3",
        )
        body = [cards, charts]
    return page_frame(state, view, html.H2("Overview", className="h4"), *body)


def _no_data_sentence() -> str:
    return (
        "There is no snapshot to show yet: the daily refresh has not run. "
        "Run `python scripts/refresh_cache.py` to make one."
    )
