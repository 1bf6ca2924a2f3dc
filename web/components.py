"""Layout pieces shared by the pages: filter bar, banners, KPI cards, empty states.

Ids follow one scheme: ``filter-<name>`` for the filter bar, ``nav-<page>`` for the
navigation, ``card-<kpi>`` for a KPI card, ``chart-<name>`` for a graph.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from kpi import CATALOGUE, GRAINS
from web.data import Current
from web.figures import build_sparkline
from web.formatting import format_change, format_value
from web.state import View

GRAIN_LABELS = {"day": "Day", "week": "Week", "month": "Month"}


def filter_bar(dimensions: Sequence[str]) -> dbc.Card:
    """The one filter bar of every page; its values mirror the URL."""
    dimension_pickers = [
        dbc.Col(
            dcc.Dropdown(
                id=f"filter-{name}",
                multi=True,
                placeholder=f"All {name}s",
                clearable=True,
            ),
            xs=12,
            md=True,
        )
        for name in dimensions
    ]
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col(
                        dcc.Dropdown(
                            id="filter-preset",
                            placeholder="Quick pick",
                            clearable=True,
                            searchable=False,
                        ),
                        xs=12,
                        md=2,
                    ),
                    dbc.Col(
                        dcc.DatePickerRange(
                            id="filter-dates",
                            display_format="YYYY-MM-DD",
                            minimum_nights=0,
                            clearable=False,
                        ),
                        xs=12,
                        md="auto",
                    ),
                    *dimension_pickers,
                    dbc.Col(
                        dbc.RadioItems(
                            id="filter-grain",
                            options=[
                                {"label": GRAIN_LABELS[g], "value": g} for g in GRAINS
                            ],
                            value="month",
                            inline=True,
                        ),
                        xs=12,
                        md="auto",
                    ),
                ],
                className="g-2 align-items-center",
            )
        ),
        className="mb-3 filter-bar",
    )


def page_frame(current: Current, view: View | None, *children: object) -> html.Div:
    """Wrap a page's content in the freshness banner and the URL notices."""
    notices = [
        dbc.Alert(text, color="warning", className="py-1 mb-2 url-notice")
        for text in (view.notices if view else ())
    ]
    return html.Div([freshness_banner(current), *notices, *children])


def freshness_banner(current: Current) -> dbc.Alert:
    """Where the numbers come from and how old they are; a warning when they lag."""
    meta = current.meta
    if current.snapshot is None:
        return dbc.Alert(
            [html.Strong("No data yet. "), current.read.detail],
            color="secondary",
            id="freshness",
            className="py-2",
        )
    text = (
        f"Data through {meta.get('data_through', '?')}, "
        f"refreshed {_when(meta.get('refreshed_at'))}."
    )
    if current.read.status == "cache_unavailable":
        return dbc.Alert(
            [html.Strong("Cache unavailable: "), f"showing the last data seen. {text}"],
            color="warning",
            id="freshness",
            className="py-2",
        )
    if current.stale:
        return dbc.Alert(
            [html.Strong("Stale data: "), f"the daily refresh is late. {text}"],
            color="warning",
            id="freshness",
            className="py-2",
        )
    return dbc.Alert(text, color="light", id="freshness", className="py-2 small")


def empty_state(sentence: str) -> html.Div:
    """What a page shows where there is nothing to chart, and why."""
    return html.Div(sentence, className="empty-state text-muted p-4 text-center")


def kpi_card(summary: pd.DataFrame, series: pd.DataFrame, kpi: str) -> dbc.Card:
    """One KPI: its value, change vs the previous period and a year ago, a sparkline."""
    spec = CATALOGUE[kpi]
    row = summary.loc[kpi]
    body = [
        html.Div(spec.label, className="kpi-label", title=spec.formula),
        html.Div(
            format_value(row["value"], spec.unit),
            className="kpi-value",
            id=f"card-{kpi}-value",
        ),
        html.Div(
            [
                _change_badge(row["change"], spec.higher_is_better, "vs previous"),
                _change_badge(row["yoy"], spec.higher_is_better, "vs a year ago"),
            ],
            className="kpi-changes",
        ),
    ]
    if not series.empty and kpi in series:
        body.append(
            dcc.Graph(
                figure=build_sparkline(series[kpi]),
                config={"displayModeBar": False},
                className="kpi-sparkline",
            )
        )
    return dbc.Card(dbc.CardBody(body), id=f"card-{kpi}", className="kpi-card h-100")


def preset_ranges(
    first_day: dt.date, last_day: dt.date
) -> Mapping[str, tuple[dt.date, dt.date]]:
    """Quick picks relative to the last day with data, newest first."""
    quarter_start = dt.date(last_day.year, 3 * ((last_day.month - 1) // 3) + 1, 1)
    previous_quarter_end = quarter_start - dt.timedelta(days=1)
    previous_quarter_start = dt.date(
        previous_quarter_end.year, 3 * ((previous_quarter_end.month - 1) // 3) + 1, 1
    )
    ranges = {
        "Last 30 days": (last_day - dt.timedelta(days=29), last_day),
        "Month to date": (last_day.replace(day=1), last_day),
        "Quarter to date": (quarter_start, last_day),
        "Last quarter": (previous_quarter_start, previous_quarter_end),
        "Year to date": (dt.date(last_day.year, 1, 1), last_day),
        "All time": (first_day, last_day),
    }
    for year in range(last_day.year, first_day.year - 1, -1):
        ranges[str(year)] = (max(first_day, dt.date(year, 1, 1)), dt.date(year, 12, 31))
    return ranges


def _change_badge(change: float, higher_is_better: bool, label: str) -> html.Span:
    text = format_change(change)
    if text == "–" or change == 0:
        colour = "secondary"
    else:
        colour = "success" if (change > 0) == higher_is_better else "danger"
    return html.Span(
        [dbc.Badge(text, color=colour, className="me-1"), html.Small(label)],
        className="me-3 kpi-change",
    )


def _when(stamp: str | None) -> str:
    if not stamp:
        return "at an unknown time"
    moment = dt.datetime.fromisoformat(stamp)
    return moment.strftime("%Y-%m-%d %H:%M UTC")
