"""Data: where the numbers come from, how fresh they are, what each KPI means.

The snapshot's source, dates and row counts, the next scheduled refresh, the KPI
glossary from the catalogue, and the filtered KPI table with its CSV download.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from kpi import CATALOGUE
from web.components import (
    data_table,
    empty_state,
    format_stamp,
    page_frame,
    page_heading,
    period_label,
)
from web.data import Current, current, next_refresh, read_view
from web.export import csv_name, kpi_table, table_kpis, to_csv
from web.formatting import format_kpi
from web.state import parse_search

dash.register_page(__name__, path="/data", name="Data", title="Data", order=4)

SHOWN_ROWS = 60  # the page shows the newest periods; the CSV has them all


def layout(**query: str | list[str]) -> html.Div:
    state = current()
    view = read_view(state, query)
    heading = page_heading(
        "Data", "Where the numbers come from, how fresh they are, what they mean."
    )
    parts: list[Any] = [heading, _about(state), _glossary()]
    if state.cube is not None and view is not None:
        parts.insert(2, _kpi_section(state, view))
    return page_frame(state, view, *parts)


@callback(
    Output("data-download", "data"),
    Input("data-download-button", "n_clicks"),
    State("url", "search"),
    prevent_initial_call=True,
)
def download_table(clicks: int | None, search: str | None) -> Any:
    state = current()
    view = read_view(state, parse_search(search if isinstance(search, str) else ""))
    if not clicks or state.cube is None or view is None:
        return no_update
    table = kpi_table(state.cube, view.selection)
    return {
        "content": to_csv(table),
        "filename": csv_name(view.selection),
        "type": "text/csv",
    }


def _about(state: Current) -> dbc.Card:
    meta = state.meta
    now = dt.datetime.now(dt.UTC)
    upcoming = next_refresh(now, state.config.refresh_hour_utc)
    facts = [
        ("Source", meta.get("source", "–")),
        ("Data from", meta.get("first_day", "–")),
        ("Data through", meta.get("data_through", "–")),
        ("Refreshed at", format_stamp(meta.get("refreshed_at"))),
        (
            "Next scheduled refresh",
            f"{format_stamp(upcoming.isoformat())} (daily at "
            f"{state.config.refresh_hour_utc:02d}:00 UTC; the scheduler is best "
            "effort, a late run keeps the last snapshot)",
        ),
        ("Snapshot", state.snapshot.id if state.snapshot else "none"),
        ("Order lines", _count(meta.get("order_lines"))),
        ("Orders", _count(meta.get("orders"))),
        ("Customers", _count(meta.get("customers"))),
        ("Dimensions", ", ".join(meta.get("dimensions", [])) or "–"),
    ]
    rows = [
        html.Tr([html.Th(k, className="text-nowrap"), html.Td(v)]) for k, v in facts
    ]
    return dbc.Card(
        dbc.CardBody(
            dbc.Table(
                html.Tbody(rows), size="sm", borderless=True, className="mb-0 facts"
            ),
            className="p-2",
        ),
        id="data-about",
        className="mb-3",
    )


def _kpi_section(state: Current, view: Any) -> html.Div:
    assert state.cube is not None
    table = kpi_table(state.cube, view.selection)
    title = html.H3("KPI table of this view", className="h6 mt-2 mb-1")
    if table.empty:
        return html.Div(
            [title, empty_state("The selected range holds no period.", "kpi-table")]
        )
    shown = table.tail(SHOWN_ROWS).iloc[::-1]
    note = (
        f"The newest {SHOWN_ROWS} of {len(table)} {view.selection.grain}s; "
        "the download has them all."
        if len(table) > SHOWN_ROWS
        else f"{len(table)} {view.selection.grain}s, newest first."
    )
    return html.Div(
        [
            title,
            dbc.Row(
                [
                    dbc.Col(html.Span(note, className="small"), xs=12, md=True),
                    dbc.Col(
                        dbc.Button(
                            "Download CSV",
                            id="data-download-button",
                            size="sm",
                            color="primary",
                        ),
                        xs="auto",
                    ),
                ],
                className="g-2 align-items-center mb-1",
            ),
            dcc.Download(id="data-download"),
            html.Div(
                data_table(_formatted(shown, view.selection.grain), "kpi-table"),
                className="kpi-table-box",
            ),
        ],
        className="mb-3",
    )


def _formatted(table: pd.DataFrame, grain: str) -> pd.DataFrame:
    columns = {
        CATALOGUE[kpi].label: [format_kpi(v, kpi) for v in table[kpi]]
        for kpi in table_kpis()
    }
    labels = [
        period_label(pd.Timestamp(p), grain) + (" (partial)" if part == "yes" else "")
        for p, part in zip(table["period"], table["partial"], strict=True)
    ]
    return pd.DataFrame(columns, index=pd.Index(labels, name="Period"))


def _glossary() -> html.Div:
    header = html.Thead(
        html.Tr(
            [
                html.Th("KPI"),
                html.Th("Definition"),
                html.Th("Unit"),
                html.Th("Up is good"),
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(
                    [spec.label, html.Br(), html.Code(spec.name, className="small")]
                ),
                html.Td(spec.formula),
                html.Td(spec.unit.replace("_", " ")),
                html.Td("yes" if spec.higher_is_better else "no"),
            ]
        )
        for spec in CATALOGUE.values()
    ]
    return html.Div(
        [
            html.H3("KPI glossary", className="h6 mt-2 mb-1"),
            dbc.Table(
                [header, html.Tbody(rows)],
                size="sm",
                responsive=True,
                className="small glossary",
                id="glossary",
            ),
        ]
    )


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else "–"
