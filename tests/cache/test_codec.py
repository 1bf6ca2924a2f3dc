"""Frames survive encoding with their dtypes, index and index frequency."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from cache.codec import decode_frame, encode_frame
from errors import CacheCorrupt
from tests.cache.conftest import make_frames


def test_round_trip_keeps_dtypes_and_values() -> None:
    lines = make_frames()["lines"]

    back = decode_frame(encode_frame(lines))

    pd.testing.assert_frame_equal(back, lines)
    assert back.dtypes.astype(str).to_dict() == {
        "order_date": "datetime64[us]",
        "sales": "float64",
        "quantity": "int64",
        "customer": "str",
        "region": "category",
    }
    assert list(back["region"].cat.categories) == ["West", "East", "South", "Central"]


def test_round_trip_keeps_datetime_index_and_its_frequency() -> None:
    monthly = make_frames()["monthly"]

    back = decode_frame(encode_frame(monthly))

    pd.testing.assert_frame_equal(back, monthly, check_freq=True)
    assert back.index.freqstr == "MS"
    assert back.index.name == "month"


def test_round_trip_keeps_multiindex_and_empty_frames() -> None:
    index = pd.MultiIndex.from_tuples([("W", 2017), ("E", 2018)], names=["r", "y"])
    frame = pd.DataFrame({"value": [1.5, 2.5]}, index=index)
    empty = make_frames()["lines"].iloc[0:0]

    pd.testing.assert_frame_equal(decode_frame(encode_frame(frame)), frame)
    pd.testing.assert_frame_equal(decode_frame(encode_frame(empty)), empty)


def test_round_trip_of_concatenated_frames_with_chunked_text_columns() -> None:
    lines = make_frames()["lines"]
    # pandas keeps concatenated ``str`` columns as several Arrow chunks.
    doubled = pd.concat([lines, lines], ignore_index=True)

    pd.testing.assert_frame_equal(decode_frame(encode_frame(doubled)), doubled)


def test_encoding_compresses_repetitive_frames() -> None:
    frame = pd.DataFrame({"region": ["West"] * 100_000, "n": [1] * 100_000})
    raw_size = pa.RecordBatch.from_pandas(frame, preserve_index=None).nbytes

    # Arrow holds 2,000,000 bytes here (offsets, text, int64); zstd gives ~109 KB.
    assert raw_size == 2_000_000
    assert len(encode_frame(frame)) < raw_size / 10


def test_damaged_bytes_raise_cache_corrupt() -> None:
    data = encode_frame(make_frames()["lines"])

    with pytest.raises(CacheCorrupt, match="not a readable Arrow stream"):
        decode_frame(data[: len(data) // 2])
