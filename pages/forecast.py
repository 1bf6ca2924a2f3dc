"""Forecast: where a KPI is heading, with its bands and how accurate it has been.

The user picks a KPI, a scope (the business, one member or the filter bar's own
selection), a horizon and an earlier forecast to compare with; the page shows the
SARIMAX forecast, how the earlier one did against the actuals, and the backtest next
to a seasonal-naive baseline. A selection's forecast is made on demand and polled.
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
from web.archive import ARCHIVE, archived_forecast, archived_origins
from web.comparison import (
    Compared,
    accuracy_table,
    choose_origin,
    compare_control,
    comparison_report,
    earlier_name,
)
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
    accuracy_for,
    mark_outside,
    scope_of,
    series_key,
    stored_grains,
    stored_kpis,
)
from web.ondemand import (
    DONE,
    NO_FORECASTS,
    PENDING,
    horizon_periods,
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


class Body(NamedTuple):
    """The page below its controls, whether it still waits for an on-demand
    forecast, and the earlier forecasts its controls offer."""

    children: list[Any]
    preparing: bool
    compared: Compared = Compared()


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
    body = forecast_body(state, view, choice, notes, polls=0)
    controls = html.Div(
        [
            _controls(state, view, choice),
            compare_control(body.compared, choice.grain),
            # What the controls show now: their first report is not a choice.
            dcc.Store(
                id="forecast-shown",
                data=[choice.kpi, choice.scope, choice.horizon, body.compared.vs],
            ),
        ]
    )
    heading = page_heading(
        "Forecast", "Where the KPI is heading, and how well the model has done."
    )
    return page_frame(
        state,
        view,
        heading,
        controls,
        *_notes(notes),
        html.Div(body.children, id="forecast-body"),
        poll_timer("forecast-poll", body.preparing, on_demand().runner.patience),
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
    scope = _scope(view, state.cube.dimensions, state.config.on_demand, notes)
    return Choice(kpi, grain, scope, view.horizon or DEFAULT_HORIZON)


def forecast_body(
    state: Current, view: View, choice: Choice, notes: list[str], polls: int
) -> Body:
    """The chart, the comparison and the backtest, or why they are not there."""
    if choice.scope == SELECTION:
        return _selection_body(state, view, choice, polls)
    key = _key(choice)
    future = _stored(state, key)
    if future.empty:
        sentence = (
            f"No forecast is stored for {CATALOGUE[choice.kpi].label} at "
            f"{choice.grain} grain in this scope; the next refresh makes one."
        )
        return Body([empty_state(sentence, "forecast")], False)
    actuals = _actuals(state, choice.kpi, choice.grain, _filters(choice.scope))
    archive = state.frame(ARCHIVE)
    origins = archived_origins(archive, key, future["date"].min(), actuals)
    compared = choose_origin(origins, view.vs, choice.grain, notes)
    earlier = (
        archived_forecast(archive, key, compared.chosen.origin)
        if compared.chosen
        else None
    )
    accuracy = accuracy_for(state, key)
    children = _result(state, choice, future, actuals, accuracy, compared, earlier)
    return Body(children, False, compared)


def _selection_body(state: Current, view: View, choice: Choice, polls: int) -> Body:
    """The filter bar's selection, forecast on demand: ready, pending or failed."""
    selection = dataclasses.replace(view.selection, grain=choice.grain)
    job = job_for(state, selection, choice.kpi)
    if job is None:
        return Body([empty_state(NO_FORECASTS, "forecast")], False)
    outcome = page_outcome(state, job, polls)
    if outcome.state == DONE and outcome.forecast is not None:
        actuals = _actuals(state, choice.kpi, choice.grain, job.filters)
        future, accuracy = outcome.forecast, outcome.accuracy
        return Body(_result(state, choice, future, actuals, accuracy, None), False)
    if outcome.state == PENDING:
        return Body([preparing_state("forecast")], True)
    return Body([empty_state(outcome.reason, "forecast")], False)


