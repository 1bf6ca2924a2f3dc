"""The product's exceptions: one root, one branch per part that can fail.

Every message names the bad value and says how to fix it. Scripts map the branches
onto exit codes (see ``scripts/refresh_cache.py``); pages turn them into notices.
"""

from __future__ import annotations


class DashboardError(Exception):
    """Root of every error the product raises on purpose."""


class ConfigError(DashboardError):
    """Raised when a config var is missing or holds a value that cannot be used."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"{variable}: {problem}")


class DataError(DashboardError):
    """Raised when order data cannot be read or does not fit the order schema.

    ``column`` and ``rows`` carry what failed, so a caller can show it without
    parsing the message. ``rows`` are 1-based line numbers of the source file
    (the header is line 1) where the source has lines, else 0-based positions.
    """

    def __init__(
        self, message: str, *, column: str | None = None, rows: tuple[int, ...] = ()
    ) -> None:
        self.column = column
        self.rows = rows
        super().__init__(message)


class CacheError(DashboardError):
    """Raised when the snapshot store cannot be used."""


class CacheUnavailable(CacheError):
    """Raised when the store does not answer within its timeout or refuses a login."""


class CacheWriteError(CacheError):
    """Raised when the store does not confirm a write; a refresh must then fail."""


class CacheCorrupt(CacheError):
    """Raised when a stored piece is missing its chunks or fails its checksum.

    Readers treat it exactly like a miss: wrong data is never returned.
    """


class ForecastError(DashboardError):
    """Raised when the forecast step is given input it cannot work with."""
