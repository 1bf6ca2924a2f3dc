"""Refresh-time precomputation: the frames a :class:`kpi.cube.KpiCube` is built from.

Order lines become integer-coded rows: sums per day and dimension cell, one row
per order and one per customer and period of each grain, each with the bit mask
of the cells it touches (:mod:`kpi.masks`). All plain numeric columns.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpi import calendar as cal
from kpi import masks
from kpi.selection import GRAINS

logger = logging.getLogger(__name__)

FRAMES_VERSION = 1
ADDITIVE_SUMS = ("revenue", "profit", "costed_revenue", "items")


def precompute(
    orders: pd.DataFrame, *, dimensions: Sequence[str], as_of: dt.date | None = None
) -> dict[str, pd.DataFrame]:
    """Frames (plain columns, names prefixed ``kpi_``) that make queries fast.

    Lines after ``as_of`` (default: the last order date) are left out.
    """
    started = time.perf_counter()
    lines, day, through = _lines_through(orders, as_of)
    first = int(day.min()) if len(day) else through
    offset = day - first  # day index: 0 is the first order date

    cells, cell = _cells(lines, dimensions)
    words = masks.word_count(len(cells))
    bits = masks.cell_bits(cell, words)
    customer, customers = pd.factorize(lines["customer_id"])
    first_order = np.full(len(customers), np.iinfo("int64").max)
    np.minimum.at(first_order, customer, offset)

    frames = {
        "kpi_meta": _meta(
            lines,
            dimensions,
            (first, int(offset.max(initial=0)) + first, through),
            len(customers),
            words,
        ),
        "kpi_cells": cells,
        "kpi_sums": _sums(lines, offset, cell),
        "kpi_orders": _orders(lines, offset, bits),
        "kpi_customers": pd.DataFrame({"first_day": first_order.astype("int32")}),
    }
    for grain in GRAINS:
        frames[f"kpi_customer_{grain}s"] = _customer_periods(
            grain, first, offset, customer, first_order, bits
        )
    logger.debug(
        "precomputed KPI frames from %s lines (%s customers, %s cells) in %.2f s",
        len(lines),
        len(customers),
        len(cells),
        time.perf_counter() - started,
    )
    return frames


def _lines_through(
    orders: pd.DataFrame, as_of: dt.date | None
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """The lines up to ``as_of``, their days, and the data-through day."""
    dates = orders["order_date"].to_numpy(dtype="datetime64[ns]")
    day = dates.astype("datetime64[D]").astype("int64")
    if as_of is not None:
        through = cal.to_day(as_of)
    else:
        through = int(day.max()) if len(day) else 0
    keep = day <= through
    return orders.loc[keep].reset_index(drop=True), day[keep], through


def _cells(
    lines: pd.DataFrame, dimensions: Sequence[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct dimension combinations, sorted, and each line's cell number."""
    if not dimensions:
        return pd.DataFrame({"cell": [0]}), np.zeros(len(lines), "int64")
    values = lines[list(dimensions)].astype("str")
    cells = values.drop_duplicates().sort_values(list(dimensions))
    cells = cells.reset_index(drop=True)
    number = pd.MultiIndex.from_frame(cells).get_indexer(
        pd.MultiIndex.from_frame(values)
    )
    cells.insert(0, "cell", np.arange(len(cells)))
    return cells, number.astype("int64")


def _meta(
    lines: pd.DataFrame,
    dimensions: Sequence[str],
    days: tuple[int, int, int],
    customers: int,
    words: int,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "version": [FRAMES_VERSION],
            "first_day": [days[0]],
            "last_day": [days[1]],
            "as_of": [days[2]],
            "dimensions": [",".join(dimensions)],
            "customers": [customers],
            "words": [words],
            "has_profit": [bool(lines["profit"].notna().any())],
            "has_quantity": [bool(lines["quantity"].notna().any())],
        }
    )


def _sums(lines: pd.DataFrame, offset: np.ndarray, cell: np.ndarray) -> pd.DataFrame:
    """Additive sums per day and cell (only cells with lines)."""
    profit = lines["profit"].to_numpy(dtype="float64")
    known = np.isfinite(profit)
    net = lines["net_amount"].to_numpy(dtype="float64")
    frame = pd.DataFrame(
        {
            "day": offset.astype("int32"),
            "cell": cell.astype("int32"),
            "revenue": net,
            "profit": np.where(known, profit, 0.0),
            "costed_revenue": np.where(known, net, 0.0),
            "items": np.nan_to_num(
                lines["quantity"].to_numpy(dtype="float64", na_value=np.nan)
            ),
        }
    )
    return frame.groupby(["day", "cell"], as_index=False, sort=True).sum()


def _orders(
    lines: pd.DataFrame, offset: np.ndarray, bits: list[np.ndarray]
) -> pd.DataFrame:
    """One row per order: its day and the cells of its lines, sorted by day."""
    order = pd.factorize(lines["order_id"])[0]
    # The day goes in the key's high part, so the distinct keys come out by day.
    key = offset.astype("int64") * (int(order.max(initial=0)) + 1) + order
    keys, merged = masks.or_by_key(key, bits)
    frame = pd.DataFrame(
        {"day": (keys // (int(order.max(initial=0)) + 1)).astype("int32")}
    )
    for w, word in enumerate(merged):
        frame[f"mask_{w}"] = word
    return frame


def _customer_periods(
    grain: str,
    first: int,
    offset: np.ndarray,
    customer: np.ndarray,
    first_order: np.ndarray,
    bits: list[np.ndarray],
) -> pd.DataFrame:
    """One row per customer and period of ``grain`` with an order in it.

    ``period`` numbers the periods from the one holding the first order; ``first``
    marks the customer's first period ever; ``prev`` is the row of the same
    customer in the period before (-1 when they did not order then). Rows are
    sorted by period, then customer.
    """
    period = period_numbers(offset, first, grain)
    width = int(customer.max(initial=0)) + 1
    keys, merged = masks.or_by_key(period * width + customer, bits)
    row_period, row_customer = keys // width, keys % width

    # Walk the rows customer by customer to link each to its previous period.
    by_customer = np.lexsort((row_period, row_customer))
    prev = np.full(len(keys), -1, dtype="int32")
    same = row_customer[by_customer][1:] == row_customer[by_customer][:-1]
    step = np.diff(row_period[by_customer]) == 1
    linked = np.flatnonzero(same & step) + 1
    prev[by_customer[linked]] = by_customer[linked - 1]

    first_period = period_numbers(first_order, first, grain)
    frame = pd.DataFrame(
        {
            "period": row_period.astype("int32"),
            "customer": row_customer.astype("int32"),
            "prev": prev,
            "first": first_period[row_customer] == row_period,
        }
    )
    for w, word in enumerate(merged):
        frame[f"mask_{w}"] = word
    return frame


def period_numbers(offset: np.ndarray, first: int, grain: str) -> np.ndarray:
    """Period number of each day index, 0 for the period of the first day."""
    starts = cal.period_starts(np.asarray(offset, dtype="int64") + first, grain)
    origin = cal.period_start(first, grain)
    if grain == "day":
        return starts - origin
    if grain == "week":
        return (starts - origin) // 7
    months = starts.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    return months - np.datetime64(cal.to_date(origin), "M").astype("int64")
