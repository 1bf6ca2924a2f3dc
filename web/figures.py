"""Every chart of the product: frames in, plotly figures out, one template per theme.

Pages call these builders and never style a figure themselves, so colours, fonts,
hover formats and empty states look the same everywhere. Hover labels use the
catalogue's number format of each KPI; axes a compact one.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from kpi import CATALOGUE
from web.formatting import axis_format, dimension_label, hover_format

ACTUAL = "#2f6fdf"
FORECAST = "#e07a1f"
BAND_80 = "rgba(224, 122, 31, 0.30)"
BAND_95 = "rgba(224, 122, 31, 0.14)"
PARTIAL = "#9aa5b1"
OUTSIDE = "#c0392b"
EARLIER = "#6f5aa8"
EARLIER_80 = "rgba(111, 90, 168, 0.16)"
EARLIER_95 = "rgba(111, 90, 168, 0.08)"
GOOD = "#2a9d6f"
BAD = "#d1495b"
NEW = "#2a9d8f"
PROFIT = "#8e5ea2"
THEMES = ("light", "dark")
Figure = dict[str, Any]  # a figure as the JSON plotly.js draws
_INK = {"light": "#212529", "dark": "#dee2e6"}
_GRID = {"light": "rgba(33, 37, 41, 0.12)", "dark": "rgba(222, 226, 230, 0.14)"}
_HOVER_BG = {"light": "#ffffff", "dark": "#2b3035"}


def _template(theme: str) -> go.layout.Template:
    axis = {
        "gridcolor": _GRID[theme],
        "linecolor": _GRID[theme],
        "zeroline": False,
        "automargin": True,
        "title": {"standoff": 8},
    }
    return go.layout.Template(
        layout=go.Layout(
            font={
                "family": "system-ui, -apple-system, Segoe UI, sans-serif",
                "size": 13,
                "color": _INK[theme],
            },
            colorway=[ACTUAL, FORECAST, NEW, PROFIT, "#e9c46a", "#6c757d"],
            margin={"l": 8, "r": 12, "t": 40, "b": 8},
            hovermode="x unified",
            hoverlabel={"bgcolor": _HOVER_BG[theme], "font": {"color": _INK[theme]}},
            legend={"orientation": "h", "y": -0.15, "x": 0},
            xaxis={**axis, "showgrid": False},
            yaxis=axis,
            paper_bgcolor="rgba(0,0,0,0)",
            plot_bgcolor="rgba(0,0,0,0)",
            height=340,
        )
    )


for _theme in THEMES:
    pio.templates[f"kpi_{_theme}"] = _template(_theme)


def template_of(theme: str) -> str:
    """The registered plotly template name of ``theme`` (light when unknown)."""
    return f"kpi_{theme}" if theme in THEMES else "kpi_light"


def templates_json() -> dict[str, Any]:
    """Both templates as plain JSON, for the browser to restyle charts in place."""
    return {t: pio.templates[template_of(t)].to_plotly_json() for t in THEMES}


_TEMPLATES_JSON = templates_json()


def _figure(title: str | None = None, **layout: Any) -> go.Figure:
    figure = go.Figure()
    if title:
        layout["title"] = {"text": title, "x": 0.01, "font": {"size": 15}}
    figure.update_layout(**layout)
    return figure


def _finish(figure: go.Figure, theme: str) -> Figure:
    """The figure as plain JSON with its theme's template attached.

    Naming a registered template makes plotly deep-copy and re-validate it for
    every figure; attaching the JSON once made is many times cheaper.
    """
    payload = figure.to_plotly_json()
    payload["layout"]["template"] = _TEMPLATES_JSON[
        theme if theme in THEMES else "light"
    ]
    return payload


def empty_figure(message: str, theme: str = "light") -> Figure:
    """A blank chart that says in one sentence why it is blank."""
    figure = _figure(height=220)
    figure.add_annotation(
        text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _finish(figure, theme)


def _hover(kpi: str, axis: str = "y") -> str:
    return f"%{{{axis}:{hover_format(kpi)}}}"


def build_trend_figure(
    series: pd.DataFrame,
    kpi: str,
    forecast: pd.DataFrame | None = None,
    theme: str = "light",
) -> Figure:
    """A KPI over time: complete periods solid, the partial one grey, forecast dashed.

    ``series`` has ``period``, ``partial`` and a ``kpi`` column; ``forecast`` has
    ``date``, ``forecast``, ``lo80``, ``hi80``.
    """
    spec = CATALOGUE[kpi]
    figure = _figure(spec.label, yaxis_tickformat=axis_format(kpi))
    _add_history(figure, series, "period", kpi, kpi, spec.label)
    if forecast is not None and not forecast.empty:
        _add_band(figure, forecast, "lo80", "hi80", BAND_80, "80% interval")
        _add_forecast_line(figure, forecast, kpi)
    return _finish(figure, theme)


def build_forecast_figure(
    actuals: pd.DataFrame,
    forecast: pd.DataFrame,
    kpi: str,
    now: dt.date,
    theme: str = "light",
    earlier: pd.DataFrame | None = None,
    earlier_name: str = "earlier forecast",
) -> Figure:
    """Actuals, the forecast with its 80% and 95% bands, and a line at "now".

    ``actuals`` has ``date``, ``actual``, ``partial``, ``outside`` (the actual fell
    outside the 95% band of ``earlier``) and optionally ``outside80`` (outside its
    80% band only); ``forecast`` and ``earlier`` have ``date``, ``forecast``,
    ``lo80``, ``hi80``, ``lo95``, ``hi95``. ``earlier``, a forecast an earlier
    refresh made, is drawn dotted over lightly shaded bands.
    """
    figure = _figure(CATALOGUE[kpi].label, yaxis_tickformat=axis_format(kpi))
    if earlier is not None and not earlier.empty:
        _add_band(figure, earlier, "lo95", "hi95", EARLIER_95, "its 95% interval")
        _add_band(figure, earlier, "lo80", "hi80", EARLIER_80, "its 80% interval")
    _add_band(figure, forecast, "lo95", "hi95", BAND_95, "95% interval")
    _add_band(figure, forecast, "lo80", "hi80", BAND_80, "80% interval")
    _add_history(figure, actuals, "date", "actual", kpi, "actual")
    _add_forecast_line(figure, forecast, kpi)
    if earlier is not None and not earlier.empty:
        _add_forecast_line(figure, earlier, kpi, earlier_name, EARLIER, "dot")
    _add_misses(figure, actuals, "outside", "outside its 95% band", "x", kpi)
    if "outside80" in actuals:
        _add_misses(
            figure, actuals, "outside80", "outside its 80% band", "circle-open", kpi
        )
    stamp = pd.Timestamp(now).value / 1e6
    figure.add_vline(x=stamp, line={"dash": "dot", "width": 1, "color": PARTIAL})
    figure.add_annotation(
        x=stamp, y=1, yref="paper", text="now", showarrow=False, yanchor="bottom"
    )
    return _finish(figure, theme)


def build_sparkline(
    values: pd.Series, partial: pd.Series, theme: str = "light"
) -> Figure:
    """A tiny line with no axes for a KPI card; the partial last period a grey dot.

    Built as plain JSON with float32 typed arrays: it has no text to theme, and six
    of them on a page would otherwise cost more than all the other charts.
    """
    y = values.to_numpy(dtype="float64")
    flags = partial.to_numpy(dtype=bool)
    line = np.where(flags, np.nan, y)
    hidden = {"visible": False, "fixedrange": True}
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "y": _typed(line),
            "mode": "lines",
            "line": {"color": ACTUAL, "width": 2},
            "hoverinfo": "skip",
        }
    ]
    if flags.any():
        data.append(
            {
                "type": "scatter",
                "x": np.flatnonzero(flags).tolist(),
                "y": y[flags].tolist(),
                "mode": "markers",
                "marker": {"color": PARTIAL, "size": 6},
                "hoverinfo": "skip",
            }
        )
    layout = {
        "height": 48,
        "margin": {"l": 2, "r": 6, "t": 4, "b": 4},
        "showlegend": False,
        "xaxis": hidden,
        "yaxis": hidden,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    return {"data": data, "layout": layout}


def build_bar_figure(
    table: pd.DataFrame, kpis: list[str], title: str, theme: str = "light"
) -> Figure:
    """Bars of one or more KPIs of the same unit, one group per row of ``table``."""
    figure = _figure(
        title,
        barmode="group",
        hovermode="y unified",
        xaxis_tickformat=axis_format(kpis[0]),
        yaxis={"autorange": "reversed", "showgrid": False},
        xaxis={"showgrid": True},
        height=max(220, 90 + 44 * len(table) * len(kpis) ** 0.5),
    )
    colours = {"revenue": ACTUAL, "profit": PROFIT, "margin": NEW}
    for kpi in kpis:
        figure.add_bar(
            y=table.index.astype(str),
            x=table[kpi],
            name=CATALOGUE[kpi].label,
            orientation="h",
            marker_color=colours.get(kpi, ACTUAL),
            hovertemplate=_hover(kpi, "x"),
        )
    return _finish(figure, theme)


def build_contribution_figure(
    contributions: pd.DataFrame, kpi: str, dimension: str, theme: str = "light"
) -> Figure:
    """Each member's part of a KPI's change, largest first, coloured good or bad."""
    spec = CATALOGUE[kpi]
    change = contributions["change"].to_numpy(dtype="float64")
    good = (change > 0) == spec.higher_is_better
    figure = _figure(
        f"What changed: {spec.label.lower()} by {dimension_label(dimension).lower()}",
        hovermode="closest",
        xaxis={"tickformat": axis_format(kpi), "showgrid": True, "zeroline": True},
        yaxis={"autorange": "reversed", "showgrid": False},
        height=max(220, 90 + 36 * len(contributions)),
        showlegend=False,
    )
    figure.add_bar(
        y=contributions.index.astype(str),
        x=change,
        orientation="h",
        marker_color=np.where(good, GOOD, BAD).tolist(),
        customdata=contributions[["previous", "current"]].to_numpy(),
        hovertemplate=(
            f"%{{y}}: %{{x:+{hover_format(kpi)}}}<br>"
            f"%{{customdata[0]:{hover_format(kpi)}}} → "
            f"%{{customdata[1]:{hover_format(kpi)}}}<extra></extra>"
        ),
    )
    return _finish(figure, theme)


def build_customers_figure(series: pd.DataFrame, theme: str = "light") -> Figure:
    """New and returning customers stacked per period: together the active ones."""
    figure = _figure(
        "Active customers: new and returning",
        barmode="stack",
        yaxis_tickformat=axis_format("active_customers"),
    )
    for kpi, colour in (("returning_customers", ACTUAL), ("new_customers", NEW)):
        figure.add_bar(
            x=_days(series["period"]),
            y=series[kpi],
            name=CATALOGUE[kpi].label,
            marker_color=colour,
            marker_pattern_shape=np.where(series["partial"], "/", "").tolist(),
            hovertemplate=_hover(kpi),
        )
    return _finish(figure, theme)


def build_rates_figure(
    series: pd.DataFrame, kpis: tuple[str, ...], theme: str = "light"
) -> Figure:
    """Ratio KPIs over time as lines; the partial period's points hollow."""
    title = " and ".join(CATALOGUE[k].label.lower() for k in kpis).capitalize()
    figure = _figure(title, yaxis_tickformat=".0%")
    complete = series[~series["partial"]]
    partial = series[series["partial"]]
    for kpi, colour in zip(kpis, (ACTUAL, BAD), strict=False):
        figure.add_scatter(
            x=_days(complete["period"]),
            y=complete[kpi],
            name=CATALOGUE[kpi].label,
            mode="lines+markers",
            line={"color": colour},
            hovertemplate=_hover(kpi),
        )
        if not partial.empty:
            figure.add_scatter(
                x=_days(partial["period"]),
                y=partial[kpi],
                name=f"{CATALOGUE[kpi].label} so far",
                mode="markers",
                marker={"color": colour, "symbol": "circle-open", "size": 9},
                showlegend=False,
                hovertemplate=_hover(kpi),
            )
    return _finish(figure, theme)


