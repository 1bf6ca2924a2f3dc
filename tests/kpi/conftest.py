"""Fixtures of the KPI tests: the bundled sample, loaded and precomputed once."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from config import Config
from kpi import KpiCube, OrderLines, precompute
from kpi.report import Report
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


HANDMADE_DIMENSIONS = ("region", "category")
HANDMADE_AS_OF = dt.date(2024, 4, 20)

# Small order lines whose KPIs are worked out by hand in the tests:
# - o1 spans two categories, o1 and o2 fall on one date (Jan 10);
# - o3 is a refund recorded as its own order;
# - A orders in January and comes back in April after a two-month gap;
# - Feb 29 2024 (a leap day) has C's only order;
# - D's April line has no known profit; E ordered once, 364 days before Apr 15.
HANDMADE_LINES = [
    # date, order, customer, net, profit, quantity, region, category
    ("2023-04-17", "o0", "E", 30.0, 6.0, 1, "N", "X"),
    ("2024-01-10", "o1", "A", 100.0, 30.0, 2, "N", "X"),
    ("2024-01-10", "o1", "A", 50.0, 10.0, 1, "N", "Y"),
    ("2024-01-10", "o2", "B", 80.0, 20.0, 1, "S", "X"),
    ("2024-01-20", "o3", "A", -30.0, -30.0, -1, "N", "X"),
    ("2024-02-29", "o4", "C", 200.0, 50.0, 4, "S", "Y"),
    ("2024-03-05", "o5", "B", 40.0, 8.0, 1, "S", "X"),
    ("2024-04-15", "o6", "A", 60.0, 15.0, 3, "N", "X"),
    ("2024-04-15", "o7", "D", 10.0, float("nan"), 1, "N", "X"),
]


def handmade_orders() -> pd.DataFrame:
    columns = [
        "order_date",
        "order_id",
        "customer_id",
        "net_amount",
        "profit",
        "quantity",
        *HANDMADE_DIMENSIONS,
    ]
    frame = pd.DataFrame(HANDMADE_LINES, columns=columns)
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["quantity"] = frame["quantity"].astype("float64")
    return frame


@pytest.fixture(params=["direct", "cube"])
def handmade(request: pytest.FixtureRequest) -> Report:
    """The hand-made lines behind each engine, data through 2024-04-20."""
    orders = handmade_orders()
    if request.param == "direct":
        return OrderLines(orders, dimensions=HANDMADE_DIMENSIONS, as_of=HANDMADE_AS_OF)
    frames = precompute(orders, dimensions=HANDMADE_DIMENSIONS, as_of=HANDMADE_AS_OF)
    return KpiCube.from_frames(frames)
