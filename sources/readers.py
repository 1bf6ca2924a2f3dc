"""Reading a source's raw table: CSV or Parquet from a path or URL, or a SQL query.

Readers return the table as the source spells it; mapping and checking the columns
is left to :mod:`sources.schema` and :mod:`sources.validation`.
"""

from __future__ import annotations

import dataclasses
import logging
import urllib.parse
from pathlib import Path

import pandas as pd

from errors import DataError

logger = logging.getLogger(__name__)

FILE_SCHEMES = ("", "file", "http", "https")
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


@dataclasses.dataclass(frozen=True)
class RawTable:
    """A source's table and how its rows are named in messages."""

    frame: pd.DataFrame
    first_line: int | None  # file line of the first row (CSV), None for positions
    description: str


def read_source(source: str, query: str | None = None) -> RawTable:
    """Read ``source``: a database URL (with ``query``), a CSV or a Parquet file."""
    scheme = urllib.parse.urlsplit(source).scheme.lower()
    if len(scheme) > 1 and scheme not in FILE_SCHEMES:
        return _read_sql(source, query)
    kind = _file_kind(source)
    if kind == "parquet":
        return _read_parquet(source)
    return _read_csv(source)


def _file_kind(source: str) -> str:
    path = urllib.parse.urlsplit(source).path.lower()
    if path.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if path.endswith(CSV_SUFFIXES):
        return "csv"
    raise DataError(
        f"DATA_SOURCE {source!r} is neither a CSV ({', '.join(CSV_SUFFIXES)}) nor a "
        f"Parquet ({', '.join(PARQUET_SUFFIXES)}) file, nor a database URL; rename "
        "the file or give a URL such as postgresql://user:pass@host/db"
    )


def _read_csv(source: str) -> RawTable:
    _check_exists(source)
    try:
        frame = pd.read_csv(source, dtype="str", keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError as exc:
        raise DataError(
            f"{source!r} is empty; export the orders with a header line and rows"
        ) from exc
    # EOFError: a compressed file that was cut short (gzip, bz2, xz).
    except (OSError, EOFError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(
            f"{source!r} cannot be read as CSV ({exc}); check the file or URL"
        ) from exc
    # Line 1 is the header, so data row 0 is line 2.
    return RawTable(frame, first_line=2, description=source)


def _read_parquet(source: str) -> RawTable:
    _check_exists(source)
    try:
        frame = pd.read_parquet(source)
    except (OSError, ValueError) as exc:
        raise DataError(
            f"{source!r} cannot be read as Parquet ({exc}); check the file or URL"
        ) from exc
    return RawTable(frame, first_line=None, description=source)


def _check_exists(source: str) -> None:
    parts = urllib.parse.urlsplit(source)
    if parts.scheme in ("http", "https"):
        return
    path = Path(parts.path if parts.scheme == "file" else source)
    if not path.is_file():
        raise DataError(f"DATA_SOURCE {source!r} does not exist; check the path")


def _read_sql(url: str, query: str | None) -> RawTable:
    if not query:
        raise DataError(
            f"DATA_SOURCE is the database URL {_redact(url)!r} but DATA_QUERY is "
            "unset; set DATA_QUERY to the SELECT that returns one row per order line"
        )
    try:
        import sqlalchemy
    except ImportError as exc:
        raise DataError(
            "reading a database needs SQLAlchemy; install it (pip install "
            "sqlalchemy) and the driver of your database"
        ) from exc

    # Heroku still hands out postgres:// URLs, which SQLAlchemy no longer accepts.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    try:
        engine = sqlalchemy.create_engine(url)
    except (sqlalchemy.exc.SQLAlchemyError, ImportError) as exc:
        raise _query_error(url, exc) from exc
    try:
        with engine.connect() as connection:
            frame = pd.read_sql_query(sqlalchemy.text(query), connection)
    except (sqlalchemy.exc.SQLAlchemyError, pd.errors.DatabaseError) as exc:
        raise _query_error(url, exc) from exc
    finally:
        engine.dispose()
    logger.debug("read %s rows from %s", len(frame), _redact(url))
    return RawTable(frame, first_line=None, description=_redact(url))


def _query_error(url: str, exc: Exception) -> DataError:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return DataError(
        f"the query on {_redact(url)!r} failed ({exc.__class__.__name__}: "
        f"{first_line}); check DATA_SOURCE, DATA_QUERY and the database driver"
    )


def _redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