def build_cohort_figure(cohorts: pd.DataFrame, theme: str = "light") -> Figure:
    """The monthly cohort retention grid: share of each cohort active n months on.

    Each row is labelled with its cohort's size, so a cohort of two customers is
    not read as firmly as one of two hundred. Months in which no customer started
    are left out.
    """
    cohorts = cohorts[cohorts["cohort_size"] > 0]
    grid = cohorts.pivot(index="cohort", columns="months_since", values="share")
    sizes = cohorts.pivot(index="cohort", columns="months_since", values="customers")
    starters = cohorts.groupby("cohort")["cohort_size"].first().reindex(grid.index)
    labels = [
        f"{pd.Timestamp(c).strftime('%Y-%m')} ({n:,})" for c, n in starters.items()
    ]
    figure = _figure(
        "Retention by monthly cohort",
        hovermode="closest",
        xaxis={"title": {"text": "months since the first order"}, "dtick": 1},
        yaxis={
            "title": {"text": "cohort (customers)"},
            "autorange": "reversed",
            "type": "category",
            "showgrid": False,
        },
        height=max(280, 120 + 22 * len(labels)),
    )
    figure.add_heatmap(
        z=grid.to_numpy(dtype="float64"),
        x=grid.columns.to_numpy(),
        y=labels,
        customdata=sizes.to_numpy(dtype="float64"),
        colorscale="Blues",
        xgap=1,
        ygap=1,
        zmin=0,
        zmax=1,
        colorbar={"tickformat": ".0%", "thickness": 10},
        hovertemplate=(
            "cohort %{y}, month %{x}: %{z:.1%} active (%{customdata:,.0f})"
            "<extra></extra>"
        ),
    )
    return _finish(figure, theme)


