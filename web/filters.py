"""Keep the filter bar and the URL's query string the same view, both ways.

The URL is the source of truth: the pages render from it, and the bar only writes
it. Loading a link, reloading or the back button sets the bar from the URL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from dash import Dash, Input, Output, State, ctx, no_update, page_registry

from kpi import KpiCube
from web.components import preset_ranges
from web.data import current
from web.state import View, encode_view, parse_search, parse_view
from web.theme import register_theme_callbacks

_CONTROLS = ("start", "end", "grain")


def register_callbacks(app: Dash, dimensions: Sequence[str]) -> None:
    """Wire the filter bar of ``app`` to its URL."""
    pickers = {name: f"filter-{name}" for name in dimensions}
    register_theme_callbacks(app)

    @app.callback(
        output={
            "search": Output("url", "search"),
            "start": Output("filter-dates", "start_date"),
            "end": Output("filter-dates", "end_date"),
            "min_day": Output("filter-dates", "min_date_allowed"),
            "max_day": Output("filter-dates", "max_date_allowed"),
            "grain": Output("filter-grain", "value"),
            "presets": Output("filter-preset", "options"),
            "preset": Output("filter-preset", "value"),
            "options": {name: Output(i, "options") for name, i in pickers.items()},
            "members": {name: Output(i, "value") for name, i in pickers.items()},
        },
        inputs={
            "search": Input("url", "search"),
            "preset": Input("filter-preset", "value"),
            "start": Input("filter-dates", "start_date"),
            "end": Input("filter-dates", "end_date"),
            "grain": Input("filter-grain", "value"),
            "members": {name: Input(i, "value") for name, i in pickers.items()},
        },
    )
    def sync_filters(
        search: str | None,
        preset: str | None,
        start: str | None,
        end: str | None,
        grain: str | None,
        members: dict[str, list[str] | None],
    ) -> dict[str, Any]:
        return sync_view(ctx.triggered_id, search, preset, start, end, grain, members)

    # The pages re-render from their own location: hand it every query change.
    app.clientside_callback(
        """function (search, shown) {
            return search === shown ? window.dash_clientside.no_update : search;
        }""",
        Output("_pages_location", "search"),
        Input("url", "search"),
        State("_pages_location", "search"),
        prevent_initial_call=True,
    )

    @app.callback(
        [Output(f"nav-{_module_name(page)}", "href") for page in _nav_pages()],
        Input("url", "search"),
    )
    def keep_view_in_links(search: str | None) -> list[str]:
        return [page["relative_path"] + (search or "") for page in _nav_pages()]


def sync_view(
    trigger: str | None,
    search: str | None,
    preset: str | None,
    start: str | None,
    end: str | None,
    grain: str | None,
    members: dict[str, list[str] | None],
) -> dict[str, Any]:
    """Answer the filter bar's callback: URL to bar on load, bar to URL on change."""
    # A request may carry any JSON: a value that is not text (or a list of text)
    # counts as unset, as if the control were empty.
    preset, start, end, grain = (_text(v) for v in (preset, start, end, grain))
    members = {name: _texts(chosen) for name, chosen in members.items()}
    state = current()
    unchanged = {key: no_update for key in ("search", "start", "end", "grain")}
    if state.cube is None:
        return {
            **unchanged,
            "min_day": no_update,
            "max_day": no_update,
            "presets": [],
            "preset": no_update,
            "options": {name: [] for name in members},
            "members": {name: no_update for name in members},
        }

    cube = state.cube
    presets = preset_ranges(cube.first_day, cube.last_day)
    params: dict[str, Any] = parse_search(search)
    if trigger not in (None, "url"):
        if trigger == "filter-preset" and preset is not None and preset in presets:
            start, end = (day.isoformat() for day in presets[preset])
        params.update(
            start=[(start or "")[:10]], end=[(end or "")[:10]], grain=[grain or ""]
        )
        for name, chosen in members.items():
            params[name] = list(chosen or [])
    view = parse_view(
        params,
        dimensions=cube.dimensions,
        first_day=cube.first_day,
        last_day=cube.last_day,
    )
    sel = view.selection
    from_url = trigger in (None, "url")
    chosen_members = dict(sel.filters)
    return {
        "search": no_update if from_url else encode_view(view),
        "start": sel.start.isoformat() if sel.start else None,
        "end": sel.end.isoformat() if sel.end else None,
        "min_day": cube.first_day.isoformat(),
        "max_day": cube.last_day.isoformat(),
        "grain": sel.grain,
        "presets": [{"label": label, "value": label} for label in presets],
        "preset": no_update if trigger == "filter-preset" else None,
        "options": {name: list(cube.dimensions.get(name, ())) for name in members},
        "members": {name: list(chosen_members.get(name, ())) for name in members},
    }


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: object) -> list[str] | None:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None


def _nav_pages() -> list[dict[str, Any]]:
    return [page for page in page_registry.values() if page.get("nav", True)]


def _module_name(page: dict[str, Any]) -> str:
    return str(page["module"]).split(".")[-1]


def update_search(search: str | None, **values: str | None) -> str | None:
    """The query string ``search`` with page options replaced, checked and re-encoded.

    ``None`` means the URL should stay as it is: the snapshot is missing, or the
    view is unchanged (a history entry for the same view would trap the back button).
    """
    state = current()
    if state.cube is None:
        return None
    params: dict[str, Any] = parse_search(_text(search))
    before = _view_without_notices(state.cube, params)
    for key, value in values.items():
        params[key] = [_text(value) or ""]
    view = _view_without_notices(state.cube, params)
    return None if view == before else encode_view(view)


def _view_without_notices(cube: KpiCube, params: Mapping[str, Any]) -> View:
    view = parse_view(
        params,
        dimensions=cube.dimensions,
        first_day=cube.first_day,
        last_day=cube.last_day,
    )
    return dataclasses.replace(view, notices=())
