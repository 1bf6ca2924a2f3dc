"""How forecasts did, as the Forecast page shows it: the backtest table, and the
comparison with an earlier forecast (its control, sentence and table).

Which archived forecasts exist and how each is scored is left to ``web/archive.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from web.archive import (
    NO_COMPARISON,
    ArchivedOrigin,
    comparison_sentence,
    default_origin,
    origin_label,
    period_label,
    score_forecast,
)
from web.components import empty_state
from web.formatting import format_change, format_kpi, format_value

# Forecasts made on demand for a selection are not archived, so they have no past.
NOT_ARCHIVED = (
    "Earlier forecasts are kept for the whole business and for single members; this "
    "selection's forecast is made on demand, so it has none to compare with."
)


class Compared(NamedTuple):
    """The earlier forecasts a series offers and the one shown (None: nothing)."""

    origins: Sequence[ArchivedOrigin] = ()
    chosen: ArchivedOrigin | None = None

    @property
    def vs(self) -> str | None:
        """The chosen origin as the URL writes it."""
        return self.chosen.origin.isoformat() if self.chosen else None


def choose_origin(
    origins: Sequence[ArchivedOrigin],
    asked: dt.date | None,
    grain: str,
    notes: list[str],
) -> Compared:
    """The archived forecast the URL asks for, else the default, with a note."""
    fallback = default_origin(list(origins))
    if asked is None:
        return Compared(origins, fallback)
    for found in origins:
        if found.origin == asked:
            return Compared(origins, found)

    instead = (
        f"showing the one made for {period_label(fallback.origin, grain)} onwards"
        if fallback
        else "there is none to compare with yet"
    )
    notes.append(
        f"Ignored vs={asked.isoformat()!r}: no earlier forecast of this series "
        f"starts then; {instead}."
    )
    return Compared(origins, fallback)


def earlier_name(chosen: ArchivedOrigin | None, grain: str) -> str:
    """The legend name of the earlier forecast's line."""
    if chosen is None:
        return "earlier forecast"
    # Short: a legend entry longer than this is cut on a laptop-wide chart.
    return f"forecast from {period_label(chosen.origin, grain)}"


def compare_control(compared: Compared, grain: str) -> html.Div:
    """The earlier forecast to compare with; hidden while the archive has none."""
    options = [
        {"label": origin_label(found, grain), "value": found.origin.isoformat()}
        for found in compared.origins
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
                value=compared.vs,
                options=options,
                className="flex-grow-1",
                style={"maxWidth": "40rem"},
            ),
        ],
        # Bootstrap's d-flex outranks an inline display: hide with its own class.
        className=("d-flex flex-wrap align-items-center mb-2" if options else "d-none"),
    )


def comparison_report(
    actuals: pd.DataFrame,
    earlier: pd.DataFrame,
    chosen: ArchivedOrigin | None,
    kpi: str,
    grain: str,
    *,
    archived: bool = True,
) -> html.Div:
    """How the earlier forecast did: a sentence and a row per scored period.

    ``archived`` is False for a forecast that the archive never keeps.
    """
    if chosen is None:
        text = NO_COMPARISON if archived else NOT_ARCHIVED
        children: list[Any] = [html.P(text, className="mb-1")]
    else:
        scores = score_forecast(actuals, earlier)
        children = [
            html.P(
                comparison_sentence(scores, chosen.origin, grain),
                className="mb-1",
                id="forecast-comparison-sentence",
            ),
            comparison_table(scores, kpi, grain),
        ]
    return html.Div(
        children, className="small text-body-secondary", id="forecast-comparison"
    )


def comparison_table(scores: pd.DataFrame, kpi: str, grain: str) -> dbc.Table:
    """Period, forecast, actual, error and whether each band held the actual."""
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
    heads = [
        "Period",
        "Forecast",
        "Actual",
        "Actual vs forecast",
        "Inside 80%",
        "Inside 95%",
    ]
    # Six columns are wider than a phone: the table scrolls inside its own box.
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(rows)],
        bordered=False,
        size="sm",
        responsive=True,
        className="w-auto",
        id="forecast-comparison-table",
    )


def accuracy_table(row: pd.Series | None) -> html.Div:
    """The backtest of the shown forecast next to the seasonal-naive baseline."""
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
