"""Loading order lines from the configured source into the checked order schema.

The one entry point the refresh uses; reading is in :mod:`sources.readers`, the
column mapping in :mod:`sources.schema` and the checks in :mod:`sources.validation`.
"""

from __future__ import annotations

import logging
import time
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence

import pandas as pd

from config import Config
from errors import ConfigError, DataError
from sources import validation
from sources.readers import RawTable, read_source
from sources.schema import order_columns, resolve_columns

logger = logging.getLogger(__name__)


def load_orders(config: Config) -> pd.DataFrame:
    """Read, map and check the order lines of ``config.data_source``.

    Returns one row per order line with the order schema's columns (see
    :func:`sources.schema.order_columns`). Raises :class:`errors.DataError` on the
    first problem found, naming the column and rows.
    """
    started = time.perf_counter()
    raw = read_source(config.data_source, config.data_query)
    orders = to_orders(
        raw,
        dimensions=config.dimensions,
        overrides=config.data_columns,
        timezone=config.business_timezone,
    )
    logger.debug(
        "loaded %s order lines (%s orders) from %s in %.2f s",
        len(orders),
        orders["order_id"].nunique(),
        raw.description,
        time.perf_counter() - started,
    )
    return orders


def to_orders(
    raw: RawTable,
    *,
    dimensions: Sequence[str],
    overrides: Iterable[tuple[str, str]] = (),
    timezone: str = "UTC",
) -> pd.DataFrame:
    """Map and check a raw table; the pure part of :func:`load_orders`."""
    _check_timezone(timezone)
    frame = raw.frame
    if frame.empty:
        raise DataError(
            f"{raw.description!r} has no order lines; check the file or the query"
        )
    mapping = resolve_columns(frame.columns, dimensions, overrides)
    labels = validation.RowLabels(raw.first_line)

    def column(field: str) -> pd.Series:
        return frame[mapping[field]].reset_index(drop=True)

    if "line_id" in mapping:
        validation.check_unique_lines(column("line_id"), mapping["line_id"], labels)
    orders = pd.DataFrame(
        {
            "order_date": validation.parse_dates(
                column("order_date"), mapping["order_date"], timezone, labels
            ),
            "order_id": validation.parse_ids(
                column("order_id"), mapping["order_id"], labels
            ),
            "customer_id": validation.parse_ids(
                column("customer_id"), mapping["customer_id"], labels
            ),
            "net_amount": validation.parse_amounts(
                column("net_amount"), mapping["net_amount"], labels, required=True
            ),
        }
    )
    orders["profit"] = _profit(column, mapping, orders["net_amount"], labels)
    orders["quantity"] = (
        validation.parse_amounts(
            column("quantity"), mapping["quantity"], labels, required=False
        )
        if "quantity" in mapping
        else float("nan")
    )
    for dimension in dimensions:
        orders[dimension] = validation.parse_dimension(column(dimension))

    validation.check_orders_consistent(
        orders,
        [(f, mapping[f]) for f in ("order_date", "customer_id")],
        labels,
    )
    return orders[order_columns(dimensions)]


def _check_timezone(timezone: str) -> None:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            "BUSINESS_TIMEZONE",
            f"{timezone!r} is not an IANA time zone; use a name such as "
            "'America/New_York' or 'UTC'",
        ) from exc


def _profit(
    column: Callable[[str], pd.Series],
    mapping: Mapping[str, str],
    net_amount: pd.Series,
    labels: validation.RowLabels,
) -> pd.Series:
    if "profit" in mapping:
        return validation.parse_amounts(
            column("profit"), mapping["profit"], labels, required=False
        )
    if "cost" in mapping:
        cost = validation.parse_amounts(
            column("cost"), mapping["cost"], labels, required=False
        )
        return net_amount - cost
    return pd.Series(float("nan"), index=net_amount.index)
