"""The light and dark themes: the switch, where the choice is kept, how charts follow.

The choice lives in the browser's local storage; a cookie mirrors it so pages are
rendered in the right theme, and a browser-side callback restyles open charts.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, dcc, html

from web.data import THEME_COOKIE
from web.figures import templates_json

_APPLY_THEME = """
function (switchOn, stored, figures, templates) {
    const fired = window.dash_clientside.callback_context.triggered
        .map(t => t.prop_id);
    let theme = stored === "dark" ? "dark" : "light";
    if (fired.includes("theme-switch.value")) {
        theme = switchOn ? "dark" : "light";
    }
    document.documentElement.setAttribute("data-bs-theme", theme);
    document.cookie = "COOKIE=" + theme + "; path=/; max-age=31536000; SameSite=Lax";
    const template = templates[theme];
    const restyled = figures.map(figure => figure && figure.layout ? Object.assign(
        {}, figure, {layout: Object.assign({}, figure.layout, {template: template})}
    ) : figure);
    return [theme, theme === "dark", restyled];
}
""".replace("COOKIE", THEME_COOKIE)


def theme_switch() -> html.Div:
    """The light/dark switch and the stores behind it."""
    return html.Div(
        [
            dbc.Switch(id="theme-switch", label="Dark", value=False, className="mb-0"),
            dcc.Store(id="theme", storage_type="local"),
            dcc.Store(id="chart-templates", data=templates_json()),
        ]
    )


def register_theme_callbacks(app: Dash) -> None:
    """Apply the stored or switched theme to the page and to every chart on it."""
    app.clientside_callback(
        _APPLY_THEME,
        Output("theme", "data"),
        Output("theme-switch", "value"),
        Output({"type": "chart", "name": ALL}, "figure"),
        Input("theme-switch", "value"),
        Input("theme", "data"),
        State({"type": "chart", "name": ALL}, "figure"),
        State("chart-templates", "data"),
    )
