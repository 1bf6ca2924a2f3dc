"""Every chart of the product: frames in, plotly figures out, one shared template.

Pages call these builders and never style a figure themselves, so colours, fonts,
hover formats and empty states look the same everywhere.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from web.formatting import d3_format

ACTUAL = "#2f6fdf"
FORECAST = "#e07a1f"
BAND_80 = "rgba(224, 122, 31, 0.28)"
BAND_95 = "rgba(224, 122, 31, 0.14)"
PARTIAL = "#9aa5b1"
OUTSIDE = "#c0392b"

pio.templates["kpi_light"] = go.layout.Template(
    layout=go.Layout(
        font={"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 13},
        colorway=[ACTUAL, FORECAST, "#2a9d8f", "#8e5ea2", "#e9c46a", "#6c757d"],
        margin={"l": 56, "r": 16, "t": 36, "b": 40},
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.18},
        xaxis={"showgrid": False},
        yaxis={"gridcolor": "rgba(128,128,128,0.2)", "zeroline": False},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
)
pio.templates["kpi_dark"] = go.layout.Template(
    layout=go.Layout(font={"color": "#e6e6e6"}),
)
TEMPLATES = {"light": "kpi_light", "dark": "kpi_light+kpi_dark"}


def empty_figure(message: str, theme: str = "light") -> go.Figure:
    """A blank chart that says in one sentence why it is blank."""
    figure = go.Figure(layout={"template": TEMPLATES.get(theme, "kpi_light")})
    figure.add_annotation(
        text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def build_trend_figure(
    series: pd.DataFrame,
    kpi: str,
    label: str,
    unit: str,
    forecast: pd.DataFrame | None = None,
    theme: str = "light",
) -> go.Figure:
    """A KPI over time: complete periods solid, the partial one grey, forecast dashed.

    ``series`` has ``period``, ``partial`` and a ``kpi`` column; ``forecast`` has
    ``date``, ``forecast``, ``lo80``, ``hi80``.
    """
    hover = f"%{{y:{d3_format(unit)}}}"
    figure = go.Figure(layout={"template": TEMPLATES.get(theme, "kpi_light")})
    complete = series[~series["partial"]]
    figure.add_scatter(
        x=complete["period"],
        y=complete[kpi],
        name=label,
        mode="lines+markers",
        line={"color": ACTUAL},
        hovertemplate=hover,
    )
    partial = series[series["partial"]]
    if not partial.empty:
        figure.add_scatter(
            x=partial["period"],
            y=partial[kpi],
            name="so far (partial)",
            mode="markers",
            marker={"color": PARTIAL, "size": 9},
            hovertemplate=hover,
        )
    if forecast is not None and not forecast.empty:
        _add_band(figure, forecast, "lo80", "hi80", BAND_80, "80% interval")
        figure.add_scatter(
            x=forecast["date"],
            y=forecast["forecast"],
            name="forecast",
            mode="lines",
            line={"color": FORECAST, "dash": "dash"},
            hovertemplate=hover,
        )
    figure.update_layout(
        title={"text": label, "x": 0.01}, yaxis_tickformat=d3_format(unit)
    )
    return figure


def build_forecast_figure(
    actuals: pd.DataFrame,
    forecast: pd.DataFrame,
    label: str,
    unit: str,
    now: dt.date,
    theme: str = "light",
) -> go.Figure:
    """Actuals, the forecast with its 80% and 95% bands, and a line at "now".

    ``actuals`` has ``date``, ``actual`` and ``outside`` (the actual fell outside
    the 95% band of the forecast made before it); ``forecast`` has ``date``,
    ``forecast``, ``lo80``, ``hi80``, ``lo95``, ``hi95``.
    """
    hover = f"%{{y:{d3_format(unit)}}}"
    figure = go.Figure(layout={"template": TEMPLATES.get(theme, "kpi_light")})
    _add_band(figure, forecast, "lo95", "hi95", BAND_95, "95% interval")
    _add_band(figure, forecast, "lo80", "hi80", BAND_80, "80% interval")
    figure.add_scatter(
        x=actuals["date"],
        y=actuals["actual"],
        name="actual",
        mode="lines+markers",
        line={"color": ACTUAL},
        hovertemplate=hover,
    )
    figure.add_scatter(
        x=forecast["date"],
        y=forecast["forecast"],
        name="forecast",
        mode="lines",
        line={"color": FORECAST, "dash": "dash"},
        hovertemplate=hover,
    )
    if "outside" in actuals and actuals["outside"].any():
        missed = actuals[actuals["outside"]]
        figure.add_scatter(
            x=missed["date"],
            y=missed["actual"],
            name="outside the 95% band",
            mode="markers",
            marker={"color": OUTSIDE, "size": 11, "symbol": "x"},
            hovertemplate=hover,
        )
    figure.add_vline(x=pd.Timestamp(now).value / 1e6, line={"dash": "dot", "width": 1})
    figure.add_annotation(
        x=pd.Timestamp(now).value / 1e6,
        y=1,
        yref="paper",
        text="now",
        showarrow=False,
        yanchor="bottom",
    )
    figure.update_layout(
        title={"text": label, "x": 0.01}, yaxis_tickformat=d3_format(unit)
    )
    return figure


def build_sparkline(values: pd.Series, theme: str = "light") -> go.Figure:
    """A tiny line with no axes, for a KPI card."""
    figure = go.Figure(layout={"template": TEMPLATES.get(theme, "kpi_light")})
    figure.add_scatter(
        y=values.to_numpy(),
        mode="lines",
        line={"color": ACTUAL, "width": 2},
        hoverinfo="skip",
    )
    figure.update_layout(
        height=48, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def _add_band(
    figure: go.Figure, frame: pd.DataFrame, low: str, high: str, colour: str, name: str
) -> None:
    figure.add_scatter(
        x=frame["date"],
        y=frame[high],
        mode="lines",
        line={"width": 0},
        showlegend=False,
        hoverinfo="skip",
    )
    figure.add_scatter(
        x=frame["date"],
        y=frame[low],
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor=colour,
        name=name,
        hoverinfo="skip",
    )
