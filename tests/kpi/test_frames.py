"""The precomputed frames: plain Arrow-friendly columns, the data-through day."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from kpi import KpiCube, Selection, precompute

from .conftest import HANDMADE_DIMENSIONS, handmade_orders


def test_frames_are_prefixed_plain_columns(sample_orders: pd.DataFrame):
    frames = precompute(sample_orders, dimensions=("region", "category", "segment"))

    assert all(name.startswith("kpi_") for name in frames)
    for frame in frames.values():
        for dtype in frame.dtypes:
            assert (
                pd.api.types.is_numeric_dtype(dtype)
                or pd.api.types.is_bool_dtype(dtype)
                or pd.api.types.is_string_dtype(dtype)
            ), dtype


def test_cube_from_an_arrow_round_trip_answers_alike(sample_orders, sample_cube):
    frames = precompute(sample_orders, dimensions=("region", "category", "segment"))
    restored = {
        name: pa.Table.from_pandas(frame, preserve_index=False).to_pandas()
        for name, frame in frames.items()
    }
    sel = Selection.build(
        start=dt.date(2016, 2, 10), filters={"segment": ["Corporate"]}, grain="week"
    )

    cube = KpiCube.from_frames(restored)

    pd.testing.assert_frame_equal(cube.summary(sel), sample_cube.summary(sel))
    pd.testing.assert_frame_equal(cube.series(sel), sample_cube.series(sel))


def test_lines_after_as_of_are_left_out():
    frames = precompute(
        handmade_orders(), dimensions=HANDMADE_DIMENSIONS, as_of=dt.date(2024, 3, 1)
    )
    cube = KpiCube.from_frames(frames)

    assert cube.as_of == dt.date(2024, 3, 1)
    assert cube.last_day == dt.date(2024, 2, 29)
    # Everything up to the leap day: 30 (2023) + 200 (January) + 200 (February).
    assert cube.summary(Selection()).loc["revenue", "value"] == 430.0


def test_as_of_after_the_last_order_marks_the_month_unfinished():
    frames = precompute(
        handmade_orders(), dimensions=HANDMADE_DIMENSIONS, as_of=dt.date(2024, 5, 3)
    )
    cube = KpiCube.from_frames(frames)

    series = cube.series(Selection.build(start=dt.date(2024, 4, 1)))

    assert series["partial"].tolist() == [False, True]
    assert series["revenue"].tolist() == [70.0, 0.0]


def test_frames_of_another_version_are_refused(sample_orders: pd.DataFrame):
    frames = precompute(sample_orders.head(50), dimensions=("region",))
    frames["kpi_meta"] = frames["kpi_meta"].assign(version=0)

    with pytest.raises(ValueError, match="run the refresh again"):
        KpiCube.from_frames(frames)


def test_no_orders_give_an_empty_cube_that_answers_zeros(sample_orders):
    cube = KpiCube.from_frames(precompute(sample_orders.head(0), dimensions=["region"]))

    summary = cube.summary(Selection())

    assert summary.loc["revenue", "value"] == 0.0
    assert cube.breakdown(Selection(), "region").empty


def test_orders_without_dimensions_survive_an_arrow_round_trip():
    orders = handmade_orders()
    frames = precompute(orders, dimensions=[])
    restored = {
        name: pa.Table.from_pandas(frame, preserve_index=False).to_pandas()
        for name, frame in frames.items()
    }

    cube = KpiCube.from_frames(restored)

    assert cube.dimensions == {}
    # Every hand-made line: 30 + 200 + 200 + 40 + 70.
    assert cube.summary(Selection()).loc["revenue", "value"] == 540.0
