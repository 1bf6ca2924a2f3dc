"""Keys: ASCII, short enough for memcached, versioned, independent of value order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cache.keys import MAX_KEY_LENGTH, PREFIX, frame_name, make_key
from cache.memcached import open_memcached_store
from config import Config
from tests.servers import MemcachedProcess


def test_keys_carry_the_schema_version() -> None:
    assert make_key("current") == "kpidash:v1:current"
    assert PREFIX == "kpidash:v1"


def test_spaces_ampersands_and_non_ascii_are_encoded() -> None:
    key = make_key("frame", "kpi?region=Côte d'Azur&segment=Home Office")

    # ':' '?' '=' ' ' '&' "'" and UTF-8 'ô' (c3 b4) are percent-encoded.
    assert key == (
        "kpidash:v1:frame:kpi%3Fregion%3DC%C3%B4te%20d%27Azur%26segment%3DHome%20Office"
    )


@given(st.lists(st.text(min_size=0, max_size=400), min_size=1, max_size=4))
def test_any_parts_give_a_valid_memcached_key(parts: list[str]) -> None:
    key = make_key(*parts)

    assert key.isascii()
    assert len(key) <= MAX_KEY_LENGTH - 10
    assert not any(ch.isspace() or ord(ch) < 33 for ch in key)


def test_long_keys_are_shortened_but_stay_distinct() -> None:
    first = make_key("frame", "x" * 300 + "a")
    second = make_key("frame", "x" * 300 + "b")

    assert len(first) == len(second) == MAX_KEY_LENGTH - 10
    assert first != second
    assert first.startswith("kpidash:v1:frame:xxx")


def test_different_parts_never_join_to_the_same_key() -> None:
    assert make_key("a:b", "c") != make_key("a", "b:c")


def test_frame_names_ignore_the_order_filter_values_came_in() -> None:
    one = frame_name("kpi", {"segment": "Consumer", "region": ["West", "East"]})
    two = frame_name("kpi", {"region": "East, West,West", "segment": ["Consumer"]})

    assert one == two == "kpi?region=East,West&segment=Consumer"


def test_frame_names_escape_separators_inside_values() -> None:
    name = frame_name("kpi", {"category": ["Art & Craft", "Bücher"], "region": []})

    # '&' inside a value must not look like the next filter; empty filters drop.
    assert name == "kpi?category=Art%20%26%20Craft,B%C3%BCcher"


@pytest.mark.integration
def test_memcached_accepts_keys_made_from_awkward_values(
    memcached: MemcachedProcess,
) -> None:
    store = open_memcached_store(Config(memcache_servers=(memcached.address,)))
    values = ["Home Office", "Art & Craft", "Bücher – 書籍", "x" * 400]
    keys = [make_key("frame", frame_name("kpi", {"category": v})) for v in values]

    items = {key: value.encode() for key, value in zip(keys, values, strict=True)}
    store.set_many(items, ttl=60)

    assert store.get_many(keys) == items
    store.close()
