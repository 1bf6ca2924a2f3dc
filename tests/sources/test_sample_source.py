"""Loading the bundled Superstore sample through the default column mapping."""

from __future__ import annotations

import pandas as pd

from config import Config
from sources import load_orders


def test_sample_loads_into_the_order_schema():
    orders = load_orders(Config())

    assert list(orders.columns) == [
        "order_date",
        "order_id",
        "customer_id",
        "net_amount",
        "profit",
        "quantity",
        "region",
        "category",
        "segment",
    ]
    assert len(orders) == 9_994
    assert orders["order_date"].dtype == "datetime64[ns]"
    assert orders["order_id"].dtype == "str"
    assert orders["net_amount"].dtype == "float64"
    assert orders["order_date"].min() == pd.Timestamp("2014-01-03")
    assert orders["order_date"].max() == pd.Timestamp("2017-12-30")
    assert round(orders["net_amount"].sum(), 2) == 2_297_200.86
    assert orders["order_id"].nunique() == 5_009
