"""A dashboard on a real snapshot of the sample, for throwing bad input at.

The snapshot holds the sample's KPI frames but no forecasts (a refresh's models take
minutes); the pages then take their "no forecast stored" paths.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from dash import Dash
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from cache import open_store, write_snapshot
from config import Config
from kpi import KpiCube, precompute
from sources import load_orders
from web.factory import create_app

DIMENSIONS = ("region", "category", "segment")
LOGIN = {"Authorization": "Basic " + base64.b64encode(b"ana:pw").decode()}


def publish_orders(folder: Path, orders: pd.DataFrame) -> Config:
    """Write the KPI frames of ``orders`` as the current snapshot of a local store."""
    config = Config(
        app_env="production",
        auth_users=f"ana:{generate_password_hash('pw', method='pbkdf2:sha256:1000')}",
        local_store_dir=folder,
    )
    frames = precompute(orders, dimensions=DIMENSIONS)
    cube = KpiCube.from_frames(frames)
    meta = {
        "data_through": cube.last_day.isoformat(),
        "first_day": cube.first_day.isoformat(),
        "refreshed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dimensions": list(DIMENSIONS),
    }
    write_snapshot(open_store(config), frames, meta, ttl=3600)
    return config


@pytest.fixture(scope="session")
def sample_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    orders = load_orders(Config())
    return publish_orders(tmp_path_factory.mktemp("sample-store"), orders)


@pytest.fixture(scope="session")
def sample_app(sample_config: Config) -> Dash:
    app = create_app(sample_config)
    # Dash adds the pages' callbacks to its map on the first request.
    app.server.test_client().get("/_dash-dependencies", headers=LOGIN)
    return app


@pytest.fixture(scope="session")
def client(sample_app: Dash) -> FlaskClient:
    return sample_app.server.test_client()


@pytest.fixture(scope="session")
def sample_cube(sample_config: Config) -> KpiCube:
    return KpiCube.from_frames(precompute(load_orders(Config()), dimensions=DIMENSIONS))
