"""Forecast: where a KPI is heading, with its bands and how accurate it has been.

The user picks a KPI, a scope (the business or one member) and a horizon; the page
shows the stored SARIMAX forecast and its backtest next to a seasonal-naive baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from kpi import CATALOGUE, Selection
from web.components import chart, empty_state, page_frame, page_heading
from web.data import Current, current, read_view, request_theme
from web.figures import build_forecast_figure
from web.filters import update_search
from web.forecasts import (
    WEEKS_PER_MONTH,
    accuracy_for,
    mark_outside,
    scope_of,
    series_key,
    stored_grains,
    stored_kpis,
)
from web.formatting import format_value
from web.state import HORIZONS, View

dash.register_page(
    __name__, path="/forecast", name="Forecast", title="Forecast", order=3
)

DEFAULT_HORIZON = 12


def layout(**query: str | list[str]) -> html.Div:
    state = current()
    view = read_view(state, query)
    if state.cube is None or view is None:
        return page_frame(state, None, empty_state("There is no snapshot to show yet."))

    notes: list[str] = []
    forecast_kpis = stored_kpis(state) or ("revenue",)
    kpi = view.kpi if view.kpi in forecast_kpis else forecast_kpis[0]
    if view.kpi != kpi:
        notes.append(
            f"{CATALOGUE[view.kpi].label} is not forecast; "
            f"showing {CATALOGUE[kpi].label.lower()}."
        )
    grain = _grain(state, view.selection.grain, notes)
    scope = _scope(view, state.cube.dimensions, notes)
    horizon = view.horizon or DEFAULT_HORIZON
    controls = html.Div(
        [
            _controls(state, forecast_kpis, kpi, scope, horizon),
            # What the controls show now: their first report is not a choice.
            dcc.Store(id="forecast-shown", data=[kpi, scope, horizon]),
        ]
    )
    heading = page_heading(
        "Forecast", "Where the KPI is heading, and how well the model has done."
    )
    key = series_key(kpi, grain, *_split_scope(scope))
    future = _stored(state, key)
    extra = [_notes(notes)] if notes else []
    if future.empty:
        sentence = (
            f"No forecast is stored for {CATALOGUE[kpi].label} at {grain} grain "
            "in this scope; the next refresh makes one."
        )
        return page_frame(
            state, view, heading, controls, *extra, empty_state(sentence, "forecast")
        )

    steps = view.horizon or DEFAULT_HORIZON
    if grain == "week":
        steps = round(steps * WEEKS_PER_MONTH)
    future = future.head(steps)
    actuals = _actuals(state, kpi, grain, scope)
    actuals["outside"] = mark_outside(actuals, future)
    figure = build_forecast_figure(
        actuals, future, kpi, now=state.cube.last_day, theme=request_theme()
    )
    return page_frame(
        state,
        view,
        heading,
        controls,
        *extra,
        chart("forecast", figure),
        _outside_note(actuals),
        _accuracy_table(accuracy_for(state, key)),
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("forecast-kpi", "value"),
    Input("forecast-scope", "value"),
    Input("forecast-horizon", "value"),
    State("url", "search"),
    State("forecast-shown", "data"),
    prevent_initial_call=True,
)
def choose_forecast(
    kpi: str, scope: str, horizon: int, search: str | None, shown: Any
) -> Any:
    if ctx.triggered_id is None or [kpi, scope, horizon] == shown:
        return no_update
    encoded = update_search(search, kpi=kpi, series=scope, horizon=str(horizon or ""))
    return no_update if encoded is None or encoded == search else encoded


def _controls(
    state: Current, kpis: Sequence[str], kpi: str, scope: str, horizon: int
) -> dbc.Row:
    assert state.cube is not None
    scopes = [{"label": "Whole business", "value": "all"}] + [
        {"label": f"{dimension.title()}: {member}", "value": f"{dimension}={member}"}
        for dimension, members in state.cube.dimensions.items()
        for member in members
    ]
    return dbc.Row(
        [
            dbc.Col(
                dcc.Dropdown(
                    id="forecast-kpi",
                    clearable=False,
                    value=kpi,
                    options=[{"label": CATALOGUE[k].label, "value": k} for k in kpis],
                ),
                xs=12,
                md=3,
            ),
            dbc.Col(
                dcc.Dropdown(
                    id="forecast-scope",
                    clearable=False,
                    value=scope,
                    options=scopes,
                ),
                xs=12,
                md=4,
            ),
            dbc.Col(
                dbc.RadioItems(
                    id="forecast-horizon",
                    inline=True,
                    value=horizon,
                    options=[{"label": f"{h} months", "value": h} for h in HORIZONS],
                ),
                xs=12,
                md="auto",
            ),
        ],
        className="g-2 mb-2 align-items-center",
    )


def _stored(state: Current, key: str) -> pd.DataFrame:
    forecasts = state.frame("forecasts")
    if forecasts is None:
        return pd.DataFrame()
    return forecasts[forecasts["series_id"] == key].sort_values("date")


def _grain(state: Current, asked: str, notes: list[str]) -> str:
    grains = stored_grains(state) or ("month",)
    if asked in grains:
        return asked
    notes.append(
        f"Forecasts are not made at {asked} grain; showing {grains[0]} "
        f"(available: {', '.join(grains)})."
    )
    return grains[0]


def _scope(
    view: View, dimensions: Mapping[str, Sequence[str]], notes: list[str]
) -> str:
    """The series parameter's scope, else the filter bar's when it has one."""
    if view.series:
        dimension, _, member = view.series.partition("=")
        if view.series == "all" or member in dimensions.get(dimension, ()):
            return view.series if member else "all"
        notes.append(f"Ignored series={view.series!r}: showing the whole business.")
        return "all"
    scope = scope_of(view.selection)
    if scope is None:
        notes.append(
            "No forecast is made for several filter values at once; showing the "
            "whole business. Pick one scope above."
        )
        return "all"
    chosen, value = scope
    return f"{chosen}={value}" if chosen else "all"


def _notes(notes: list[str]) -> html.Div:
    return html.Div(
        [dbc.Alert(text, color="info", className="py-1 mb-2") for text in notes],
        id="forecast-notes",
    )


def _outside_note(actuals: pd.DataFrame) -> html.Div:
    count = int(actuals["outside"].sum())
    if count:
        text = f"{count} actual period(s) fell outside the 95% band (marked x)."
    else:
        text = (
            "No complete period with an actual has a stored forecast yet, so none "
            "is marked outside the band; the backtest below measures past misses."
        )
    return html.Div(text, className="small text-body-secondary", id="forecast-outside")


def _split_scope(scope: str) -> tuple[str | None, str]:
    if scope == "all":
        return None, ""
    dimension, _, member = scope.partition("=")
    return dimension, member


def _actuals(state: Current, kpi: str, grain: str, scope: str) -> pd.DataFrame:
    assert state.cube is not None
    dimension, member = _split_scope(scope)
    filters = {dimension: [member]} if dimension else {}
    series = state.cube.series(Selection.build(filters=filters, grain=grain))
    return pd.DataFrame(
        {"date": series["period"], "actual": series[kpi], "partial": series["partial"]}
    )


def _accuracy_table(row: pd.Series | None) -> html.Div:
    if row is None:
        return empty_state("No backtest is stored for this series.")
    cells = [
        ("Model", str(row["model"])),
        ("MASE (lower is better)", f"{row['mase']:.2f}"),
        ("sMAPE", format_value(row["smape"] / 100, "ratio")),
        ("Seasonal naive MASE", f"{row['naive_mase']:.2f}"),
        ("Seasonal naive sMAPE", format_value(row["naive_smape"] / 100, "ratio")),
        ("Actuals inside the 80% band", format_value(row["coverage80"], "ratio")),
        ("Actuals inside the 95% band", format_value(row["coverage95"], "ratio")),
        ("Beats the seasonal-naive baseline", _verdict(row)),
    ]
    return html.Div(
        [
            html.H3("Backtest accuracy", className="h6 mt-3"),
            dbc.Table(
                html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in cells]),
                bordered=False,
                size="sm",
                className="w-auto",
                id="forecast-accuracy",
            ),
        ]
    )


def _verdict(row: pd.Series) -> str:
    if not (row["mase"] == row["mase"] and row["naive_mase"] == row["naive_mase"]):
        return "–"
    return "yes" if row["mase"] < row["naive_mase"] else "no: trust the bands less"
