"""Cache keys: ASCII, at most 250 bytes, versioned, independent of filter order.

Only this module decides what a key looks like; stores take keys as given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from urllib.parse import quote

# Bump when the layout of stored pieces changes: old snapshots then read as misses.
SCHEMA_VERSION = 1
PREFIX = f"kpidash:v{SCHEMA_VERSION}"
MAX_KEY_LENGTH = 250

# Room left at the end of every key for a chunk suffix such as ":12345".
CHUNK_SUFFIX_ROOM = 10
_DIGEST_CHARS = 32


def make_key(*parts: str) -> str:
    """Join ``parts`` under the versioned prefix into a key memcached accepts.

    Each part is percent-encoded (spaces, ``&``, ``:`` and non-ASCII text become
    ``%XX``), so distinct parts never produce the same key. A key that would be too
    long keeps its start and ends with a digest of the whole.
    """
    if not parts:
        raise ValueError("make_key needs at least one part, for example 'current'")

    key = ":".join([PREFIX, *(quote(part, safe="") for part in parts)])
    limit = MAX_KEY_LENGTH - CHUNK_SUFFIX_ROOM
    if len(key) <= limit:
        return key

    digest = hashlib.blake2b(key.encode("ascii"), digest_size=16).hexdigest()
    return f"{key[: limit - _DIGEST_CHARS - 1]}~{digest}"


def frame_name(
    kind: str, filters: Mapping[str, str | Iterable[str]] | None = None
) -> str:
    """Name a frame by its kind and filters, the same whatever order values came in.

    ``frame_name("kpi", {"region": ["West", "East"]})`` equals
    ``frame_name("kpi", {"region": "East,West"})``: values are split at commas,
    stripped, de-duplicated and sorted, and empty filters are dropped.
    """
    pieces = []
    for field in sorted(filters or {}):
        values = _filter_values((filters or {})[field])
        if values:
            pieces.append(f"{quote(field, safe='')}={','.join(values)}")

    return kind if not pieces else f"{kind}?{'&'.join(pieces)}"


def _filter_values(raw: str | Iterable[str]) -> list[str]:
    items = [raw] if isinstance(raw, str) else list(raw)
    values = {
        value.strip() for item in items for value in item.split(",") if value.strip()
    }
    return [quote(value, safe="") for value in sorted(values)]
