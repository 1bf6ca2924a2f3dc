"""Fixtures every test folder shares: a clean environment and real servers.

The memcached fixtures live in ``tests/servers.py``; snapshot and app fixtures that
need the bundled sample live here, built once per session.
"""

from __future__ import annotations

import dataclasses
import subprocess
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from config import Config

if TYPE_CHECKING:  # imported as the plugin below, not before it
    from tests.servers import MemcachedProcess

pytest_plugins = ["tests.servers"]

CONFIG_VARS = [field.name.upper() for field in dataclasses.fields(Config)]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's or CI's own config vars."""
    for name in CONFIG_VARS:
        monkeypatch.delenv(name, raising=False)


# The sample's data ends on 2017-12-30, so every full refresh forecasts from the same
# origins; a first refresh as of this day gives the archive an earlier forecast.
SAMPLE_AS_OF = "2017-06-30"


@dataclasses.dataclass(frozen=True)
class SampleRefreshes:
    """The sample refreshed twice into one memcached: as of 2017-06-30, then fully.

    ``first_id`` stays in the cache as the previous snapshot of ``second_id``.
    """

    memcached: MemcachedProcess
    env: dict[str, str]
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    first_id: str
    second_id: str
    seconds: tuple[float, float]


@pytest.fixture(scope="session")
def sample_refreshes() -> Iterator[SampleRefreshes]:
    """Two real refreshes of the sample (a minute or more each on a shared machine)."""
    from cache import open_store
    from cache.snapshot import read_pointer
    from tests.servers import MemcachedProcess, free_port
    from tests.web.conftest import run_refresh, service_env

    server = MemcachedProcess(free_port())
    server.start()
    env = service_env(APP_ENV="production", MEMCACHE_SERVERS=server.address)
    try:
        runs, seconds, ids = [], [], []
        for args in (("--as-of", SAMPLE_AS_OF), ()):
            started = time.perf_counter()
            result = run_refresh(env, *args)
            seconds.append(time.perf_counter() - started)
            assert result.returncode == 0, result.stderr[-3000:]
            store = open_store(Config(memcache_servers=(server.address,)))
            pointer = read_pointer(store)
            store.close()
            assert pointer is not None
            runs.append(result)
            ids.append(pointer.id)
        yield SampleRefreshes(
            server, env, runs[0], runs[1], ids[0], ids[1], (seconds[0], seconds[1])
        )
    finally:
        server.kill()
