"""One test per validation error: the message names the column, rows and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Config
from errors import ConfigError, DataError
from sources import load_orders

HEADER = "Order Date,Order ID,Customer ID,Sales,Region,Category,Segment"
GOOD = "2017-01-02,A-1,C-1,10.00,East,Furniture,Consumer"


def load_csv(tmp_path: Path, *rows: str, header: str = HEADER, **config) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    load_orders(Config(data_source=str(path), **config))


def test_missing_column_names_it_and_the_mapping_variable(tmp_path: Path):
    header = "Order Date,Order ID,Customer ID,Region,Category,Segment"
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, "2017-01-02,A-1,C-1,East,Furniture,Consumer", header=header)

    assert caught.value.column == "Sales"
    assert "column 'Sales' for net_amount is missing" in str(caught.value)
    assert "DATA_COLUMNS=net_amount=<your column>" in str(caught.value)


def test_missing_dimension_column_is_an_error(tmp_path: Path):
    header = "Order Date,Order ID,Customer ID,Sales,Region,Category"
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, "2017-01-02,A-1,C-1,10,East,Furniture", header=header)

    assert caught.value.column == "Segment"


def test_unparsable_date_names_the_value_and_the_file_line(tmp_path: Path):
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, GOOD, "2017-02-30,A-2,C-1,5,East,Furniture,Consumer")

    # Line 1 is the header, the good row line 2, the bad one line 3.
    assert caught.value.column == "Order Date"
    assert caught.value.rows == (3,)
    assert str(caught.value) == (
        "column 'Order Date': '2017-02-30' is not a date at line 3; "
        "write dates as YYYY-MM-DD (or ISO 8601 timestamps)"
    )


def test_empty_date_is_an_error(tmp_path: Path):
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, GOOD, ",A-2,C-1,5,East,Furniture,Consumer")

    assert caught.value.rows == (3,)
    assert "the date is empty" in str(caught.value)


def test_dates_mixing_offsets_and_local_times_are_an_error(tmp_path: Path):
    rows = [
        "2017-01-02T10:00:00+01:00,A-1,C-1,10,East,Furniture,Consumer",
        "2017-01-02T11:00:00Z,A-2,C-1,10,East,Furniture,Consumer",
        "2017-01-02 12:00:00,A-3,C-2,10,East,Furniture,Consumer",
    ]
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, *rows)

    # The minority kind (no offset) is the one reported.
    assert caught.value.rows == (4,)
    assert "mix timestamps with and without a time zone offset" in str(caught.value)


def test_text_in_amount_lists_the_first_bad_lines(tmp_path: Path):
    rows = [GOOD] + [
        f"2017-01-0{i},A-{i},C-1,n/a,East,Furniture,Consumer" for i in range(2, 9)
    ]
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, *rows)

    assert caught.value.column == "Sales"
    assert caught.value.rows == (3, 4, 5, 6, 7)
    assert str(caught.value) == (
        "column 'Sales': 'n/a' is not a number at lines 3, 4, 5, 6, 7 and 2 more; "
        "amounts must be plain numbers such as 1234.50 (no currency signs or "
        "thousands separators)"
    )


def test_empty_amount_is_an_error(tmp_path: Path):
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, GOOD, "2017-01-03,A-2,C-1,,East,Furniture,Consumer")

    assert caught.value.rows == (3,)
    assert "the amount is empty" in str(caught.value)


def test_empty_customer_id_is_an_error(tmp_path: Path):
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, GOOD, "2017-01-03,A-2,,5,East,Furniture,Consumer")

    assert caught.value.column == "Customer ID"
    assert caught.value.rows == (3,)


def test_duplicate_order_lines_are_an_error(tmp_path: Path):
    header = "Row ID," + HEADER
    rows = ["1," + GOOD, "2," + GOOD, "2," + GOOD]
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, *rows, header=header)

    assert caught.value.column == "Row ID"
    assert caught.value.rows == (3, 4)
    assert "order line '2' appears more than once" in str(caught.value)


def test_an_order_with_two_dates_is_an_error(tmp_path: Path):
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, GOOD, "2017-01-05,A-1,C-1,5,East,Furniture,Consumer")

    assert caught.value.column == "Order Date"
    assert caught.value.rows == (2, 3)
    assert "order 'A-1' has lines with different values" in str(caught.value)


def test_an_order_with_two_customers_is_an_error(tmp_path: Path):
    with pytest.raises(DataError) as caught:
        load_csv(tmp_path, GOOD, "2017-01-02,A-1,C-9,5,East,Furniture,Consumer")

    assert caught.value.column == "Customer ID"


def test_an_empty_file_is_an_error(tmp_path: Path):
    path = tmp_path / "orders.csv"
    path.write_bytes(b"")

    with pytest.raises(DataError, match="is empty; export the orders with a header"):
        load_orders(Config(data_source=str(path)))


def test_a_header_without_rows_is_an_error(tmp_path: Path):
    with pytest.raises(DataError, match="has no order lines"):
        load_csv(tmp_path)


def test_a_missing_file_is_an_error(tmp_path: Path):
    missing = tmp_path / "nowhere.csv"

    with pytest.raises(DataError, match="does not exist; check the path"):
        load_orders(Config(data_source=str(missing)))


def test_an_unknown_file_kind_is_an_error(tmp_path: Path):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(b"PK")

    with pytest.raises(DataError, match="neither a CSV"):
        load_orders(Config(data_source=str(path)))


def test_mapping_an_unknown_field_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError) as caught:
        load_csv(tmp_path, GOOD, data_columns=(("order_dat", "Order Date"),))

    assert caught.value.variable == "DATA_COLUMNS"
    assert "'order_dat' is not a field of the order schema" in str(caught.value)


def test_an_unknown_time_zone_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError) as caught:
        load_csv(tmp_path, GOOD, business_timezone="Mars/Olympus")

    assert caught.value.variable == "BUSINESS_TIMEZONE"
    assert "'Mars/Olympus' is not an IANA time zone" in str(caught.value)
