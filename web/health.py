"""``/healthz`` and the response headers every route carries.

The health check is public and holds no data: whether a snapshot is there, how old
it is and which store served it. It answers 503 when an uptime monitor should alert.
"""

from __future__ import annotations

from typing import Any

import flask

from web.data import Current, current

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


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
    """Add ``/healthz`` and the security headers to ``server``."""

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
        return response
