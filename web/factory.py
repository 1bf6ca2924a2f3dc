"""The app factory: one Dash app wired to a config, its store, its login and pages.

Tests build apps with their own :class:`Config`; ``app.py`` builds the one that
gunicorn serves from the environment.
"""

from __future__ import annotations

import logging

import dash_bootstrap_components as dbc
from dash import Dash, dcc, html, page_container, page_registry

from cache import SnapshotReader, open_store
from config import PROJECT_ROOT, Config
from web import filters, ondemand
from web.auth import HashedBasicAuth, load_users
from web.components import filter_bar
from web.data import EXTENSION_KEY, DataAccess
from web.guard import install_callback_guard
from web.health import install_health
from web.runner import ForecastRunner

logger = logging.getLogger(__name__)


def create_app(config: Config | None = None) -> Dash:
    """Build the dashboard for ``config`` (default: from the environment)."""
    config = config or Config.from_env()
    users = load_users(config)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PROJECT_ROOT / "pages"),
        assets_folder=str(PROJECT_ROOT / "assets"),
        suppress_callback_exceptions=True,
        title="KPI dashboard",
        update_title="",
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"}
        ],
    )
    store = open_store(config)
    app.server.extensions[EXTENSION_KEY] = DataAccess(SnapshotReader(store), config)
    runner = ForecastRunner(
        store, seconds=config.on_demand_forecast_seconds, ttl=config.cache_ttl
    )
    app.server.extensions[ondemand.EXTENSION_KEY] = ondemand.OnDemand(store, runner)
    HashedBasicAuth(app, users)
    install_callback_guard(app)
    install_health(app.server)
    app.layout = _shell(config)
    filters.register_callbacks(app, config.dimensions)
    logger.info(
        "dashboard ready: %s store, %d users, %s mode",
        config.cache_backend,
        len(users),
        config.app_env,
    )
    return app


def _shell(config: Config) -> html.Div:
    links = [
        dbc.NavItem(
            dbc.NavLink(
                page["name"],
                href=page["relative_path"],
                id=f"nav-{page['module'].split('.')[-1]}",
            )
        )
        for page in page_registry.values()
        if page.get("nav", True)
    ]
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dbc.Navbar(
                dbc.Container(
                    [
                        dbc.NavbarBrand("KPI dashboard", href="/"),
                        dbc.Nav(links, navbar=True, className="flex-wrap"),
                    ],
                    fluid=True,
                ),
                color="dark",
                dark=True,
                className="mb-3",
            ),
            dbc.Container(
                [
                    filter_bar(config.dimensions),
                    # No overlay over the whole page: while it re-renders, each
                    # chart and card shows its own loading state (dashboard.css).
                    page_container,
                ],
                fluid=True,
            ),
        ]
    )
