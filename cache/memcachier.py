"""MemCachier (or any SASL memcached) through python-binary-memcached, one per server.

Spreading keys and the breaker are left to ``sharding.py``. Credentials go to the
client library only; no message or log line here carries them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bmemcached.exceptions import InvalidCredentials, MemcachedException
from bmemcached.protocol import Protocol

from cache.breaker import DEFAULT_COOLDOWN
from cache.memcached import split_server
from cache.sharding import ShardedStore
from config import Config
from errors import CacheUnavailable

_T = TypeVar("_T")
# Binary protocol status for a refused or missing SASL login.
_AUTH_ERROR = 0x20


class BinaryShard:
    """One SASL server; the library's silent disconnects are turned into errors."""

    network_errors: tuple[type[BaseException], ...] = (OSError, CacheUnavailable)
    protocol_errors: tuple[type[BaseException], ...] = (MemcachedException,)

    def __init__(self, server: str, *, username: str, password: str, timeout: float):
        self.server = server
        host, port = split_server(server, "MEMCACHIER_SERVERS")
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self._protocol = Protocol(
            address,
            username=username,
            password=password,
            socket_timeout=timeout,
            raw_data=True,
        )
        # Our breaker decides when to try a failed server again.
        self._protocol.set_retry_delay(0)

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        found = self._checked(lambda: self._protocol.get_multi(keys))
        return {key: value for key, (value, _cas) in found.items()}

    def set_many(self, items: dict[str, bytes], expire: int) -> list[str]:
        return list(self._checked(lambda: self._protocol.set_multi(items, expire)))

    def delete_many(self, keys: list[str]) -> None:
        self._checked(lambda: self._protocol.delete_multi(keys))

    def close(self) -> None:
        self._protocol.disconnect()

    def _checked(self, call: Callable[[], _T]) -> _T:
        try:
            result = call()
        except (InvalidCredentials, MemcachedException) as exc:
            if isinstance(exc, InvalidCredentials) or exc.code == _AUTH_ERROR:
                self._protocol.disconnect()
                raise CacheUnavailable(
                    f"memcachier server {self.server!r} refused the SASL login; check "
                    "MEMCACHIER_USERNAME and MEMCACHIER_PASSWORD"
                ) from exc
            raise

        # The library reports a lost connection as a miss and drops the socket.
        if self._protocol.connection is None:
            raise ConnectionError("connection lost or refused")
        return result


def open_memcachier_store(
    config: Config, *, cooldown: float = DEFAULT_COOLDOWN
) -> ShardedStore:
    """Open ``config.memcachier_servers`` with the SASL login from ``config``."""
    shards = [
        BinaryShard(
            server,
            username=config.memcachier_username or "",
            password=config.memcachier_password or "",
            timeout=config.cache_timeout,
        )
        for server in config.memcachier_servers
    ]
    return ShardedStore(
        "memcachier",
        shards,
        item_limit=config.cache_item_limit,
        timeout=config.cache_timeout,
        cooldown=cooldown,
    )
