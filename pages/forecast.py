"""Forecast: where a KPI is heading, with its bands and how accurate it has been.

The user picks a KPI, a scope (the business or one member) and a horizon; the page
shows the stored SARIMAX forecast and its backtest next to a seasonal-naive baseline.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from kpi import CATALOGUE, Selection
from kpi.selection import Filters
from web.components import (
    chart,
    empty_state,
    page_frame,
    page_heading,
    poll_timer,
    preparing_state,
)
from web.data import Current, current, read_search, read_view, request_theme
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
from web.ondemand import (
    DONE,
    NO_FORECASTS,
    PENDING,
    job_for,
    on_demand,
    page_outcome,
    poll_count,
)
from web.state import HORIZONS, View

dash.register_page(
    __name__, path="/forecast", name="Forecast", title="Forecast", order=3
)

DEFAULT_HORIZON = 12
# The scope value of the filter bar's own selection, forecast on demand.
SELECTION = "selection"


class Choice(NamedTuple):
    """What the page forecasts: a KPI at a grain, in a scope, so many months on."""

    kpi: str
    grain: str
    scope: str
    horizon: int


def layout(**query: str | list[str]) -> html.Div:
    state = current()
    view = read_view(state, query)
    if state.cube is None or view is None:
        return page_frame(state, None, empty_state("There is no snapshot to show yet."))

    notes: list[str] = []
    choice = _choose(state, view, notes)
    controls = html.Div(
        [
            _controls(state, view, choice),
            # What the controls show now: their first report is not a choice.
            dcc.Store(
                id="forecast-shown", data=[choice.kpi, choice.scope, choice.horizon]
            ),
        ]
    )
    heading = page_heading(
        "Forecast", "Where the KPI is heading, and how well the model has done."
    )
    body, preparing = forecast_body(state, view, choice, polls=0)
    extra = [_notes(notes)] if notes else []
    return page_frame(
        state,
        view,
        heading,
        controls,
        *extra,
        html.Div(body, id="forecast-body"),
        poll_timer("forecast-poll", preparing, on_demand().runner.patience),
    )


def _choose(state: Current, view: View, notes: list[str]) -> Choice:
    """The KPI, grain, scope and horizon to show, noting what was changed and why."""
    forecast_kpis = stored_kpis(state) or ("revenue",)
    kpi = view.kpi if view.kpi in forecast_kpis else forecast_kpis[0]
    if view.kpi != kpi:
        notes.append(
            f"{CATALOGUE[view.kpi].label} is not forecast; "
            f"showing {CATALOGUE[kpi].label.lower()}."
        )
    grain = _grain(state, view.selection.grain, notes)
    assert state.cube is not None
    scope = _scope(view, state.cube.dimensions, notes)
    return Choice(kpi, grain, scope, view.horizon or DEFAULT_HORIZON)


def forecast_body(
    state: Current, view: View, choice: Choice, polls: int
) -> tuple[list[Any], bool]:
    """The chart, the outside note and the backtest, or why they are not there.

    The flag says whether an on-demand forecast is still being prepared.
    """
    if choice.scope == SELECTION:
        return _selection_body(state, view, choice, polls)
    key = series_key(choice.kpi, choice.grain, *_split_scope(choice.scope))
    future = _stored(state, key)
    if future.empty:
        sentence = (
            f"No forecast is stored for {CATALOGUE[choice.kpi].label} at "
            f"{choice.grain} grain in this scope; the next refresh makes one."
        )
        return [empty_state(sentence, "forecast")], False
    dimension, member = _split_scope(choice.scope)
    filters = ((dimension, (member,)),) if dimension else ()
    actuals = _actuals(state, choice.kpi, choice.grain, filters)
    return _result(state, choice, future, actuals, accuracy_for(state, key)), False


def _selection_body(
    state: Current, view: View, choice: Choice, polls: int
) -> tuple[list[Any], bool]:
    selection = dataclasses.replace(view.selection, grain=choice.grain)
    job = job_for(state, selection, choice.kpi)
    if job is None:
        return [empty_state(NO_FORECASTS, "forecast")], False
    outcome = page_outcome(state, job, polls)
    if outcome.state == DONE and outcome.forecast is not None:
        actuals = _actuals(state, choice.kpi, choice.grain, job.filters)
        future, accuracy = outcome.forecast, outcome.accuracy
        return _result(state, choice, future, actuals, accuracy), False
    if outcome.state == PENDING:
        return [preparing_state("forecast")], True
    return [empty_state(outcome.reason, "forecast")], False


def _result(
    state: Current,
    choice: Choice,
    future: pd.DataFrame,
    actuals: pd.DataFrame,
    accuracy: pd.Series | None,
) -> list[Any]:
    assert state.cube is not None
    steps = choice.horizon
    if choice.grain == "week":
        steps = round(steps * WEEKS_PER_MONTH)
    future = future.head(steps)
    actuals["outside"] = mark_outside(actuals, future)
    figure = build_forecast_figure(
        actuals, future, choice.kpi, now=state.cube.last_day, theme=request_theme()
    )
    return [
        chart("forecast", figure),
        _outside_note(actuals),
        _accuracy_table(accuracy),
    ]


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


@callback(
    Output("forecast-body", "children"),
    Output("forecast-poll", "disabled"),
    Input("forecast-poll", "n_intervals"),
    State("url", "search"),
    prevent_initial_call=True,
)
def poll_forecast(n_intervals: Any, search: Any) -> Any:
    return refresh_forecast(search, n_intervals)


def refresh_forecast(search: Any, n_intervals: Any) -> tuple[Any, bool]:
    """The page body again once its on-demand forecast is done, failed or late."""
    state = current()
    view = read_search(state, search)
    if state.cube is None or view is None:
        return no_update, True
    choice = _choose(state, view, [])
    if choice.scope != SELECTION:
        return no_update, True
    body, preparing = forecast_body(state, view, choice, polls=poll_count(n_intervals))
    # Still preparing: the spinner on the page is already right.
    return (no_update, False) if preparing else (body, True)


def _controls(state: Current, view: View, choice: Choice) -> dbc.Row:
    assert state.cube is not None
    kpis = stored_kpis(state) or ("revenue",)
    kpi, scope, horizon = choice.kpi, choice.scope, choice.horizon
    scopes = [{"label": "Whole business", "value": "all"}] + [
        {"label": f"{dimension.title()}: {member}", "value": f"{dimension}={member}"}
        for dimension, members in state.cube.dimensions.items()
        for member in members
    ]
    if scope_of(view.selection) is None:
        scopes.insert(
            0,
            {
                "label": selection_label(view, list(state.cube.dimensions)),
                "value": SELECTION,
            },
        )
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
    """The series parameter's scope, else the filter bar's selection."""
    several = scope_of(view.selection) is None
    if view.series == SELECTION and several:
        return SELECTION
    if view.series and view.series != SELECTION:
        dimension, _, member = view.series.partition("=")
        if view.series == "all" or member in dimensions.get(dimension, ()):
            return view.series if member else "all"
    if view.series:
        notes.append(f"Ignored series={view.series!r}: showing the filter bar's view.")
    if several:
        return SELECTION
    chosen, value = scope_of(view.selection) or (None, "")
    return f"{chosen}={value}" if chosen else "all"


def selection_label(view: View, dimensions: Sequence[str]) -> str:
    """The scope option of the filter bar's selection, ``This selection: East``.

    Dimensions come in the filter bar's order.
    """
    chosen = dict(view.selection.filters)
    parts = [", ".join(chosen[name]) for name in dimensions if name in chosen]
    return f"This selection: {' · '.join(parts)}"


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


def _actuals(state: Current, kpi: str, grain: str, filters: Filters) -> pd.DataFrame:
    assert state.cube is not None
    series = state.cube.series(Selection(filters=filters, grain=grain))
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
