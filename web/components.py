"""Layout pieces shared by the pages: filter bar, banners, KPI cards, charts, tables.

Ids follow one scheme: ``filter-<name>`` for the filter bar, ``nav-<page>`` for the
navigation, ``card-<kpi>`` for a KPI card, ``chart-<name>`` for the box around a
graph (the graph itself is ``{"type": "chart", "name": <name>}``, so the theme
switch can restyle every graph at once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from kpi import CATALOGUE, GRAINS, KpiSpec
from web.data import Current
from web.figures import Figure, build_sparkline
from web.formatting import format_change, format_kpi, plural
from web.ondemand import POLL_SECONDS, PREPARING, poll_limit
from web.state import View
from web.theme import theme_switch

GRAIN_LABELS = {"day": "Day", "week": "Week", "month": "Month"}
GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True}


def filter_bar(dimensions: Sequence[str]) -> dbc.Card:
    """The one filter bar of every page; its values mirror the URL."""
    dimension_pickers = [
        dbc.Col(
            dcc.Dropdown(
                id=f"filter-{name}",
                multi=True,
                placeholder=f"All {plural(name)}",
                clearable=True,
            ),
            xs=12,
            md=True,
        )
        for name in dimensions
    ]
    when = [
        dbc.Col(
            dcc.Dropdown(
                id="filter-preset",
                placeholder="Quick pick",
                clearable=True,
                searchable=False,
            ),
            xs=12,
            md=3,
            xl=2,
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
        dbc.Col(
            dbc.RadioItems(
                id="filter-grain",
                options=[{"label": GRAIN_LABELS[g], "value": g} for g in GRAINS],
                value="month",
                inline=True,
            ),
            xs="auto",
        ),
        dbc.Col(theme_switch(), xs="auto", className="ms-auto"),
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(when, className="g-2 align-items-center mb-2"),
                dbc.Row(dimension_pickers, className="g-2"),
            ],
            className="p-2",
        ),
        className="mb-2 filter-bar",
    )


def page_frame(current: Current, view: View | None, *children: Any) -> html.Div:
    """Wrap a page's content in the freshness banner and the URL notices."""
    notices = [
        dbc.Alert(text, color="warning", className="py-1 mb-2 url-notice")
        for text in (view.notices if view else ())
    ]
    return html.Div([freshness_banner(current), *notices, *children])


def page_heading(title: str, subtitle: str | None = None) -> html.Div:
    """A page's title and one line saying what it answers."""
    parts: list[Any] = [html.H2(title, className="h4 mb-0")]
    if subtitle:
        parts.append(html.P(subtitle, className="text-body-secondary small mb-2"))
    return html.Div(parts, className="mb-2")


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
        f"refreshed {format_stamp(meta.get('refreshed_at'))}."
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
    return dbc.Alert(
        text, color="light", id="freshness", className="py-1 px-2 small mb-2"
    )


def empty_state(sentence: str, name: str | None = None) -> html.Div:
    """What a page shows where there is nothing to chart, and why."""
    return html.Div(
        sentence,
        className="empty-state text-body-secondary p-4 text-center",
        id=f"empty-{name}" if name else "empty-page",
    )


def preparing_state(name: str) -> html.Div:
    """What stands in for a chart while its forecast is prepared on demand."""
    return html.Div(
        [
            dbc.Spinner(size="sm", spinner_class_name="me-2"),
            PREPARING,
        ],
        className="empty-state text-body-secondary p-4 text-center",
        id=f"preparing-{name}",
    )


def poll_timer(name: str, active: bool, patience: float) -> dcc.Interval:
    """The timer that asks again whether an on-demand forecast is ready."""
    return dcc.Interval(
        id=name,
        interval=POLL_SECONDS * 1000,
        disabled=not active,
        max_intervals=poll_limit(patience) + 1 if active else -1,
    )


def chart(name: str, figure: Figure) -> html.Div:
    """A graph in its box, ``chart-<name>``."""
    return html.Div(
        dcc.Graph(
            id={"type": "chart", "name": name}, figure=figure, config=GRAPH_CONFIG
        ),
        id=f"chart-{name}",
        className="chart-box",
    )


