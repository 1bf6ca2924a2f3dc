"""A corpus of broken order files: each loads correctly or fails with a clear error.

A failed load must also leave the cache alone: the refresh exits non-zero and the
snapshot that was current before stays current, with no new pieces written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from cache import SnapshotReader, open_store
from config import PROJECT_ROOT, Config
from errors import DataError
from sources import load_orders
from tests.hostile.conftest import publish_orders
from tests.web.conftest import service_env

HEADER = (
    "Row ID,Order ID,Order Date,Customer ID,Sales,Profit,Quantity,"
    "Region,Category,Segment"
)
ROWS = [
    "1,A-1,2017-01-05,C1,100.50,10.25,2,West,Technology,Consumer",
    "2,A-1,2017-01-05,C1,20.00,-4.00,1,West,Furniture,Consumer",
    "3,A-2,2017-02-11,C2,7.25,1.00,3,East,Office Supplies,Corporate",
]


def csv_text(rows: list[str] = ROWS, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def with_field(field: str, values: list[str]) -> str:
    """The good rows with one field replaced, row by row."""
    position = HEADER.split(",").index(field)
    rows = []
    for row, value in zip(ROWS, values, strict=True):
        parts = row.split(",")
        parts[position] = value
        rows.append(",".join(parts))
    return csv_text(rows)


def load(path: Path) -> pd.DataFrame:
    return load_orders(Config(data_source=str(path)))


Writer = Callable[[Path], Path]


def text_file(
    content: str, name: str = "orders.csv", encoding: str = "utf-8"
) -> Writer:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content.encode(encoding))
        return path

    return write


def bytes_file(content: bytes, name: str = "orders.csv") -> Writer:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return write


def truncated_gzip(folder: Path) -> Path:
    path = folder / "orders.csv.gz"
    whole = gzip.compress(csv_text(ROWS * 200).encode())
    path.write_bytes(whole[: len(whole) // 2])
    return path


def parquet_with_bool_sales(folder: Path) -> Path:
    path = folder / "orders.parquet"
    frame = pd.read_csv(text_file(csv_text())(folder), dtype="str")
    frame["Sales"] = [True, False, True]
    frame.to_parquet(path)
    return path


# name: (how to write the file, the column the error must name or None for a
# problem with the file as a whole).
FAILING: dict[str, tuple[Writer, str | None]] = {
    "empty file": (bytes_file(b""), None),
    "header only": (text_file(HEADER + "\n"), None),
    "semicolon delimiter": (text_file(csv_text().replace(",", ";")), "Order Date"),
    "tab delimiter": (text_file(csv_text().replace(",", "\t")), "Order Date"),
    "latin-1 encoding": (
        text_file(csv_text().replace("West", "Île-de-France"), encoding="latin-1"),
        None,
    ),
    "utf-16 encoding": (text_file(csv_text(), encoding="utf-16"), None),
    "missing amount column": (
        text_file(csv_text(header=HEADER.replace("Sales", "Net"))),
        "Sales",
    ),
    "missing dimension column": (
        text_file(csv_text().replace("Segment", "Customer Type")),
        "Segment",
    ),
    "padded header names": (text_file(csv_text().replace(",", ", ")), "Order Date"),
    "unparsable date": (
        text_file(with_field("Order Date", ["2017-01-05", "2017-01-05", "soon"])),
        "Order Date",
    ),
    "two date formats in one column": (
        text_file(with_field("Order Date", ["2017-01-05", "2017-01-05", "11/02/2017"])),
        "Order Date",
    ),
    "offsets on some dates only": (
        text_file(
            with_field(
                "Order Date",
                [
                    "2017-01-05T10:00:00+02:00",
                    "2017-01-05T10:00:00+02:00",
                    "2017-02-11",
                ],
            )
        ),
        "Order Date",
    ),
    "currency signs": (
        text_file(with_field("Sales", ["$100.50", "$20.00", "$7.25"])),
        "Sales",
    ),
    "thousands separators": (
        text_file(with_field("Sales", ['"1,100.50"', "20.00", "7.25"])),
        "Sales",
    ),
    "decimal commas": (
        text_file(with_field("Sales", ['"100,50"', "20", "7"])),
        "Sales",
    ),
    "NaN amount": (text_file(with_field("Sales", ["NaN", "20.00", "7.25"])), "Sales"),
    "NaN profit": (text_file(with_field("Profit", ["1", "nan", "2"])), "Profit"),
    "empty amount": (text_file(with_field("Sales", ["", "20.00", "7.25"])), "Sales"),
    "infinite amount": (
        text_file(with_field("Sales", ["1e309", "20.00", "7.25"])),
        "Sales",
    ),
    "duplicate lines": (text_file(csv_text([*ROWS, ROWS[0]])), "Row ID"),
    "empty order id": (
        text_file(with_field("Order ID", ["A-1", "A-1", " "])),
        "Order ID",
    ),
    "one order on two dates": (
        text_file(with_field("Order Date", ["2017-01-05", "2017-01-06", "2017-02-11"])),
        "Order Date",
    ),
    "one order for two customers": (
        text_file(with_field("Customer ID", ["C1", "C9", "C2"])),
        "Customer ID",
    ),
    "ragged rows": (text_file(csv_text([*ROWS, ROWS[0] + ",extra,fields"])), None),
    "unclosed quote": (text_file(csv_text([*ROWS, '4,"A-3,2017-03-01'])), None),
    "binary garbage": (bytes_file(bytes(range(256)) * 40), None),
    "truncated gzip": (truncated_gzip, None),
    "not a known file kind": (text_file(csv_text(), name="orders.xlsx"), None),
    "parquet with true/false amounts": (parquet_with_bool_sales, "Sales"),
}


@pytest.mark.parametrize("kind", sorted(FAILING))
def test_a_broken_file_fails_with_a_clear_error(tmp_path: Path, kind: str) -> None:
    write, column = FAILING[kind]
    path = write(tmp_path)

    with pytest.raises(DataError) as caught:
        load(path)

    message = str(caught.value)
    if column is None:
        assert path.name in message  # a file-level problem names the file
    else:
        assert caught.value.column == column
        assert repr(column) in message
    assert "Traceback" not in message and len(message) < 1000


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def test_dates_in_iso_us_and_european_formats_load_as_the_same_days(
    tmp_path: Path,
) -> None:
    spellings = {
        "iso": ["2017-01-05", "2017-01-05", "2017-02-11"],
        "us": ["01/05/2017", "01/05/2017", "02/11/2017"],
        "european": ["05.01.2017", "05.01.2017", "11.02.2017"],
        "iso timestamps": ["2017-01-05T09:30", "2017-01-05T09:30", "2017-02-11T23:59"],
    }
    loaded = {}
    for name, dates in spellings.items():
        folder = tmp_path / name.replace(" ", "-")
        folder.mkdir()
        loaded[name] = load(text_file(with_field("Order Date", dates))(folder))

    for orders in loaded.values():
        assert list(orders["order_date"]) == [
            day("2017-01-05"),
            day("2017-01-05"),
            day("2017-02-11"),
        ]


def test_mixed_time_zone_offsets_load_as_utc_days(tmp_path: Path) -> None:
    # 23:30 at -05:00 is 04:30 UTC the next day; 00:30 at +02:00 is 22:30 UTC the
    # day before; so the days in UTC are Jan 6, Jan 6 and Feb 10.
    dates = [
        "2017-01-05T23:30:00-05:00",
        "2017-01-06T08:00:00+00:00",
        "2017-02-11T00:30:00+02:00",
    ]

    orders = load(text_file(with_field("Order Date", dates))(tmp_path))

    assert list(orders["order_date"]) == [
        day("2017-01-06"),
        day("2017-01-06"),
        day("2017-02-10"),
    ]


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    orders = load(text_file(csv_text(), encoding="utf-8-sig")(tmp_path))

    assert list(orders["order_id"]) == ["A-1", "A-1", "A-2"]


def test_huge_and_negative_amounts_load_unchanged(tmp_path: Path) -> None:
    amounts = ["1e300", "-20.00", "0"]

    orders = load(text_file(with_field("Sales", amounts))(tmp_path))

    assert list(orders["net_amount"]) == [1e300, -20.0, 0.0]


def test_identical_lines_without_a_line_id_are_both_kept(tmp_path: Path) -> None:
    header = HEADER.removeprefix("Row ID,")
    rows = [row.split(",", 1)[1] for row in [*ROWS, ROWS[0]]]

    orders = load(text_file(csv_text(rows, header))(tmp_path))

    # Without a line id nothing tells a repeated line from a second identical one.
    assert len(orders) == 4
    assert orders["net_amount"].sum() == pytest.approx(100.5 + 20 + 7.25 + 100.5)


@pytest.mark.slow
def test_a_200_mb_file_loads_every_line(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    lines_per_block = 50_000
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        block = 0
        while out.tell() < 200 * 1024 * 1024:
            out.write(big_block(block, lines_per_block))
            block += 1

    orders = load(path)

    assert len(orders) == block * lines_per_block
    assert orders["order_date"].min() == day("2014-01-01")
    # Each block repeats amounts 0.01 .. 500.00 (cents i % 50000 + 1) once.
    cents_per_block = sum(range(1, 50_001))
    assert orders["net_amount"].sum() == pytest.approx(block * cents_per_block / 100)


def big_block(block: int, lines: int) -> str:
    rows = []
    start = dt.date(2014, 1, 1)
    for i in range(lines):
        line = block * lines + i
        order = line // 2  # two lines per order, sharing its date and customer
        when = start + dt.timedelta(days=order % 1460)
        rows.append(
            f"{line},O-{order},{when.isoformat()},C{order % 5000},"
            f"{(i % 50_000 + 1) / 100:.2f},1.00,1,West,Technology,Consumer\n"
        )
    return "".join(rows)


REFRESH_FAILURES = ["missing amount column", "unparsable date", "truncated gzip"]


@pytest.mark.integration
@pytest.mark.parametrize("kind", REFRESH_FAILURES)
def test_a_refresh_of_a_broken_file_exits_non_zero_and_keeps_the_snapshot(
    tmp_path: Path, kind: str
) -> None:
    store_dir = tmp_path / "store"
    good = load(text_file(csv_text())(tmp_path))
    config = publish_orders(store_dir, good)
    before = SnapshotReader(open_store(config)).read().snapshot
    assert before is not None
    pieces = sorted(p.name for p in store_dir.rglob("*"))
    broken = FAILING[kind][0](tmp_path)

    result = subprocess.run(
        [sys.executable, "scripts/refresh_cache.py"],
        cwd=PROJECT_ROOT,
        env=service_env(
            APP_ENV="production",
            DATA_SOURCE=str(broken),
            LOCAL_STORE_DIR=str(store_dir),
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 3, result.stderr[-2000:]
    assert broken.name in result.stderr or "column" in result.stderr
    assert "Traceback" not in result.stderr
    after = SnapshotReader(open_store(config)).read().snapshot
    assert after is not None and after.id == before.id
    assert sorted(p.name for p in store_dir.rglob("*")) == pieces
