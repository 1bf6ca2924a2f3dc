"""Fixtures every test folder shares: a clean environment and real servers.

The memcached fixtures live in ``tests/servers.py``; snapshot and app fixtures that
need the bundled sample live here, built once per session.
"""

from __future__ import annotations

import dataclasses

import pytest

from config import Config

pytest_plugins = ["tests.servers"]

CONFIG_VARS = [field.name.upper() for field in dataclasses.fields(Config)]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's or CI's own config vars."""
    for name in CONFIG_VARS:
        monkeypatch.delenv(name, raising=False)
