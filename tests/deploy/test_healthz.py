"""``/healthz`` for a fresh, a stale and a missing snapshot, through the Flask app."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from cache import load_snapshot, open_store, write_snapshot
from config import Config
from tests.deploy.conftest import RefreshedStore
from tests.deploy.tiny_orders import LAST_DAY
from web.factory import create_app

REPORT_KEYS = {
    "status", "snapshot", "data_through", "refreshed_at", "age_hours",
    "max_age_hours", "cache", "detail",
}  # fmt: skip


def healthz(folder: Path, **settings: Any) -> tuple[int, dict[str, Any]]:
    """Ask an app reading ``folder`` for /healthz, without credentials."""
    config = Config(
        app_env="production",
        auth_users=f"ops:{generate_password_hash('a test passphrase')}",
        local_store_dir=folder,
        **settings,
    )
    response = create_app(config).server.test_client().get("/healthz")
    return response.status_code, response.get_json()


def copy_with_refreshed_at(
    source: RefreshedStore, target: Path, refreshed_at: str
) -> str:
    """Write the snapshot of ``source`` into ``target`` under another refresh time."""
    snapshot = load_snapshot(
        open_store(Config(local_store_dir=source.folder)), source.snapshot_id
    )
    meta = {**snapshot.meta, "refreshed_at": refreshed_at}
    copy = open_store(Config(local_store_dir=target))
    return write_snapshot(copy, snapshot.frames, meta, ttl=3600)


def test_a_fresh_snapshot_is_200_ok(refreshed_store: RefreshedStore) -> None:
    status, report = healthz(refreshed_store.folder)

    assert status == 200
    assert set(report) == REPORT_KEYS
    assert report["status"] == "ok"
    assert report["snapshot"] == refreshed_store.snapshot_id
    assert report["data_through"] == LAST_DAY.isoformat()
    assert report["cache"] == "local"
    assert 0 <= report["age_hours"] < 1


def test_a_snapshot_refreshed_two_days_ago_is_503_stale(
    refreshed_store: RefreshedStore, tmp_path: Path
) -> None:
    two_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=48)
    old_id = copy_with_refreshed_at(
        refreshed_store, tmp_path, two_days_ago.isoformat(timespec="seconds")
    )

    status, report = healthz(tmp_path)

    assert status == 503
    assert report["status"] == "stale"
    assert report["snapshot"] == old_id
    assert report["age_hours"] == pytest.approx(48, abs=0.1)
    assert report["max_age_hours"] == 30


def test_a_max_age_shorter_than_the_snapshot_is_503_stale(
    refreshed_store: RefreshedStore,
) -> None:
    # 0.0001 h is a third of a second: the session's snapshot is older than that.
    status, report = healthz(refreshed_store.folder, max_snapshot_age=0.0001)

    assert status == 503
    assert report["status"] == "stale"
    assert report["snapshot"] == refreshed_store.snapshot_id


def test_an_empty_store_is_503_missing(tmp_path: Path) -> None:
    status, report = healthz(tmp_path / "never-refreshed")

    assert status == 503
    assert report["status"] == "missing"
    assert (report["snapshot"], report["data_through"], report["refreshed_at"]) == (
        None,
        None,
        None,
    )
