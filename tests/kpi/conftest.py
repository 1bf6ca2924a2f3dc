"""Fixtures of the KPI tests: the bundled sample, loaded and precomputed once."""

from __future__ import annotations

import pandas as pd
import pytest

from config import Config
from kpi import KpiCube, OrderLines, precompute
from sources import load_orders

DIMENSIONS = ("region", "category", "segment")


@pytest.fixture(scope="session")
def sample_orders() -> pd.DataFrame:
    return load_orders(Config())


@pytest.fixture(scope="session")
def sample_cube(sample_orders: pd.DataFrame) -> KpiCube:
    return KpiCube.from_frames(precompute(sample_orders, dimensions=DIMENSIONS))


@pytest.fixture(scope="session")
def sample_lines(sample_orders: pd.DataFrame) -> OrderLines:
    return OrderLines(sample_orders, dimensions=DIMENSIONS)
