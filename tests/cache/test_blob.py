"""Chunked values: a manifest with a checksum; a bad or missing chunk is a miss."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from cache.blob import ITEM_OVERHEAD, chunk_key, pack_blob, read_blobs
from cache.codec import decode_frame, encode_frame
from cache.keys import make_key
from cache.local import LocalStore
from cache.sharding import ShardedStore

LIMIT = 1_000_000


def _three_megabyte_frame() -> pd.DataFrame:
    # Random floats barely compress: this encodes to about 3.08 MB.
    rng = np.random.default_rng(3)
    region = pd.Categorical(rng.choice(["West", "East"], 400_000))
    return pd.DataFrame({"value": rng.random(400_000), "region": region})


def test_small_values_are_stored_inline() -> None:
    items = pack_blob("k", b"abc", LIMIT)

    assert list(items) == ["k"]


def test_large_values_split_into_chunks_under_the_limit() -> None:
    data = os.urandom(2_500_000)
    key = make_key("blob", "big")

    items = pack_blob(key, data, LIMIT)

    # 2.5 MB over chunks of under 1 MB each: three chunks plus the manifest.
    assert sorted(items) == sorted([key, *(chunk_key(key, i) for i in range(3))])
    assert all(len(k) + len(v) + ITEM_OVERHEAD <= LIMIT for k, v in items.items())
    assert b"".join(items[chunk_key(key, i)] for i in range(3)) == data


def test_chunked_values_read_back_from_the_local_store(local_store: LocalStore) -> None:
    data = os.urandom(50_000)
    local_store.set_many(pack_blob("k", data, 8192), ttl=60)

    assert read_blobs(local_store, ["k", "absent"]) == {"k": data}


def test_a_flipped_byte_in_an_inline_value_is_a_miss(local_store: LocalStore) -> None:
    items = pack_blob("k", b"payload", LIMIT)
    local_store.set("k", items["k"][:-1] + b"X", ttl=60)

    assert read_blobs(local_store, ["k"]) == {}


@pytest.mark.integration
def test_a_three_megabyte_frame_round_trips_through_memcached_chunks(
    memcached_store: ShardedStore,
) -> None:
    frame = _three_megabyte_frame()
    data = encode_frame(frame)
    key = make_key("blob", "three-mb")
    items = pack_blob(key, data, LIMIT)

    memcached_store.set_many(items, ttl=60)
    back = read_blobs(memcached_store, [key])

    assert len(data) > 3_000_000
    assert len(items) == 5  # four chunks and the manifest
    pd.testing.assert_frame_equal(decode_frame(back[key]), frame)


@pytest.mark.integration
def test_a_chunk_deleted_behind_the_store_is_a_miss(
    memcached_store: ShardedStore,
) -> None:
    key = make_key("blob", "deleted")
    memcached_store.set_many(pack_blob(key, os.urandom(2_500_000), LIMIT), ttl=60)

    memcached_store.delete_many([chunk_key(key, 1)])

    assert read_blobs(memcached_store, [key]) == {}


@pytest.mark.integration
def test_a_chunk_corrupted_behind_the_store_is_a_miss(
    memcached_store: ShardedStore,
) -> None:
    key = make_key("blob", "corrupt")
    items = pack_blob(key, os.urandom(2_500_000), LIMIT)
    memcached_store.set_many(items, ttl=60)
    chunk = items[chunk_key(key, 2)]

    # Same length, one byte changed: only the checksum can tell.
    memcached_store.set(chunk_key(key, 2), bytes([chunk[0] ^ 1]) + chunk[1:], ttl=60)

    assert read_blobs(memcached_store, [key]) == {}
