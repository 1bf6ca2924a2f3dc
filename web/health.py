"""``/healthz`` and the response headers every route carries.

The health check is public and holds no data: whether a snapshot is there, how old
it is and which store served it. It answers 503 when an uptime monitor should alert.
Every response built from a snapshot names it in ``X-Snapshot``.
"""

from __future__ import annotations

from typing import Any

import flask

from web.data import EXTENSION_KEY, Current, DataAccess, current

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
SNAPSHOT_HEADER = "X-Snapshot"


class SnapshotRecorder:
    """Data access that notes on ``flask.g`` each snapshot a request was handed."""

    def __init__(self, access: DataAccess) -> None:
        self._access = access

    def current(self) -> Current:
        state = self._access.current()
        if flask.has_app_context():
            served = flask.g.setdefault("snapshots_served", [])
            served.append(state.snapshot.id if state.snapshot else "none")
        return state


def health_report(state: Current) -> tuple[dict[str, Any], int]:
    """The health JSON and its HTTP status for the given snapshot state."""
    meta = state.meta
    age = state.age_hours()
    if state.snapshot is None:
        status = "missing"
    elif state.read.status == "cache_unavailable":
        status = "cache_unavailable"
    elif state.stale:
        status = "stale"
    else:
        status = "ok"
    report = {
        "status": status,
        "snapshot": state.snapshot.id if state.snapshot else None,
        "data_through": meta.get("data_through"),
        "refreshed_at": meta.get("refreshed_at"),
        "age_hours": round(age, 2) if age is not None else None,
        "max_age_hours": state.config.max_snapshot_age,
        "cache": state.config.cache_backend,
        "detail": state.read.detail,
    }
    return report, 200 if status == "ok" else 503


def install_health(server: flask.Flask) -> None:
    """Add ``/healthz``, the security headers and ``X-Snapshot`` to ``server``."""
    if EXTENSION_KEY in server.extensions:
        server.extensions[EXTENSION_KEY] = SnapshotRecorder(
            server.extensions[EXTENSION_KEY]
        )

    @server.get("/healthz")
    def healthz() -> flask.Response:
        report, status = health_report(current())
        response = flask.jsonify(report)
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.after_request
    def add_security_headers(response: flask.Response) -> flask.Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        served = flask.g.get("snapshots_served")
        if served:
            # Two ids here mean the response mixed two snapshots.
            response.headers[SNAPSHOT_HEADER] = ",".join(dict.fromkeys(served))
        return response
