"""The precomputed cube gives exactly what recomputing from the order lines gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi import GRAINS, KpiCube, OrderLines, Selection, precompute

FIRST, LAST = dt.date(2013, 12, 1), dt.date(2018, 1, 31)  # a little beyond the sample
VALUES = {
    "region": ["Central", "East", "South", "West", "Nowhere"],
    "category": ["Furniture", "Office Supplies", "Technology"],
    "segment": ["Consumer", "Corporate", "Home Office"],
}


@st.composite
def selections(draw: st.DrawFn) -> Selection:
    start = draw(st.dates(FIRST, LAST))
    end = draw(st.dates(start, LAST))
    filters = {
        dimension: draw(st.lists(st.sampled_from(values), max_size=3, unique=True))
        for dimension, values in VALUES.items()
    }
    return Selection.build(
        start=start, end=end, filters=filters, grain=draw(st.sampled_from(GRAINS))
    )


def assert_same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    assert list(fast.columns) == list(slow.columns)
    assert list(fast.index) == list(slow.index)
    for column in fast.columns:
        if pd.api.types.is_numeric_dtype(fast[column]):
            np.testing.assert_allclose(
                fast[column].to_numpy(dtype="float64"),
                slow[column].to_numpy(dtype="float64"),
                rtol=1e-9,
                atol=1e-6,
                err_msg=column,
            )
        else:
            assert fast[column].tolist() == slow[column].tolist(), column


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(selections())
def test_summary_and_series_match(sample_cube, sample_lines, sel: Selection):
    assert_same(sample_cube.summary(sel), sample_lines.summary(sel))
    assert_same(sample_cube.series(sel), sample_lines.series(sel))


@SETTINGS
@given(selections(), st.sampled_from(list(VALUES)))
def test_breakdown_and_contributions_match(
    sample_cube, sample_lines, sel: Selection, dimension: str
):
    assert_same(
        sample_cube.breakdown(sel, dimension), sample_lines.breakdown(sel, dimension)
    )
    for kpi in ("revenue", "orders", "profit"):
        assert_same(
            sample_cube.contributions(sel, kpi, dimension),
            sample_lines.contributions(sel, kpi, dimension),
        )


@settings(max_examples=15, deadline=None)
@given(selections())
def test_cohorts_match(sample_cube, sample_lines, sel: Selection):
    assert_same(sample_cube.cohorts(sel), sample_lines.cohorts(sel))


def test_multi_value_filter_counts_customers_like_pandas(
    sample_cube: KpiCube, sample_orders: pd.DataFrame
):
    sel = Selection.build(
        start=dt.date(2016, 4, 1),
        end=dt.date(2017, 3, 31),
        filters={"region": ["East", "West"], "category": ["Furniture", "Technology"]},
    )
    lines = sample_orders[
        sample_orders["order_date"].between("2016-04-01", "2017-03-31")
        & sample_orders["region"].isin(["East", "West"])
        & sample_orders["category"].isin(["Furniture", "Technology"])
    ]
    per_value = sum(
        lines.loc[lines["category"] == c, "customer_id"].nunique()
        for c in ("Furniture", "Technology")
    )

    summary = sample_cube.summary(sel)["value"]

    assert summary["active_customers"] == lines["customer_id"].nunique()
    assert summary["orders"] == lines["order_id"].nunique()
    assert summary["revenue"] == pytest.approx(lines["net_amount"].sum())
    # Summing per-category counts would count customers of both twice.
    assert per_value > summary["active_customers"]


def test_more_than_64_cells_use_several_mask_words():
    rng = np.random.default_rng(3)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, 600), "D")
    orders = pd.DataFrame(
        {
            "order_date": days,
            "order_id": [f"o{i // 2}" for i in range(600)],
            "customer_id": [f"c{i % 37}" for i in range(600)],
            "net_amount": rng.uniform(-5, 100, 600).round(2),
            "profit": rng.uniform(-5, 20, 600).round(2),
            "quantity": rng.integers(1, 5, 600).astype("float64"),
            "store": [f"s{v:02d}" for v in rng.integers(0, 80, 600)],
        }
    )
    # An order's lines share its first line's date and customer.
    orders["order_date"] = orders.groupby("order_id")["order_date"].transform("first")
    orders["customer_id"] = orders.groupby("order_id")["customer_id"].transform("first")
    frames = precompute(orders, dimensions=["store"])
    cube = KpiCube.from_frames(frames)
    lines = OrderLines(orders, dimensions=["store"])

    assert frames["kpi_meta"].loc[0, "words"] == 2
    for stores in (
        ["s01", "s70"],
        ["s75", "s79"],
        [f"s{v:02d}" for v in range(0, 80, 3)],
    ):
        sel = Selection.build(filters={"store": stores}, grain="week")
        assert_same(cube.summary(sel), lines.summary(sel))
        assert_same(cube.series(sel), lines.series(sel))


def random_orders(seed: int) -> pd.DataFrame:
    """Small random order lines: refunds, unknown profits, repeat customers."""
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 300))
    order = rng.integers(0, max(1, count // 2), count)
    day = rng.integers(0, 800, max(1, count // 2))[order]
    customer = rng.integers(0, 25, max(1, count // 2))[order]
    profit = rng.normal(5, 10, count)
    profit[rng.random(count) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "order_date": pd.Timestamp("2022-12-25") + pd.to_timedelta(day, "D"),
            "order_id": [f"o{o}" for o in order],
            "customer_id": [f"c{c}" for c in customer],
            "net_amount": rng.normal(50, 40, count).round(2),
            "profit": profit,
            "quantity": rng.integers(-1, 4, count).astype("float64"),
            "region": rng.choice(["N", "S", "E"], count),
            "channel": rng.choice(["web", "shop"], count),
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 10_000),
    st.dates(dt.date(2022, 11, 1), dt.date(2025, 3, 31)),
    st.dates(dt.date(2022, 11, 1), dt.date(2025, 3, 31)),
    st.sampled_from(GRAINS),
    st.lists(st.sampled_from(["N", "S", "E"]), max_size=2, unique=True),
    st.one_of(st.none(), st.dates(dt.date(2023, 1, 1), dt.date(2025, 6, 30))),
)
def test_random_orders_match(seed, start, end, grain, regions, as_of):
    orders = random_orders(seed)
    dimensions = ["region", "channel"]
    cube = KpiCube.from_frames(precompute(orders, dimensions=dimensions, as_of=as_of))
    lines = OrderLines(orders, dimensions=dimensions, as_of=as_of)
    sel = Selection.build(
        start=min(start, end),
        end=max(start, end),
        filters={"region": regions},
        grain=grain,
    )

    assert (cube.first_day, cube.as_of) == (lines.first_day, lines.as_of)
    assert_same(cube.summary(sel), lines.summary(sel))
    assert_same(cube.series(sel), lines.series(sel))
    assert_same(cube.cohorts(sel), lines.cohorts(sel))
    assert_same(cube.breakdown(sel, "channel"), lines.breakdown(sel, "channel"))
