"""What the tests send the app as Dash's front end would, and the fuzz settings.

Shared by the login, health and hostile-input tests so that the shape of a routing
callback request is written down once.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def routing_body(pathname: str = "/", search: str = "") -> dict[str, object]:
    """The JSON of the pages router's callback for ``pathname`` and ``search``."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def fuzz(examples: int) -> settings:
    """Settings for a slow, shared machine: no deadline, no example database."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
        ],
    )
