"""The one place that reads the environment: a frozen :class:`Config` built once.

Every value is resolved as explicit argument, then environment variable, then
default. Nothing else in the product touches ``os.environ``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent
SAMPLE_DATA = PROJECT_ROOT / "data" / "superstore.csv.gz"

ENVIRONMENTS = ("development", "production", "test")
# Settings where 0 means something (midnight; on-demand forecasts off).
ZERO_ALLOWED = ("refresh_hour_utc", "on_demand_forecast_seconds")


@dataclasses.dataclass(frozen=True)
class Config:
    """Settings of one running app or refresh.

    Environment variables, with their defaults:

    ``APP_ENV``
        ``production`` (default), ``development`` or ``test``. Only
        ``development`` allows the demo login when ``AUTH_USERS`` is unset.
    ``AUTH_USERS``
        Comma-separated ``username:hash`` pairs, split at the first colon; the hash
        is in werkzeug's ``generate_password_hash`` format. Required outside
        development.
    ``MEMCACHE_SERVERS``
        Comma-separated ``host:port`` list of plain memcached servers (pymemcache).
    ``MEMCACHIER_SERVERS``, ``MEMCACHIER_USERNAME``, ``MEMCACHIER_PASSWORD``
        MemCachier's SASL login (python-binary-memcached); set by the add-on.
        When neither server list is set, the embedded local store is used.
    ``LOCAL_STORE_DIR``
        Folder of the embedded local store; default ``.local-store`` in the project.
    ``CACHE_TTL``
        Seconds a snapshot lives in the cache; default 259200 (three days, so a
        missed morning refresh never blanks the dashboard).
    ``CACHE_ITEM_LIMIT``
        Largest item the server accepts, in bytes, key included; default 1000000
        (MemCachier's limit). Larger values are split into chunks.
    ``CACHE_TIMEOUT``
        Connect and read timeout of each cache call, in seconds; default 1.0.
    ``DATA_SOURCE``
        Order data: a CSV or Parquet path or URL, or a database URL; default the
        bundled Superstore sample.
    ``DATA_QUERY``
        The SQL query to run when ``DATA_SOURCE`` is a database URL.
    ``DATA_COLUMNS``
        Column mapping ``field=Source Column`` pairs separated by commas, for
        example ``order_date=Created,net_amount=Total``; unset fields keep the
        Superstore names.
    ``DIMENSIONS``
        Comma-separated dimension fields to filter and split by; default
        ``region,category,segment``.
    ``BUSINESS_TIMEZONE``
        IANA zone whose calendar days the KPIs count in; default ``UTC``.
    ``FORECAST_HORIZON``
        Months ahead the forecasts reach; default 12.
    ``ON_DEMAND_FORECAST_SECONDS``
        Wall-clock limit of one forecast made on demand for a filter selection the
        refresh did not forecast (child process start, fit and backtest); default
        20. A job that takes longer is stopped and the page says so. 0 turns
        forecasts made on demand off: a fitting child needs about 240 MB, more
        than a 512 MB dyno running two web workers has to spare.
    ``MAX_SNAPSHOT_AGE``
        Hours after which ``/healthz`` reports the snapshot stale; default 30.
    ``REFRESH_HOUR_UTC``
        Hour of the scheduled daily refresh, shown on the Data page; default 5.
    ``LOG_LEVEL``
        Level of the entry points' log handler; default ``INFO``.
    ``PORT``
        Port gunicorn listens on (Heroku sets it); default 8050.
    ``WEB_CONCURRENCY``
        gunicorn worker processes (Heroku sets it by dyno size); default 2.
    """

    app_env: str = "production"
    auth_users: str | None = None
    memcache_servers: tuple[str, ...] = ()
    memcachier_servers: tuple[str, ...] = ()
    memcachier_username: str | None = dataclasses.field(default=None, repr=False)
    memcachier_password: str | None = dataclasses.field(default=None, repr=False)
    local_store_dir: Path = PROJECT_ROOT / ".local-store"
    cache_ttl: int = 3 * 24 * 3600
    cache_item_limit: int = 1_000_000
    cache_timeout: float = 1.0
    data_source: str = str(SAMPLE_DATA)
    data_query: str | None = None
    data_columns: tuple[tuple[str, str], ...] = ()
    dimensions: tuple[str, ...] = ("region", "category", "segment")
    business_timezone: str = "UTC"
    forecast_horizon: int = 12
    on_demand_forecast_seconds: float = 20.0
    max_snapshot_age: float = 30.0
    refresh_hour_utc: int = 5
    log_level: str = "INFO"
    port: int = 8050
    web_concurrency: int = 2

    def __post_init__(self) -> None:
        if self.log_level.upper() not in logging.getLevelNamesMapping():
            raise ConfigError(
                "LOG_LEVEL",
                f"{self.log_level!r} is not a log level; use DEBUG, INFO, WARNING "
                "or ERROR",
            )
        if self.app_env not in ENVIRONMENTS:
            raise ConfigError(
                "APP_ENV", f"{self.app_env!r} is not one of {', '.join(ENVIRONMENTS)}"
            )
        if self.memcachier_servers and not (
            self.memcachier_username and self.memcachier_password
        ):
            raise ConfigError(
                "MEMCACHIER_USERNAME",
                "MEMCACHIER_SERVERS is set but the username or password is missing; "
                "set MEMCACHIER_USERNAME and MEMCACHIER_PASSWORD as the add-on does",
            )

    @property
    def on_demand(self) -> bool:
        """Whether forecasts are made on demand for selections the refresh skips."""
        return self.on_demand_forecast_seconds > 0

    @property
    def development(self) -> bool:
        return self.app_env == "development"

    @property
    def cache_backend(self) -> str:
        """Name of the store in use: ``memcachier``, ``memcached`` or ``local``."""
        if self.memcachier_servers:
            return "memcachier"
        if self.memcache_servers:
            return "memcached"
        return "local"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> Config:
        """Build a config from ``environ`` (default ``os.environ``) and overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(field.name.upper(), "").strip()
            if raw:
                values[field.name] = _parse(field.name, raw)
        values.update(overrides)
        return cls(**values)


def _parse(name: str, raw: str) -> Any:
    variable = name.upper()
    default = next(f.default for f in dataclasses.fields(Config) if f.name == name)
    try:
        if name == "data_columns":
            return _parse_columns(raw)
        if isinstance(default, tuple):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, bool):
            return raw.lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            if not raw.lstrip("+-").isdigit():
                raise ConfigError(variable, f"{raw!r} is not a whole number")
            value: float = int(raw)
        elif isinstance(default, float):
            value = float(raw)
        else:
            return raw
    except ValueError:
        raise ConfigError(variable, f"{raw!r} is not a number") from None
    if name in ZERO_ALLOWED and value < 0:
        raise ConfigError(variable, f"{raw!r} must be zero or more")
    if name not in ZERO_ALLOWED and value <= 0:
        raise ConfigError(variable, f"{raw!r} must be greater than zero")
    return value


def _parse_columns(raw: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in raw.split(","):
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise ConfigError(
                "DATA_COLUMNS",
                f"{item.strip()!r} is not of the form field=Source Column "
                "(for example order_date=Created)",
            )
        pairs.append((field.strip(), column.strip()))
    return tuple(pairs)