def _result(
    state: Current,
    choice: Choice,
    future: pd.DataFrame,
    actuals: pd.DataFrame,
    accuracy: pd.Series | None,
    compared: Compared | None,
    earlier: pd.DataFrame | None = None,
) -> list[Any]:
    """The chart with the earlier forecast's misses marked, the comparison and the
    backtest; ``compared`` is None for a forecast the archive never keeps."""
    assert state.cube is not None
    future = future.head(horizon_periods(choice.grain, choice.horizon))
    start = future["date"].min()
    chosen = compared.chosen if compared else None
    missed = earlier if earlier is not None else pd.DataFrame()
    actuals["outside"] = mark_outside(actuals, missed)
    actuals["outside80"] = mark_outside(actuals, missed, 80) & ~actuals["outside"]
    figure = build_forecast_figure(
        actuals,
        future,
        choice.kpi,
        now=state.cube.last_day,
        theme=request_theme(),
        # Up to where the current forecast takes over, so the two do not overlap.
        earlier=None if earlier is None else earlier[earlier["date"] <= start],
        earlier_name=earlier_name(chosen, choice.grain),
    )
    report = comparison_report(
        actuals, missed, chosen, choice.kpi, choice.grain, archived=compared is not None
    )
    return [chart("forecast", figure), report, accuracy_table(accuracy)]


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
    # The comparison follows the URL until the user picks one; another series has
    # other earlier forecasts, so a new KPI or scope starts from its default.
    if ctx.triggered_id == "forecast-vs":
        values["vs"] = vs or ""
    elif ctx.triggered_id in ("forecast-kpi", "forecast-scope"):
        values["vs"] = ""
    encoded = update_search(search, **values)
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
    body = forecast_body(state, view, choice, [], poll_count(n_intervals))
    # Still preparing: the spinner on the page is already right.
    return (no_update, False) if body.preparing else (body.children, True)


def _controls(state: Current, view: View, choice: Choice) -> dbc.Row:
    assert state.cube is not None
    kpis = stored_kpis(state) or ("revenue",)
    kpi, scope, horizon = choice.kpi, choice.scope, choice.horizon
    scopes = [{"label": "Whole business", "value": "all"}] + [
        {"label": f"{dimension.title()}: {member}", "value": f"{dimension}={member}"}
        for dimension, members in state.cube.dimensions.items()
        for member in members
    ]
    if scope_of(view.selection) is None and state.config.on_demand:
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
    view: View,
    dimensions: Mapping[str, Sequence[str]],
    on_demand: bool,
    notes: list[str],
) -> str:
    """The series parameter's scope, else the filter bar's selection.

    Without forecasts made on demand, a selection of several members shows the
    whole business, with a note.
    """
    several = scope_of(view.selection) is None
    if view.series == SELECTION and several and on_demand:
        return SELECTION
    if view.series and view.series != SELECTION:
        dimension, _, member = view.series.partition("=")
        if view.series == "all" or member in dimensions.get(dimension, ()):
            return view.series if member else "all"
    if view.series:
        notes.append(f"Ignored series={view.series!r}: showing the filter bar's view.")
    if not several:
        chosen, value = scope_of(view.selection) or (None, "")
        return f"{chosen}={value}" if chosen else "all"
    if on_demand:
        return SELECTION
    notes.append(
        "This deployment makes no forecast for several filter values at once; "
        "showing the whole business. Pick one scope above."
    )
    return "all"


def selection_label(view: View, dimensions: Sequence[str]) -> str:
    """The scope option of the filter bar's selection, ``This selection: East``.

    Dimensions come in the filter bar's order.
    """
    chosen = dict(view.selection.filters)
    parts = [", ".join(chosen[name]) for name in dimensions if name in chosen]
    return f"This selection: {' · '.join(parts)}"


def _notes(notes: list[str]) -> list[html.Div]:
    if not notes:
        return []
    alerts = [dbc.Alert(text, color="info", className="py-1 mb-2") for text in notes]
    return [html.Div(alerts, id="forecast-notes")]


def _split_scope(scope: str) -> tuple[str | None, str]:
    if scope == "all":
        return None, ""
    dimension, _, member = scope.partition("=")
    return dimension, member


def _filters(scope: str) -> Filters:
    """The filters of a stored scope: none for the business, else one member."""
    dimension, member = _split_scope(scope)
    return ((dimension, (member,)),) if dimension else ()


def _key(choice: Choice) -> str:
    """The id of the stored series that ``choice`` shows."""
    return series_key(choice.kpi, choice.grain, *_split_scope(choice.scope))


def _actuals(state: Current, kpi: str, grain: str, filters: Filters) -> pd.DataFrame:
    assert state.cube is not None
    series = state.cube.series(Selection(filters=filters, grain=grain))
    return pd.DataFrame(
        {"date": series["period"], "actual": series[kpi], "partial": series["partial"]}
    )