def _days(stamps: pd.Series) -> list[str]:
    """Period starts as ``YYYY-MM-DD``: a third of the bytes of full timestamps."""
    return pd.DatetimeIndex(stamps).strftime("%Y-%m-%d").tolist()


def _typed(values: np.ndarray) -> dict[str, str]:
    """A float32 typed array in plotly.js's base64 form (missing values are NaN)."""
    raw = np.ascontiguousarray(values, dtype="<f4").tobytes()
    return {"dtype": "f4", "bdata": base64.b64encode(raw).decode("ascii")}


def _add_history(
    figure: go.Figure, frame: pd.DataFrame, x: str, y: str, kpi: str, name: str
) -> None:
    """Complete periods as a solid line, the unfinished one as a grey point."""
    complete = frame[~frame["partial"]]
    figure.add_scatter(
        x=_days(complete[x]),
        y=complete[y],
        name=name,
        mode="lines+markers",
        line={"color": ACTUAL},
        hovertemplate=_hover(kpi),
    )
    partial = frame[frame["partial"]]
    if not partial.empty:
        figure.add_scatter(
            x=_days(partial[x]),
            y=partial[y],
            name="so far (partial)",
            mode="markers",
            marker={"color": PARTIAL, "size": 9},
            hovertemplate=_hover(kpi),
        )


