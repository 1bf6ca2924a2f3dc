"""Column mapping: a mapped column the source lacks is named, never replaced."""

from __future__ import annotations

import pytest

from config import Config
from errors import DataError
from sources import load_orders


def test_a_mapping_to_an_absent_column_is_an_error_not_a_fallback() -> None:
    # The sample has "Order Date"; a mapping naming another column must not fall
    # back to it silently.
    with pytest.raises(DataError, match="column 'Nope' for order_date is missing"):
        load_orders(Config(data_columns=(("order_date", "Nope"),)))
