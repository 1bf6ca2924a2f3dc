"""Column mapping, optional fields and time zones of loaded order lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from config import Config
from sources import load_orders


def write_csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_data_columns_map_a_foreign_schema_and_cost_gives_profit(tmp_path: Path):
    source = write_csv(
        tmp_path,
        "created,ref,buyer,total,cost,channel\n"
        "2024-02-29,o1,c1,100.5,60.25,web\n"
        "2024-03-01,o2,c2,-20,-12,store\n",
    )
    config = Config.from_env(
        {
            "DATA_SOURCE": source,
            "DATA_COLUMNS": "order_date=created,order_id=ref,customer_id=buyer,"
            "net_amount=total,cost=cost",
            "DIMENSIONS": "channel",
        }
    )

    orders = load_orders(config)

    assert list(orders.columns) == [
        "order_date",
        "order_id",
        "customer_id",
        "net_amount",
        "profit",
        "quantity",
        "channel",
    ]
    assert orders["order_date"].tolist() == [
        pd.Timestamp("2024-02-29"),
        pd.Timestamp("2024-03-01"),
    ]
    # A refund is a negative line; its profit is negative too (100.5 - 60.25 = 40.25).
    assert orders["net_amount"].tolist() == [100.5, -20.0]
    assert orders["profit"].tolist() == [40.25, -8.0]
    assert orders["quantity"].isna().all()
    assert orders["channel"].tolist() == ["web", "store"]


def test_columns_already_named_like_the_schema_need_no_mapping(tmp_path: Path):
    source = write_csv(
        tmp_path,
        "order_date,order_id,customer_id,net_amount,quantity,region\n"
        "2024-01-05,o1,c1,10,2,North\n",
    )

    orders = load_orders(Config(data_source=source, dimensions=("region",)))

    assert orders["quantity"].tolist() == [2.0]
    assert orders["profit"].isna().all()


def test_blank_dimension_values_become_none_label(tmp_path: Path):
    source = write_csv(
        tmp_path,
        "order_date,order_id,customer_id,net_amount,region\n"
        "2024-01-05,o1,c1,10,\n2024-01-06,o2,c1,10, West \n",
    )

    orders = load_orders(Config(data_source=source, dimensions=("region",)))

    assert orders["region"].tolist() == ["(none)", "West"]


def test_timestamps_with_offsets_fall_on_their_business_day(tmp_path: Path):
    # 23:30 in New York on Jan 5 is 04:30 UTC on Jan 6; 01:00 UTC on Jan 6 is
    # still Jan 5 in New York.
    source = write_csv(
        tmp_path,
        "order_date,order_id,customer_id,net_amount\n"
        "2024-01-05T23:30:00-05:00,o1,c1,10\n"
        "2024-01-06T01:00:00Z,o2,c2,10\n",
    )

    in_utc = load_orders(Config(data_source=source, dimensions=()))
    in_new_york = load_orders(
        Config(data_source=source, dimensions=(), business_timezone="America/New_York")
    )

    assert in_utc["order_date"].dt.day.tolist() == [6, 6]
    assert in_new_york["order_date"].dt.day.tolist() == [5, 5]
    assert in_new_york["order_date"].dt.tz is None


def test_local_timestamps_keep_their_calendar_day(tmp_path: Path):
    source = write_csv(
        tmp_path,
        "order_date,order_id,customer_id,net_amount\n2024-01-05 23:59:59,o1,c1,10\n",
    )

    orders = load_orders(
        Config(data_source=source, dimensions=(), business_timezone="Asia/Tokyo")
    )

    assert orders["order_date"].tolist() == [pd.Timestamp("2024-01-05")]


def test_us_style_dates_are_read_month_first(tmp_path: Path):
    source = write_csv(
        tmp_path,
        "order_date,order_id,customer_id,net_amount\n"
        "11/8/2016,o1,c1,10\n12/31/2016,o2,c1,10\n",
    )

    orders = load_orders(Config(data_source=source, dimensions=()))

    assert orders["order_date"].tolist() == [
        pd.Timestamp("2016-11-08"),
        pd.Timestamp("2016-12-31"),
    ]
