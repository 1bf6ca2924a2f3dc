"""Order data in: reading the configured source and checking it against the schema."""

from sources.orders import load_orders, to_orders
from sources.readers import RawTable, read_source
from sources.schema import REQUIRED_FIELDS, SUPERSTORE_COLUMNS, order_columns

__all__ = [
    "REQUIRED_FIELDS",
    "SUPERSTORE_COLUMNS",
    "RawTable",
    "load_orders",
    "order_columns",
    "read_source",
    "to_orders",
]