def kpi_cards(
    summary: pd.DataFrame, series: pd.DataFrame, kpis: Sequence[str]
) -> dbc.Row:
    """A row of KPI cards: six across a wide screen, two on a phone."""
    return dbc.Row(
        [dbc.Col(kpi_card(summary, series, kpi), xs=6, md=4, xl=2) for kpi in kpis],
        className="g-2 mb-2",
    )


def kpi_card(summary: pd.DataFrame, series: pd.DataFrame, kpi: str) -> dbc.Card:
    """One KPI: its value, change vs the previous period and a year ago, a sparkline."""
    spec = CATALOGUE[kpi]
    row = summary.loc[kpi]
    body: list[Any] = [
        html.Div(spec.label, className="kpi-label", title=spec.formula),
        html.Div(
            format_kpi(row["value"], kpi),
            className="kpi-value",
            id=f"card-{kpi}-value",
        ),
        html.Div(
            [
                _change_badge(row["change"], spec, "vs previous"),
                _change_badge(row["yoy"], spec, "vs a year ago"),
            ],
            className="kpi-changes",
        ),
    ]
    if not series.empty and kpi in series:
        body.append(
            dcc.Graph(
                figure=build_sparkline(series[kpi], series["partial"]),
                config={"displayModeBar": False, "staticPlot": True},
                className="kpi-sparkline",
            )
        )
    return dbc.Card(dbc.CardBody(body), id=f"card-{kpi}", className="kpi-card h-100")


def partial_note(
    series: pd.DataFrame, grain: str, last_day: dt.date
) -> html.Div | None:
    """A line naming the periods the range or the data cut short, if any."""
    periods = series.loc[series["partial"], "period"]
    if periods.empty:
        return None
    names = ", ".join(period_label(p, grain) for p in periods)
    return html.Div(
        [
            html.Span("●", className="partial-dot me-1"),
            f"{names}: partial {grain} (grey on the charts; data through "
            f"{last_day.isoformat()} or cut by the range). Its changes compare the "
            f"same days of earlier {grain}s.",
        ],
        className="small text-body-secondary mb-2",
        id="partial-note",
    )


def period_label(period: pd.Timestamp | dt.date, grain: str) -> str:
    """A period as people name it: ``Dec 2017``, ``week of 2017-12-25``, a date."""
    stamp = pd.Timestamp(period)
    if grain == "month":
        return stamp.strftime("%b %Y")
    if grain == "week":
        return f"week of {stamp.date().isoformat()}"
    return stamp.date().isoformat()


def data_table(frame: pd.DataFrame, table_id: str) -> dbc.Table:
    """A small formatted table: the index as the first column, headers as given.

    Cells carry no classes of their own (the ``numbers`` class right-aligns them),
    which keeps a long table's payload small.
    """
    header = html.Thead(
        html.Tr([html.Th(frame.index.name or "")] + [html.Th(c) for c in frame.columns])
    )
    rows = [
        html.Tr([html.Th(str(index))] + [html.Td(str(value)) for value in row])
        for index, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    return dbc.Table(
        [header, html.Tbody(rows)],
        size="sm",
        hover=True,
        responsive=True,
        className="small mb-0 numbers",
        id=table_id,
    )


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


def format_stamp(stamp: str | None) -> str:
    """An ISO timestamp as ``2026-12-04 05:00 UTC``."""
    if not stamp:
        return "at an unknown time"
    moment = dt.datetime.fromisoformat(stamp).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _change_badge(change: float, spec: KpiSpec, label: str) -> html.Span:
    text = format_change(change, spec.unit)
    if text == "–" or change == 0:
        colour = "secondary"
    else:
        colour = "success" if (change > 0) == spec.higher_is_better else "danger"
    return html.Span(
        [dbc.Badge(text, color=colour, className="me-1"), html.Small(label)],
        className="me-2 kpi-change text-nowrap",
    )
