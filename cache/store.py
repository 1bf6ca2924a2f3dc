"""The byte store interface every backend meets, and the choice of backend by config.

Stores move bytes under ASCII keys; what the bytes mean is left to ``snapshot.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from config import Config

# A month: memcached reads larger expiry values as a Unix timestamp.
MAX_RELATIVE_TTL = 30 * 24 * 3600


@runtime_checkable
class Store(Protocol):
    """Bytes in, bytes out, under keys made by :func:`cache.keys.make_key`.

    Policy shared by every store: a key that is absent or expired is a miss
    (``get`` returns None, ``get_many`` leaves it out); a store that cannot be
    reached raises :class:`errors.CacheUnavailable` instead, so callers can tell
    "no data" from "no answer". Writes wait for the server's answer and raise
    :class:`errors.CacheWriteError` when any item was not stored.
    """

    name: str
    item_limit: int

    def get(self, key: str) -> bytes | None:
        """Return the value under ``key``, or None on a miss."""
        ...

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        """Return the values found among ``keys``; misses are left out."""
        ...

    def set(self, key: str, value: bytes, *, ttl: int) -> None:
        """Store ``value`` for ``ttl`` seconds once the store confirms it."""
        ...

    def set_many(self, items: Mapping[str, bytes], *, ttl: int) -> None:
        """Store every item for ``ttl`` seconds, or raise naming what failed."""
        ...

    def delete_many(self, keys: Iterable[str]) -> None:
        """Remove ``keys``; keys already gone are not an error."""
        ...

    def prune_expired(self) -> int:
        """Drop expired items the store does not drop by itself; return the count."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


def open_store(config: Config) -> Store:
    """Open the store ``config`` selects: MemCachier, plain memcached, else local."""
    backend = config.cache_backend
    if backend == "memcachier":
        from cache.memcachier import open_memcachier_store

        return open_memcachier_store(config)

    if backend == "memcached":
        from cache.memcached import open_memcached_store

        return open_memcached_store(config)

    from cache.local import LocalStore

    return LocalStore(config.local_store_dir)
