"""Plain memcached (no login) through pymemcache, one pooled client per server.

Spreading keys, timeouts policy and the breaker are left to ``sharding.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pymemcache.client.base import PooledClient
from pymemcache.exceptions import (
    MemcacheClientError,
    MemcacheError,
    MemcacheServerError,
    MemcacheUnexpectedCloseError,
)

from cache.breaker import DEFAULT_COOLDOWN
from cache.sharding import ShardedStore
from config import Config
from errors import CacheWriteError, ConfigError

DEFAULT_PORT = 11211


class PymemcacheShard:
    """One memcached server spoken to over the text protocol, waiting for replies."""

    network_errors: tuple[type[BaseException], ...] = (
        OSError,
        MemcacheUnexpectedCloseError,
    )
    protocol_errors: tuple[type[BaseException], ...] = (MemcacheError,)

    def __init__(self, server: str, *, timeout: float) -> None:
        self.server = server
        self._client = PooledClient(
            split_server(server, "MEMCACHE_SERVERS"),
            connect_timeout=timeout,
            timeout=timeout,
            no_delay=True,
            default_noreply=False,
        )

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        with self._dropping_pool_on_network_error():
            return self._client.get_many(keys)

    def set_many(self, items: dict[str, bytes], expire: int) -> list[str]:
        try:
            with self._dropping_pool_on_network_error():
                return list(self._client.set_many(items, expire=expire, noreply=False))
        except MemcacheUnexpectedCloseError:
            raise
        except (MemcacheServerError, MemcacheClientError) as exc:
            raise CacheWriteError(
                f"memcached server {self.server!r} refused a write of "
                f"{len(items)} items ({exc}); raise its item size limit "
                "(memcached -I) or lower CACHE_ITEM_LIMIT to match it"
            ) from exc

    def delete_many(self, keys: list[str]) -> None:
        with self._dropping_pool_on_network_error():
            self._client.delete_many(keys, noreply=False)

    @contextlib.contextmanager
    def _dropping_pool_on_network_error(self) -> Iterator[None]:
        # One dropped socket means the server went away: every pooled socket to it
        # is dead too, and the breaker's trial after a restart must not pick one.
        try:
            yield
        except self.network_errors:
            self._client.close()
            raise

    def close(self) -> None:
        self._client.close()


def open_memcached_store(
    config: Config, *, cooldown: float = DEFAULT_COOLDOWN
) -> ShardedStore:
    """Open ``config.memcache_servers`` as one store spread by consistent hashing."""
    shards = [
        PymemcacheShard(server, timeout=config.cache_timeout)
        for server in config.memcache_servers
    ]
    return ShardedStore(
        "memcached",
        shards,
        item_limit=config.cache_item_limit,
        timeout=config.cache_timeout,
        cooldown=cooldown,
    )


def split_server(server: str, variable: str) -> tuple[str, int]:
    """Split ``host:port`` (port optional, IPv6 in brackets) for a client library."""
    if server.startswith("["):
        host, _, rest = server[1:].partition("]")
        port = rest.lstrip(":")
    elif server.count(":") == 1:
        host, port = server.split(":")
    else:
        host, port = server, ""

    try:
        return host, int(port) if port else DEFAULT_PORT
    except ValueError:
        raise ConfigError(
            variable, f"{server!r} has port {port!r}, which is not a number"
        ) from None
