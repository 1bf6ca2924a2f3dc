"""A snapshot made by the real refresh of the tiny orders, shared by the session.

The health and Procfile tests read it; tests that need another state (stale,
missing) copy it or start from an empty store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.tiny_orders import write_tiny_orders
from tests.web.conftest import run_refresh, service_env


@dataclass(frozen=True)
class RefreshedStore:
    """A local store folder whose current snapshot the refresh just wrote."""

    folder: Path
    snapshot_id: str


@pytest.fixture(scope="session")
def refreshed_store(tmp_path_factory: pytest.TempPathFactory) -> RefreshedStore:
    root = tmp_path_factory.mktemp("refreshed")
    orders = write_tiny_orders(root / "orders.csv")
    folder = root / "store"
    env = service_env(
        APP_ENV="production", DATA_SOURCE=str(orders), LOCAL_STORE_DIR=str(folder)
    )

    result = run_refresh(env)

    assert result.returncode == 0, result.stderr[-3000:]
    marker = "refresh: flip: current snapshot "
    line = next(line for line in result.stderr.splitlines() if marker in line)
    return RefreshedStore(folder, line.split(marker)[1].split(",")[0])
