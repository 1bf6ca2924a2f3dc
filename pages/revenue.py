"""Revenue & profit: where the money comes from and what moved it.

Revenue, profit and margin split by one dimension (``dim``), and the change of an
additive KPI (``kpi``) against the previous period split into each member's part.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from kpi import CATALOGUE, Selection
from web.components import chart, data_table, empty_state, page_frame, page_heading
from web.data import Current, current, read_view, request_theme
from web.figures import build_bar_figure, build_contribution_figure
from web.filters import update_search
from web.formatting import dimension_label, format_change, format_kpi, format_value

NAME = "Revenue & profit"
dash.register_page(__name__, path="/revenue", name=NAME, title=NAME, order=1)

DEFAULT_DIMENSION = "region"
ADDITIVE_KPIS = tuple(name for name, spec in CATALOGUE.items() if spec.additive)
EPOCH = dt.date(1970, 1, 1)


def layout(**query: str | list[str]) -> html.Div:
    state = current()
    view = read_view(state, query)
    if state.cube is None or view is None:
        return page_frame(state, None, empty_state("There is no snapshot to show yet."))

    dimensions = list(state.cube.dimensions)
    dimension = view.dim or (
        DEFAULT_DIMENSION if DEFAULT_DIMENSION in dimensions else dimensions[0]
    )
    notices = []
    kpi = view.kpi
    if kpi not in ADDITIVE_KPIS:
        if "kpi" in query:
            notices.append(
                f"{CATALOGUE[kpi].label} does not split into parts; "
                "showing what changed in revenue."
            )
        kpi = "revenue"
    heading = page_heading(
        "Revenue & profit",
        "Where revenue and profit come from, and what moved them since the "
        "previous period.",
    )
    controls = html.Div(
        [
            _controls(dimensions, dimension, kpi),
            # What the controls show now: their first report is not a choice.
            dcc.Store(id="revenue-shown", data=[dimension, kpi]),
        ]
    )
    alerts = [dbc.Alert(n, color="info", className="py-1 mb-2") for n in notices]
    body = _body(state, view.selection, dimension, kpi)
    return page_frame(state, view, heading, controls, *alerts, *body)


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("revenue-dim", "value"),
    Input("revenue-kpi", "value"),
    State("url", "search"),
    State("revenue-shown", "data"),
    prevent_initial_call=True,
)
def choose_split(dimension: str, kpi: str, search: str | None, shown: Any) -> Any:
    if [dimension, kpi] == shown:
        return no_update
    encoded = update_search(search, dim=dimension, kpi=kpi)
    return no_update if encoded is None or encoded == search else encoded


def _controls(dimensions: list[str], dimension: str, kpi: str) -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(html.Span("Split by", className="small me-2"), xs="auto"),
            dbc.Col(
                dbc.RadioItems(
                    id="revenue-dim",
                    value=dimension,
                    inline=True,
                    options=[
                        {"label": dimension_label(d), "value": d} for d in dimensions
                    ],
                ),
                xs="auto",
            ),
            dbc.Col(html.Span("What changed in", className="small me-2"), xs="auto"),
            dbc.Col(
                dbc.Select(
                    id="revenue-kpi",
                    value=kpi,
                    size="sm",
                    options=[
                        {"label": CATALOGUE[k].label, "value": k} for k in ADDITIVE_KPIS
                    ],
                ),
                xs="auto",
            ),
        ],
        className="g-2 mb-2 align-items-center",
    )


def _body(state: Current, sel: Selection, dimension: str, kpi: str) -> list[Any]:
    assert state.cube is not None
    breakdown = state.cube.breakdown(sel, dimension)
    if breakdown.empty or not breakdown["orders"].sum():
        sentence = "No orders match these filters in this date range."
        return [empty_state(sentence, "revenue")]

    theme = request_theme()
    label = dimension_label(dimension)
    contributions = state.cube.contributions(sel, kpi, dimension)
    ranges = state.cube.comparison_ranges(sel)
    title = f"Revenue and profit by {label.lower()}"
    money = build_bar_figure(breakdown, ["revenue", "profit"], title, theme)
    margin = build_bar_figure(
        breakdown, ["margin"], f"Gross margin by {label.lower()}", theme
    )
    changed = build_contribution_figure(contributions, kpi, dimension, theme)
    return [
        dbc.Row(
            [
                dbc.Col(chart("revenue-split", money), xs=12, lg=7),
                dbc.Col(chart("margin-split", margin), xs=12, lg=5),
            ],
            className="g-3",
        ),
        data_table(_breakdown_rows(breakdown), "revenue-table"),
        html.H3("What changed", className="h6 mt-3 mb-1"),
        html.P(_compared(ranges), className="small text-body-secondary mb-1"),
        dbc.Row(
            [
                dbc.Col(chart("contributions", changed), xs=12, lg=7),
                dbc.Col(
                    data_table(_contribution_rows(contributions, kpi), "changes-table"),
                    xs=12,
                    lg=5,
                ),
            ],
            className="g-3",
        ),
    ]


def _breakdown_rows(breakdown: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Revenue": [format_kpi(v, "revenue") for v in breakdown["revenue"]],
            "Share": [format_value(v, "ratio") for v in breakdown["share"]],
            "Profit": [format_kpi(v, "profit") for v in breakdown["profit"]],
            "Margin": [format_kpi(v, "margin") for v in breakdown["margin"]],
            "Orders": [format_kpi(v, "orders") for v in breakdown["orders"]],
        },
        index=pd.Index(breakdown.index, name=dimension_label(breakdown.index.name)),
    )


def _contribution_rows(contributions: pd.DataFrame, kpi: str) -> pd.DataFrame:
    share = contributions["share_of_change"]
    return pd.DataFrame(
        {
            "Before": [format_kpi(v, kpi) for v in contributions["previous"]],
            "Now": [format_kpi(v, kpi) for v in contributions["current"]],
            "Change": [_signed(v, kpi) for v in contributions["change"]],
            "Share of change": [format_change(v).lstrip("+") for v in share],
        },
        index=pd.Index(
            contributions.index, name=dimension_label(contributions.index.name)
        ),
    )


def _signed(value: float, kpi: str) -> str:
    text = format_kpi(value, kpi)
    return text if text.startswith(("-", "–")) or value == 0 else f"+{text}"


def _compared(ranges: dict[str, Any]) -> str:
    return (
        f"{_span(ranges['current'])} compared with {_span(ranges['previous'])}: "
        "each member's part of the change, largest first."
    )


def _span(span: tuple[Any, Any]) -> str:
    """A range as dates, or as the engine's (days since 1970, prior span) pair."""
    first, last = span
    if not isinstance(first, dt.date):
        first, last = (EPOCH + dt.timedelta(days=int(day)) for day in first)
    return f"{first.isoformat()} to {last.isoformat()}"
