"""The order schema: which fields an order line has and where they come from.

Maps a source's own column names onto the schema's fields; reading the source is
left to :mod:`sources.readers` and checking the values to :mod:`sources.validation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from errors import ConfigError, DataError

REQUIRED_FIELDS = ("order_date", "order_id", "customer_id", "net_amount")
OPTIONAL_FIELDS = ("profit", "cost", "quantity", "line_id")

# The Superstore sample's column names: the default mapping of every field.
SUPERSTORE_COLUMNS = {
    "order_date": "Order Date",
    "order_id": "Order ID",
    "customer_id": "Customer ID",
    "net_amount": "Sales",
    "profit": "Profit",
    "quantity": "Quantity",
    "line_id": "Row ID",
    "region": "Region",
    "category": "Category",
    "segment": "Segment",
    "sub_category": "Sub-Category",
    "ship_mode": "Ship Mode",
    "state": "State",
    "city": "City",
    "country": "Country",
}


def order_columns(dimensions: Sequence[str]) -> list[str]:
    """Columns of a loaded order frame, in order."""
    base = ["order_date", "order_id", "customer_id", "net_amount", "profit", "quantity"]
    return base + list(dimensions)


def resolve_columns(
    available: Iterable[str],
    dimensions: Sequence[str],
    overrides: Iterable[tuple[str, str]] = (),
) -> dict[str, str]:
    """Map each schema field to the source column that holds it.

    A field mapped in ``DATA_COLUMNS`` takes exactly that column, and a mapping to a
    column the source lacks is an error. Any other field takes its Superstore name
    or a column named like the field itself; required fields and dimensions must be
    found, optional ones are left out when absent.
    """
    columns = list(available)
    present = set(columns)
    known = set(REQUIRED_FIELDS) | set(OPTIONAL_FIELDS) | set(dimensions)
    explicit = dict(overrides)
    unknown = sorted(set(explicit) - known)
    if unknown:
        raise ConfigError(
            "DATA_COLUMNS",
            f"{unknown[0]!r} is not a field of the order schema; use one of "
            f"{', '.join(sorted(known))} (add a dimension to DIMENSIONS first)",
        )

    mapping: dict[str, str] = {}
    for field in (*REQUIRED_FIELDS, *OPTIONAL_FIELDS, *dimensions):
        if field in explicit:
            candidates = [explicit[field]]
        else:
            candidates = [SUPERSTORE_COLUMNS.get(field, field), field]
        found = next((c for c in candidates if c in present), None)
        if found is not None:
            mapping[field] = found
        elif field in explicit or field not in OPTIONAL_FIELDS:
            raise _missing(field, candidates[0], columns)
    return mapping


def _missing(field: str, expected: str, columns: list[str]) -> DataError:
    shown = ", ".join(repr(c) for c in columns[:12])
    more = ", ..." if len(columns) > 12 else ""
    return DataError(
        f"column {expected!r} for {field} is missing; the source has {shown}{more}. "
        f"Rename the column or map it with DATA_COLUMNS={field}=<your column>",
        column=expected,
    )
