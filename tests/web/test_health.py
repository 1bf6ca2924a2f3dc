"""Each response names the snapshot it was built from; /healthz reports it."""

from __future__ import annotations

from pathlib import Path

import flask
import pytest
from dash import Dash

from cache import SnapshotReader, open_store
from config import Config
from sources import load_orders
from tests.dash_requests import routing_body
from tests.hostile.conftest import LOGIN, publish_orders
from web.data import current
from web.factory import create_app
from web.health import SNAPSHOT_HEADER

ROUTING = routing_body()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Dash]:
    orders = load_orders(Config())
    config = publish_orders(tmp_path_factory.mktemp("store"), orders)
    return config, create_app(config)


def current_id(config: Config) -> str:
    snapshot = SnapshotReader(open_store(config)).read().snapshot
    assert snapshot is not None
    return snapshot.id


def test_a_page_response_names_its_snapshot(published: tuple[Config, Dash]) -> None:
    config, app = published

    response = app.server.test_client().post(
        "/_dash-update-component", json=ROUTING, headers=LOGIN
    )

    assert response.status_code == 200
    assert response.headers[SNAPSHOT_HEADER] == current_id(config)


def test_healthz_names_the_snapshot_it_reports(published: tuple[Config, Dash]) -> None:
    config, app = published

    response = app.server.test_client().get("/healthz")

    assert response.json is not None
    assert response.headers[SNAPSHOT_HEADER] == response.json["snapshot"]
    assert response.json["snapshot"] == current_id(config)


def test_without_a_snapshot_the_header_says_none(tmp_path: Path) -> None:
    config = Config(
        app_env="production",
        auth_users="ana:pbkdf2:sha256:1000$x$y",
        local_store_dir=tmp_path,
    )

    response = create_app(config).server.test_client().get("/healthz")

    assert response.headers[SNAPSHOT_HEADER] == "none"


def test_a_request_that_read_two_snapshots_names_both(tmp_path: Path) -> None:
    orders = load_orders(Config())
    config = publish_orders(tmp_path, orders)
    app = create_app(config)
    first = current_id(config)

    with app.server.test_request_context("/"):
        current()
        publish_orders(tmp_path, orders.head(100))  # a refresh flips meanwhile
        current()
        response = app.server.process_response(flask.Response("x"))

    second = current_id(config)
    assert second != first
    assert response.headers[SNAPSHOT_HEADER] == f"{first},{second}"


def test_a_response_without_data_carries_no_snapshot_header(
    published: tuple[Config, Dash],
) -> None:
    _, app = published

    response = app.server.test_client().get("/_dash-layout", headers=LOGIN)

    assert SNAPSHOT_HEADER not in response.headers
