"""The shape check of Dash callback requests, run after the login and before Dash.

Dash trusts the JSON of ``/_dash-update-component``: a body that does not fit a
registered callback raises inside it (a 500). Here such a body is a 400 instead.
What a callback does with well-shaped values is left to the callback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import flask
from dash import Dash, dcc

logger = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"
# dcc.Location properties the browser always sends as text (or null).
LOCATION_PROPS = frozenset({"pathname", "search", "hash", "href"})


class MalformedCallback(ValueError):
    """Raised when a callback request body does not fit the callback it names."""


def install_callback_guard(app: Dash) -> None:
    """Answer malformed callback requests to ``app`` with 400 before Dash reads them."""
    location_ids: set[str] = set()
    walked: list[bool] = []

    @app.server.before_request
    def check_callback_request() -> flask.Response | None:
        if flask.request.path != CALLBACK_PATH or flask.request.method != "POST":
            return None
        if not walked:  # the layout is complete only once the app serves
            location_ids.update(_location_ids(app.layout))
            walked.append(True)
        try:
            check_callback_body(
                flask.request.get_json(silent=True), app.callback_map, location_ids
            )
        except MalformedCallback as exc:
            logger.warning("refused a malformed callback request: %s", exc)
            return flask.Response(
                "Bad callback request.\n", status=400, mimetype="text/plain"
            )
        return None


def check_callback_body(
    body: Any, callbacks: dict[str, dict[str, Any]], location_ids: set[str]
) -> None:
    """Raise :class:`MalformedCallback` unless ``body`` fits one of ``callbacks``."""
    if not isinstance(body, dict):
        raise MalformedCallback(f"the body is {type(body).__name__}, not an object")
    output = body.get("output")
    # Clientside callbacks are in the map too, without a function to run here.
    if not isinstance(output, str) or "callback" not in callbacks.get(output, {}):
        raise MalformedCallback(f"output {str(output)[:80]!r} names no callback")

    callback = callbacks[output]
    declared_outputs = callback["output"]
    if not isinstance(declared_outputs, list):
        declared_outputs = [declared_outputs]
    if not callback.get("no_output"):
        expected = [
            {"id": o.component_id, "property": o.component_property}
            for o in declared_outputs
        ]
        # The browser sends a list for a multi-output callback, else one object.
        outputs = body.get("outputs")
        if isinstance(outputs, list) != output.startswith(".."):
            raise MalformedCallback(f"outputs is {type(outputs).__name__} for {output}")
        sent = outputs if isinstance(outputs, list) else [outputs]
        _check_items("outputs", sent, expected)

    for key in ("inputs", "state"):
        items = body.get(key, [] if key == "state" else None)
        if not isinstance(items, list):
            raise MalformedCallback(f"{key} is {type(items).__name__}, not a list")
        _check_items(key, items, callback[key])
        _check_location_values(key, items, location_ids)

    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise MalformedCallback("changedPropIds is not a list of strings")


def _check_items(key: str, sent: list[Any], expected: Sequence[dict[str, Any]]) -> None:
    if len(sent) != len(expected):
        raise MalformedCallback(f"{key} has {len(sent)} items, not {len(expected)}")
    for item, wanted in zip(sent, expected, strict=True):
        if isinstance(wanted["id"], dict):
            # A pattern-matching dependency: one item or a list of them.
            group = item if isinstance(item, list) else [item]
            if not all(_is_item(i, wanted["property"], None) for i in group):
                raise MalformedCallback(f"{key} has a bad pattern-matching item")
        elif not _is_item(item, wanted["property"], wanted["id"]):
            raise MalformedCallback(
                f"{key} item {str(item)[:80]!r} is not "
                f"{wanted['id']}.{wanted['property']}"
            )


def _is_item(item: Any, prop: str, component_id: str | None) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("property"), str):
        return False
    if item["property"].split("@")[0] != prop.split("@")[0]:
        return False
    if component_id is None:
        return isinstance(item.get("id"), dict)
    return item.get("id") == component_id


def _check_location_values(key: str, sent: list[Any], location_ids: set[str]) -> None:
    for item in sent:
        if (
            isinstance(item, dict)
            and item.get("id") in location_ids
            and item.get("property") in LOCATION_PROPS
            and not _is_location_value(item["property"], item.get("value"))
        ):
            raise MalformedCallback(
                f"{key} {item['id']}.{item['property']} is not what a browser sends"
            )


def _is_location_value(prop: str, value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    # A browser's pathname always starts at the root; Dash's router assumes so.
    return prop != "pathname" or value.startswith("/")


def _location_ids(layout: Any) -> Iterator[str]:
    root = layout() if callable(layout) else layout
    components = [root, *root._traverse()] if hasattr(root, "_traverse") else []
    for component in components:
        component_id = getattr(component, "id", None)
        if isinstance(component, dcc.Location) and isinstance(component_id, str):
            yield component_id
