"""Refresh-time precomputation: the frames a :class:`kpi.cube.KpiCube` is built from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from kpi import calendar as cal


def precompute(
    orders: pd.DataFrame, *, dimensions: Sequence[str], as_of: dt.date | None = None
) -> dict[str, pd.DataFrame]:
    """Frames (plain columns, names prefixed ``kpi_``) that make queries fast."""
    columns = [
        "order_date",
        "order_id",
        "customer_id",
        "net_amount",
        "profit",
        "quantity",
        *dimensions,
    ]
    lines = orders[columns].reset_index(drop=True)
    last = lines["order_date"].max()
    through = as_of or (last.date() if pd.notna(last) else dt.date(1970, 1, 1))
    meta = pd.DataFrame(
        {"as_of": [cal.to_day(through)], "dimensions": [",".join(dimensions)]}
    )
    return {"kpi_lines": lines, "kpi_meta": meta}
