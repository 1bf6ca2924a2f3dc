"""The Data page's KPI table and its CSV: rounded once, formulas defused."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest

from config import Config
from kpi import KpiCube, OrderLines, Selection, precompute
from sources import load_orders
from web.export import csv_name, defuse, kpi_table, table_kpis, to_csv

DIMENSIONS = ("region", "category", "segment")


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return load_orders(Config())


@pytest.fixture(scope="module")
def cube(orders: pd.DataFrame) -> KpiCube:
    return KpiCube.from_frames(precompute(orders, dimensions=DIMENSIONS))


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("West", "West"),
        ("a=b", "a=b"),
    ],
)
def test_defuse_quotes_cells_a_spreadsheet_would_run(text: str, safe: str) -> None:
    assert defuse(text) == safe


def test_csv_defuses_text_cells_and_keeps_numbers_numeric() -> None:
    table = pd.DataFrame(
        {
            "period": ["2017-01-01"],
            "profit": [-331.25],
            "region": ["=cmd|' /C calc'!A0"],
            "=evil": ["@x"],
        }
    )

    rows = list(csv.reader(io.StringIO(to_csv(table))))

    assert rows == [
        ["period", "profit", "region", "'=evil"],
        ["2017-01-01", "-331.25", "'=cmd|' /C calc'!A0", "'@x"],
    ]


def test_kpi_table_matches_the_direct_engine(
    cube: KpiCube, orders: pd.DataFrame
) -> None:
    selection = Selection.build(
        start=dt.date(2017, 1, 1),
        end=dt.date(2017, 12, 31),
        filters={"region": ["East", "West"], "segment": ["Consumer"]},
        grain="month",
    )
    # The reference: KPIs recomputed from the raw order lines, not the cube.
    direct = OrderLines(orders, dimensions=DIMENSIONS).series(selection)

    table = kpi_table(cube, selection)

    assert list(table["period"]) == [f"2017-{m:02d}-01" for m in range(1, 13)]
    assert set(table["partial"]) == {"no", "yes"}  # the data ends on Dec 30
    for kpi in table_kpis():
        np.testing.assert_allclose(
            table[kpi].astype("float64"), direct[kpi], rtol=0, atol=0.006
        )
    assert set(table["region"]) == {"East|West"}
    assert set(table["category"]) == {"all"}


def test_kpi_table_counts_are_whole_numbers(cube: KpiCube) -> None:
    table = kpi_table(cube, Selection.build(grain="month"))
    first = to_csv(table).splitlines()[1].split(",")
    header = to_csv(table).splitlines()[0].split(",")

    assert first[header.index("orders")].isdigit()
    assert first[header.index("revenue")].replace(".", "").isdigit()


def test_csv_name_says_the_range_and_grain() -> None:
    selection = Selection.build(
        start=dt.date(2017, 1, 1), end=dt.date(2017, 3, 31), grain="week"
    )

    assert csv_name(selection) == "kpis-2017-01-01-2017-03-31-week.csv"