def _add_forecast_line(
    figure: go.Figure,
    forecast: pd.DataFrame,
    kpi: str,
    name: str = "forecast",
    colour: str = FORECAST,
    dash: str = "dash",
) -> None:
    figure.add_scatter(
        x=_days(forecast["date"]),
        y=forecast["forecast"],
        name=name,
        mode="lines",
        line={"color": colour, "dash": dash},
        hovertemplate=_hover(kpi),
    )


def _add_misses(
    figure: go.Figure,
    actuals: pd.DataFrame,
    flag: str,
    name: str,
    symbol: str,
    kpi: str,
) -> None:
    """Markers on the actuals flagged in column ``flag``, if any."""
    missed = actuals[actuals[flag]]
    if missed.empty:
        return
    figure.add_scatter(
        x=_days(missed["date"]),
        y=missed["actual"],
        name=name,
        mode="markers",
        marker={
            "color": OUTSIDE,
            "size": 11,
            "symbol": symbol,
            "line": {"color": OUTSIDE, "width": 1.5},
        },
        hovertemplate=_hover(kpi),
    )


def _add_band(
    figure: go.Figure, frame: pd.DataFrame, low: str, high: str, colour: str, name: str
) -> None:
    figure.add_scatter(
        x=_days(frame["date"]),
        y=frame[high],
        mode="lines",
        line={"width": 0},
        showlegend=False,
        hoverinfo="skip",
    )
    figure.add_scatter(
        x=_days(frame["date"]),
        y=frame[low],
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor=colour,
        name=name,
        hoverinfo="skip",
    )
