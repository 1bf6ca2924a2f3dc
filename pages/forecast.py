"""Forecast: where a KPI is heading, with its bands and how accurate it has been.

The user picks a KPI, a scope (the business or one member), a horizon and an earlier
forecast to compare with; the page shows the stored SARIMAX forecast, how the earlier
one did against the actuals, and the backtest next to a seasonal-naive baseline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from kpi import CATALOGUE, Selection
from web.archive import (
    ARCHIVE,
    NO_COMPARISON,
    ArchivedOrigin,
    archived_forecast,
    archived_origins,
    comparison_sentence,
    default_origin,
    origin_label,
    period_label,
    score_forecast,
)
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
from web.formatting import format_change, format_kpi, format_value
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
    heading = page_heading(
        "Forecast", "Where the KPI is heading, and how well the model has done."
    )
    key = series_key(kpi, grain, *_split_scope(scope))
    future = _stored(state, key)
    if future.empty:
        sentence = (
            f"No forecast is stored for {CATALOGUE[kpi].label} at {grain} grain "
            "in this scope; the next refresh makes one."
        )
        controls = _all_controls(state, forecast_kpis, (kpi, scope, horizon))
        return page_frame(
            state,
            view,
            heading,
            controls,
            *_notes(notes),
            empty_state(sentence, "forecast"),
        )

    steps = view.horizon or DEFAULT_HORIZON
    if grain == "week":
        steps = round(steps * WEEKS_PER_MONTH)
    future = future.head(steps)
    actuals = _actuals(state, kpi, grain, scope)
    archive = state.frame(ARCHIVE)
    origins = archived_origins(archive, key, future["date"].min(), actuals)
    chosen = _chosen_origin(origins, view.vs, grain, notes)
    earlier = (
        archived_forecast(archive, key, chosen.origin) if chosen else pd.DataFrame()
    )
    actuals["outside"] = mark_outside(actuals, earlier)
    actuals["outside80"] = mark_outside(actuals, earlier, 80) & ~actuals["outside"]
    figure = build_forecast_figure(
        actuals,
        future,
        kpi,
        now=state.cube.last_day,
        theme=request_theme(),
        # Up to where the current forecast takes over, so the two do not overlap.
        earlier=earlier[earlier["date"] <= future["date"].min()] if chosen else None,
        earlier_name=_earlier_name(chosen, grain),
    )
    controls = _all_controls(
        state, forecast_kpis, (kpi, scope, horizon), origins, chosen, grain
    )
    return page_frame(
        state,
        view,
        heading,
        controls,
        *_notes(notes),
        chart("forecast", figure),
        _comparison(actuals, earlier, chosen, kpi, grain),
        _accuracy_table(accuracy_for(state, key)),
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("forecast-kpi", "value"),
    Input("forecast-scope", "value"),
    Input("forecast-horizon", "value"),
    Input("forecast-vs", "value"),
    State("url", "search"),
    State("forecast-shown", "data"),
    prevent_initial_call=True,
)
def choose_forecast(
    kpi: str, scope: str, horizon: int, vs: str | None, search: str | None, shown: Any
) -> Any:
    if ctx.triggered_id is None or [kpi, scope, horizon, vs] == shown:
        return no_update
    values = {"kpi": kpi, "series": scope, "horizon": str(horizon or "")}
    # The comparison follows the URL until the user picks one.
    if ctx.triggered_id == "forecast-vs":
        values["vs"] = vs or ""
    encoded = update_search(search, **values)
    return no_update if encoded is None or encoded == search else encoded


def _all_controls(
    state: Current,
    kpis: Sequence[str],
    shown: tuple[str, str, int],
    origins: Sequence[ArchivedOrigin] = (),
    chosen: ArchivedOrigin | None = None,
    grain: str = "month",
) -> html.Div:
    vs = chosen.origin.isoformat() if chosen else None
    return html.Div(
        [
            _controls(state, kpis, *shown),
            _compare_control(origins, vs, grain),
            # What the controls show now: their first report is not a choice.
            dcc.Store(id="forecast-shown", data=[*shown, vs]),
        ]
    )


def _compare_control(
    origins: Sequence[ArchivedOrigin], vs: str | None, grain: str
) -> html.Div:
    """The earlier forecast to compare with; hidden while the archive has none."""
    options = [
        {"label": origin_label(found, grain), "value": found.origin.isoformat()}
        for found in origins
    ]
    return html.Div(
        [
            html.Label(
                "Compare with the forecast made for",
                htmlFor="forecast-vs",
                className="small mb-0 me-2",
            ),
            dcc.Dropdown(
                id="forecast-vs",
                clearable=False,
                value=vs,
                options=options,
                className="flex-grow-1",
                style={"maxWidth": "40rem"},
            ),
        ],
        className="d-flex flex-wrap align-items-center mb-2",
        style=None if options else {"display": "none"},
    )


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


def _notes(notes: list[str]) -> list[html.Div]:
    if not notes:
        return []
    alerts = [dbc.Alert(text, color="info", className="py-1 mb-2") for text in notes]
    return [html.Div(alerts, id="forecast-notes")]


def _chosen_origin(
    origins: Sequence[ArchivedOrigin],
    asked: dt.date | None,
    grain: str,
    notes: list[str],
) -> ArchivedOrigin | None:
    """The archived forecast the URL asks for, else the default, with a note."""
    fallback = default_origin(list(origins))
    if asked is None:
        return fallback
    for found in origins:
        if found.origin == asked:
            return found

    instead = (
        f"showing the one made for {period_label(fallback.origin, grain)} onwards"
        if fallback
        else "there is none to compare with yet"
    )
    notes.append(
        f"Ignored vs={asked.isoformat()!r}: no earlier forecast of this series "
        f"starts then; {instead}."
    )
    return fallback


def _earlier_name(chosen: ArchivedOrigin | None, grain: str) -> str:
    if chosen is None:
        return "earlier forecast"
    return f"forecast made for {period_label(chosen.origin, grain)} on"


def _comparison(
    actuals: pd.DataFrame,
    earlier: pd.DataFrame,
    chosen: ArchivedOrigin | None,
    kpi: str,
    grain: str,
) -> html.Div:
    """How the earlier forecast did: a sentence and a row per scored period."""
    if chosen is None:
        children: list[Any] = [html.P(NO_COMPARISON, className="mb-1")]
    else:
        scores = score_forecast(actuals, earlier)
        children = [
            html.P(
                comparison_sentence(scores, chosen.origin, grain),
                className="mb-1",
                id="forecast-comparison-sentence",
            ),
            _comparison_table(scores, kpi, grain),
        ]
    return html.Div(
        children, className="small text-body-secondary", id="forecast-comparison"
    )


def _comparison_table(scores: pd.DataFrame, kpi: str, grain: str) -> dbc.Table:
    stamp = "%d %b %Y" if grain == "week" else "%b %Y"
    rows = [
        html.Tr(
            [
                html.Td(pd.Timestamp(row.date).strftime(stamp)),
                html.Td(format_kpi(row.forecast, kpi), className="text-end"),
                html.Td(format_kpi(row.actual, kpi), className="text-end"),
                html.Td(format_change(row.error), className="text-end"),
                html.Td("yes" if row.inside80 else "no"),
                html.Td("yes" if row.inside95 else "no"),
            ]
        )
        for row in scores.itertuples()
    ]
    heads = ["Period", "Forecast", "Actual", "Error %", "Inside 80%", "Inside 95%"]
    # Six columns are wider than a phone: the table scrolls inside its own box.
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(rows)],
        bordered=False,
        size="sm",
        responsive=True,
        className="w-auto",
        id="forecast-comparison-table",
    )


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
