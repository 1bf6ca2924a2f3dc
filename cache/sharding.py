"""Memcached stores over several servers: rendezvous hashing and a breaker per server.

Speaking a wire protocol is left to a :class:`Shard` (``memcached.py`` for
pymemcache, ``memcachier.py`` for python-binary-memcached).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol

from pymemcache.client.rendezvous import RendezvousHash

from cache.breaker import DEFAULT_COOLDOWN, CircuitBreaker
from cache.store import MAX_RELATIVE_TTL
from errors import CacheUnavailable, CacheWriteError

logger = logging.getLogger(__name__)

# Failed keys named in a write error; the rest are counted.
_NAMED_FAILURES = 3


class Shard(Protocol):
    """One server behind a client library.

    It raises one of ``network_errors`` when the server cannot be reached and one
    of ``protocol_errors`` when the server answers with an error.
    """

    server: str
    network_errors: tuple[type[BaseException], ...]
    protocol_errors: tuple[type[BaseException], ...]

    def get_many(self, keys: list[str]) -> dict[str, bytes]: ...

    def set_many(self, items: dict[str, bytes], expire: int) -> list[str]:
        """Store ``items``; return the keys the server did not confirm."""
        ...

    def delete_many(self, keys: list[str]) -> None: ...

    def close(self) -> None: ...


class ShardedStore:
    """A :class:`cache.store.Store` spread over ``shards`` by rendezvous hashing.

    A key always maps to the same server, even while that server is down: its
    keys then raise CacheUnavailable (fast, while the server's breaker is open)
    rather than being sent to another server where they would read as misses.
    """

    def __init__(
        self,
        name: str,
        shards: Sequence[Shard],
        *,
        item_limit: int,
        timeout: float,
        cooldown: float = DEFAULT_COOLDOWN,
    ) -> None:
        if not shards:
            raise ValueError(f"the {name} store needs at least one server")

        self.name = name
        self.item_limit = item_limit
        self.timeout = timeout
        self._shards = {shard.server: shard for shard in shards}
        self._breakers = {server: CircuitBreaker(cooldown) for server in self._shards}
        self._hasher = RendezvousHash(nodes=list(self._shards))

    def get(self, key: str) -> bytes | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for server, group in self._group(keys).items():
            with self._guard(server) as shard:
                found.update(shard.get_many(group))
        return found

    def set(self, key: str, value: bytes, *, ttl: int) -> None:
        self.set_many({key: value}, ttl=ttl)

    def set_many(self, items: Mapping[str, bytes], *, ttl: int) -> None:
        expire = _expire_value(ttl)
        failed: list[str] = []
        for server, group in self._group(items).items():
            with self._guard(server) as shard:
                failed += shard.set_many({key: items[key] for key in group}, expire)

        if failed:
            raise CacheWriteError(
                f"the {self.name} store did not confirm {len(failed)} of {len(items)} "
                f"writes (first {failed[:_NAMED_FAILURES]!r}); check the servers' "
                "memory and item size limit (memcached -I) against CACHE_ITEM_LIMIT"
            )

    def delete_many(self, keys: Iterable[str]) -> None:
        for server, group in self._group(list(keys)).items():
            with self._guard(server) as shard:
                shard.delete_many(group)

    def prune_expired(self) -> int:
        # Memcached drops expired items by itself.
        return 0

    def close(self) -> None:
        for shard in self._shards.values():
            shard.close()

    def _group(self, keys: Iterable[str]) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for key in keys:
            groups.setdefault(self._hasher.get_node(key), []).append(key)
        return groups

    @contextlib.contextmanager
    def _guard(self, server: str) -> Iterator[Shard]:
        """Yield the server's shard unless its breaker is open; track the outcome."""
        shard, breaker = self._shards[server], self._breakers[server]
        if not breaker.allow():
            raise CacheUnavailable(
                f"{self.name} server {server!r} failed recently and is skipped for "
                f"another {breaker.seconds_left():.0f} s; check that it is running"
            )

        started = time.monotonic()
        try:
            yield shard
        except shard.network_errors as exc:
            breaker.record_failure()
            logger.warning("%s server %s is unavailable: %s", self.name, server, exc)
            raise _unavailable(self.name, server, self.timeout, exc) from exc
        except shard.protocol_errors as exc:
            # The server answered, so it is alive; the caller still gets no data.
            breaker.record_success()
            raise CacheUnavailable(
                f"{self.name} server {server!r} answered with an error "
                f"({type(exc).__name__}: {exc}); check its log and version"
            ) from exc
        except BaseException:
            breaker.record_success()
            raise

        if breaker.is_open:
            logger.info("%s server %s answers again", self.name, server)
        breaker.record_success()
        logger.debug(
            "%s call to %s took %.4f s", self.name, server, time.monotonic() - started
        )


def _unavailable(
    name: str, server: str, timeout: float, exc: BaseException
) -> CacheUnavailable:
    if isinstance(exc, CacheUnavailable):
        return exc
    return CacheUnavailable(
        f"{name} server {server!r} did not answer within {timeout} s "
        f"({type(exc).__name__}: {exc}); check that it is running and reachable, "
        "or raise CACHE_TIMEOUT"
    )


def _expire_value(ttl: int) -> int:
    if ttl <= 0:
        raise ValueError(f"ttl {ttl!r} must be a positive number of seconds")
    if ttl > MAX_RELATIVE_TTL:
        return int(time.time()) + ttl
    return ttl
