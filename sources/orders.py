"""Loading order lines from the configured source into the checked order schema.

The one entry point the refresh uses; reading is in :mod:`sources.readers`, the
column mapping in :mod:`sources.schema` and the checks in :mod:`sources.validation`.
"""

from __future__ import annotations

import logging
import time
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
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
    if raw.frame.empty:
        raise DataError(
            f"{raw.description!r} has no order lines; check the file or the query"
        )
    source = _Source(raw, resolve_columns(raw.frame.columns, dimensions, overrides))
    if source.has("line_id"):
        source.check_unique_lines()

    orders = pd.DataFrame(
        {
            "order_date": source.dates(timezone),
            "order_id": source.ids("order_id"),
            "customer_id": source.ids("customer_id"),
            "net_amount": source.amounts("net_amount", required=True),
        }
    )
    if source.has("profit"):
        orders["profit"] = source.amounts("profit")
    elif source.has("cost"):
        orders["profit"] = orders["net_amount"] - source.amounts("cost")
    else:
        orders["profit"] = float("nan")
    orders["quantity"] = (
        source.amounts("quantity") if source.has("quantity") else np.nan
    )
    for dimension in dimensions:
        orders[dimension] = validation.parse_dimension(source.column(dimension))

    fields = [(f, source.mapping[f]) for f in ("order_date", "customer_id")]
    validation.check_orders_consistent(orders, fields, source.labels)
    return orders[order_columns(dimensions)]


class _Source:
    """A raw table's columns by schema field, each parsed with its checks."""

    def __init__(self, raw: RawTable, mapping: Mapping[str, str]) -> None:
        self.frame = raw.frame
        self.mapping = mapping
        self.labels = validation.RowLabels(raw.first_line)

    def has(self, field: str) -> bool:
        return field in self.mapping

    def column(self, field: str) -> pd.Series:
        return self.frame[self.mapping[field]].reset_index(drop=True)

    def dates(self, timezone: str) -> pd.Series:
        return validation.parse_dates(
            self.column("order_date"), self.mapping["order_date"], timezone, self.labels
        )

    def ids(self, field: str) -> pd.Series:
        return validation.parse_ids(
            self.column(field), self.mapping[field], self.labels
        )

    def amounts(self, field: str, *, required: bool = False) -> pd.Series:
        return validation.parse_amounts(
            self.column(field), self.mapping[field], self.labels, required=required
        )

    def check_unique_lines(self) -> None:
        validation.check_unique_lines(
            self.column("line_id"), self.mapping["line_id"], self.labels
        )


def _check_timezone(timezone: str) -> None:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            "BUSINESS_TIMEZONE",
            f"{timezone!r} is not an IANA time zone; use a name such as "
            "'America/New_York' or 'UTC'",
        ) from exc
