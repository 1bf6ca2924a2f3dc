"""Each kind of source: Parquet file, CSV over HTTP, a SQL query on SQLite."""

from __future__ import annotations

import functools
import http.server
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from config import SAMPLE_DATA, Config
from errors import DataError
from sources import load_orders

SAMPLE_REVENUE = 2_297_200.86  # shared/data/README.md


@pytest.fixture(scope="module")
def sample_raw() -> pd.DataFrame:
    return pd.read_csv(SAMPLE_DATA)


def test_parquet_file_with_tz_aware_timestamps(tmp_path: Path):
    stamps = pd.to_datetime(["2024-03-10T03:30:00Z", "2024-03-10T12:00:00Z"])
    frame = pd.DataFrame(
        {
            "order_date": stamps,
            "order_id": ["o1", "o2"],
            "customer_id": ["c1", "c2"],
            "net_amount": [12.5, 7.5],
        }
    )
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path)

    orders = load_orders(
        Config(data_source=str(path), dimensions=(), business_timezone="US/Pacific")
    )

    # 03:30 UTC on March 10 is still March 9 in California.
    assert orders["order_date"].dt.day.tolist() == [9, 10]
    assert orders["net_amount"].sum() == 20.0


def test_parquet_rows_are_named_by_position(tmp_path: Path):
    frame = pd.DataFrame(
        {
            "order_date": ["2024-01-01", "2024-01-02"],
            "order_id": ["o1", "o2"],
            "customer_id": ["c1", "c2"],
            "net_amount": ["1.0", "one"],
        }
    )
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path)

    with pytest.raises(DataError) as caught:
        load_orders(Config(data_source=str(path), dimensions=()))

    assert caught.value.rows == (1,)
    assert "'one' is not a number at row 1" in str(caught.value)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output free of access lines."""


@pytest.fixture
def served_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.integration
def test_csv_over_http_loads_like_the_file(served_folder, sample_raw):
    folder, base = served_folder
    sample_raw.head(200).to_csv(folder / "orders.csv", index=False)

    orders = load_orders(Config(data_source=f"{base}/orders.csv?token=x"))

    assert len(orders) == 200
    assert orders["net_amount"].sum() == pytest.approx(sample_raw["Sales"][:200].sum())


@pytest.mark.integration
def test_missing_url_is_a_data_error(served_folder):
    _, base = served_folder

    with pytest.raises(DataError, match="cannot be read as CSV"):
        load_orders(Config(data_source=f"{base}/nothing.csv"))


def test_sql_query_on_sqlite_reproduces_the_sample(tmp_path: Path, sample_raw):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as connection:
        sample_raw.to_sql("order_lines", connection, index=False)

    config = Config(
        data_source=f"sqlite:///{path}",
        data_query="SELECT * FROM order_lines WHERE \"Order Date\" >= '2017-01-01'",
    )
    orders = load_orders(config)

    # Revenue 2017 from shared/data/README.md.
    assert round(orders["net_amount"].sum(), 2) == 733_215.26
    assert orders["order_id"].nunique() == 1_687


def test_sql_source_without_query_says_which_variable_to_set():
    with pytest.raises(DataError, match="DATA_QUERY is unset"):
        load_orders(Config(data_source="sqlite:///:memory:"))


def test_failing_query_is_a_data_error(tmp_path: Path):
    config = Config(
        data_source=f"sqlite:///{tmp_path / 'empty.db'}",
        data_query="SELECT * FROM no_such_table",
    )

    with pytest.raises(DataError, match=r"OperationalError.*no such table"):
        load_orders(config)


def test_database_password_never_appears_in_messages():
    # No driver for this dialect is installed, so nothing is contacted.
    config = Config(
        data_source="mysql://shop:s3cret@127.0.0.1:1/shop", data_query="SELECT 1"
    )

    with pytest.raises(DataError) as caught:
        load_orders(config)

    assert "s3cret" not in str(caught.value)
    assert "shop:***@127.0.0.1" in str(caught.value)
