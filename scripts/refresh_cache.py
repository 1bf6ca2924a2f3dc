"""The daily refresh: recompute every KPI frame and forecast, publish a new snapshot.

Exit codes: 0 done, 2 configuration, 3 data, 4 cache, 5 forecast, 1 unexpected. The
new snapshot becomes current only once all of it is written and read back.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import logging
import os
import re
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The forecast fits small models in several processes: BLAS threads on top of them
# only fight over the cores. Set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd

from cache import Store, open_store, write_snapshot
from cache.snapshot import read_pointer, read_pointer_or_none
from config import Config
from errors import (
    CacheError,
    CacheWriteError,
    ConfigError,
    DashboardError,
    DataError,
    ForecastError,
)
from forecast.archive import measure_archive
from pipeline import (
    ARCHIVE,
    SnapshotFrames,
    archive_forecasts,
    build_snapshot,
    describe_source,
    previous_archive,
)
from sources import read_source, to_orders

logger = logging.getLogger("refresh")

# The steps a run goes through; compute and forecast are one call into pipeline.py,
# which logs a line for each of the two.
STAGES = ("load", "validate", "compute+forecast", "archive", "write", "flip")
EXIT_UNEXPECTED = 1
EXIT_CODES: dict[type[DashboardError], int] = {
    ConfigError: 2,
    DataError: 3,
    CacheError: 4,
    ForecastError: 5,
}
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclasses.dataclass(frozen=True)
class StepRecord:
    """What one finished step took: wall and CPU seconds (forecast workers included)
    and this process's peak memory."""

    name: str
    seconds: float
    cpu_seconds: float
    peak_mb: float
    detail: str


@dataclasses.dataclass(frozen=True)
class Outcome:
    """A finished run: the snapshot it made current (None on a dry run)."""

    snapshot_id: str | None
    meta: dict[str, Any]
    frames: int


class ProgressBar:
    """One line on a terminal, redrawn in place: steps done, current step, time."""

    WIDTH = 20

    def __init__(self, stream: IO[str], stages: Sequence[str]) -> None:
        self.stream = stream
        self.stages = tuple(stages)
        self.done = 0
        self.current = "start"
        self.started = time.perf_counter()

    def start(self, name: str) -> None:
        self.current = name
        self.draw()

    def advance(self) -> None:
        self.done = min(self.done + 1, len(self.stages))
        self.draw()

    def draw(self) -> None:
        filled = round(self.WIDTH * self.done / len(self.stages))
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        elapsed = time.perf_counter() - self.started
        self.stream.write(
            f"\r\033[K[{bar}] {self.done}/{len(self.stages)} {self.current} "
            f"{elapsed:.0f}s"
        )
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\033[K")
        self.stream.flush()


class BarHandler(logging.StreamHandler[IO[str]]):
    """Writes each log record above the bar, then draws the bar again."""

    def __init__(self, bar: ProgressBar) -> None:
        super().__init__(bar.stream)
        self.bar = bar

    def emit(self, record: logging.LogRecord) -> None:
        self.bar.clear()
        super().emit(record)
        self.bar.draw()


class Step:
    """The step in progress; ``done`` gives the counts its log line carries."""

    def __init__(self) -> None:
        self.detail = ""

    def done(self, message: str, *args: object) -> None:
        self.detail = message % args


class Steps:
    """Times each step, logs one line per finished step and moves the bar."""

    def __init__(self, bar: ProgressBar | None = None) -> None:
        self.bar = bar
        self.current: str | None = None
        self.records: list[StepRecord] = []

    @contextlib.contextmanager
    def run(self, name: str) -> Iterator[Step]:
        self.current = name
        if self.bar is not None:
            self.bar.start(name)
        reset_peak_memory()
        started, cpu_started = time.perf_counter(), cpu_seconds()
        step = Step()
        yield step

        record = StepRecord(
            name,
            time.perf_counter() - started,
            cpu_seconds() - cpu_started,
            peak_memory_mb(),
            step.detail,
        )
        self.records.append(record)
        logger.info(
            "%s: %s in %.2f s (cpu %.2f s, peak %.0f MB)",
            name,
            record.detail,
            record.seconds,
            record.cpu_seconds,
            record.peak_mb,
        )
        if self.bar is not None:
            self.bar.advance()

    @property
    def peak_mb(self) -> float:
        """The largest peak of any step, this process only."""
        return max((r.peak_mb for r in self.records), default=peak_memory_mb())


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children, user and system."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def reset_peak_memory() -> None:
    """Start a new peak-memory window (Linux); elsewhere peaks stay cumulative."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_memory_mb() -> float:
    """This process's peak resident memory since the last reset, in MB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    if found:
        return int(found.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workers_peak_mb() -> float:
    """The largest peak of any finished child process (the forecast workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2017-06-30"
        ) from None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="load, validate, compute and forecast, but write nothing to the cache",
    )
    parser.add_argument(
        "--as-of",
        type=parse_day,
        metavar="YYYY-MM-DD",
        help="compute as of this day: later orders are left out",
    )
    return parser.parse_args(argv)


def refresh(
    config: Config,
    *,
    dry_run: bool = False,
    as_of: dt.date | None = None,
    steps: Steps | None = None,
) -> Outcome:
    """Run every step from the source; on any error the current snapshot stays."""
    steps = steps or Steps()
    # Ask the store first: a cache that is down fails the run in seconds, not after
    # the forecasts.
    steps.current = "cache check"
    store = None if dry_run else open_checked_store(config)
    try:
        snapshot = add_archive(compute_snapshot(config, as_of, steps), store, steps)
        if store is None:
            return Outcome(None, snapshot.meta, len(snapshot.frames))
        return publish(store, snapshot, config, steps)
    finally:
        if store is not None:
            store.close()


def compute_snapshot(
    config: Config, as_of: dt.date | None, steps: Steps
) -> SnapshotFrames:
    """Load, validate, compute and forecast: every frame of a new snapshot."""
    orders = load_checked_orders(config, as_of, steps)
    with steps.run("compute+forecast") as step:
        snapshot = build_snapshot(orders, config, as_of=as_of)
        step.done(
            "%d frames, data through %s",
            len(snapshot.frames),
            snapshot.meta["data_through"],
        )
    return snapshot


def add_archive(
    snapshot: SnapshotFrames, store: Store | None, steps: Steps
) -> SnapshotFrames:
    """``snapshot`` with its forecasts merged into the current snapshot's archive."""
    with steps.run("archive") as step:
        if store is None:
            logger.info("forecast archive: a dry run holds this run's forecasts only")
            previous = None
        else:
            previous = previous_archive(store, snapshot.meta["source"])
        archive = archive_forecasts(snapshot, previous)
        size = measure_archive(archive)
        step.done(
            "%d forecasts (%d rows) from %d origins, oldest origin %s",
            size.forecasts,
            size.rows,
            size.origins,
            size.oldest.date().isoformat() if size.oldest is not None else "none",
        )
    return dataclasses.replace(snapshot, frames={**snapshot.frames, ARCHIVE: archive})


def load_checked_orders(
    config: Config, as_of: dt.date | None, steps: Steps
) -> pd.DataFrame:
    """The order lines of the source, read and checked, up to ``as_of``."""
    with steps.run("load") as step:
        raw = read_source(config.data_source, config.data_query)
        step.done("%d rows from %s", len(raw.frame), describe_source(config))

    with steps.run("validate") as step:
        orders = to_orders(
            raw,
            dimensions=config.dimensions,
            overrides=config.data_columns,
            timezone=config.business_timezone,
        )
        orders = keep_through(orders, as_of)
        step.done(
            "%d order lines, %d orders, %d customers through %s",
            len(orders),
            orders["order_id"].nunique(),
            orders["customer_id"].nunique(),
            orders["order_date"].max().date().isoformat(),
        )
    return orders


def open_checked_store(config: Config) -> Store:
    """Open the configured store and read its pointer once, so it must answer."""
    store = open_store(config)
    try:
        pointer = read_pointer_or_none(store)
    except CacheError:
        store.close()
        raise
    logger.info(
        "cache: the %s store answers; current snapshot %s",
        store.name,
        pointer.id if pointer else "none",
    )
    return store


def keep_through(orders: pd.DataFrame, as_of: dt.date | None) -> pd.DataFrame:
    """The order lines up to and including ``as_of`` (all of them without it)."""
    if as_of is None:
        return orders

    kept = orders[orders["order_date"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)]
    if kept.empty:
        first = orders["order_date"].min().date().isoformat()
        raise DataError(
            f"no orders on or before --as-of {as_of.isoformat()!r}; the data starts "
            f"on {first}, so pick that day or a later one"
        )
    return kept.reset_index(drop=True)


def publish(
    store: Store, snapshot: SnapshotFrames, config: Config, steps: Steps
) -> Outcome:
    """Write the snapshot (``write_snapshot`` flips the pointer) and read it back."""
    with steps.run("write") as step:
        snapshot_id = write_snapshot(
            store, snapshot.frames, snapshot.meta, ttl=config.cache_ttl
        )
        step.done(
            "snapshot %s, %d frames to the %s store, kept %.0f h",
            snapshot_id,
            len(snapshot.frames),
            store.name,
            config.cache_ttl / 3600,
        )

    with steps.run("flip") as step:
        pointer = read_pointer(store)
        if pointer is None:
            raise CacheWriteError(
                f"the current pointer is gone right after snapshot {snapshot_id!r} "
                "was made current; the cache is evicting: give it more memory"
            )
        if pointer.id != snapshot_id:
            logger.warning(
                "another refresh made snapshot %s current after %s",
                pointer.id,
                snapshot_id,
            )
        step.done(
            "current snapshot %s, previous %s",
            pointer.id,
            pointer.previous or "none",
        )
    return Outcome(snapshot_id, snapshot.meta, len(snapshot.frames))


def exit_code(error: BaseException) -> int:
    for kind, code in EXIT_CODES.items():
        if isinstance(error, kind):
            return code
    return EXIT_UNEXPECTED


def describe_error(error: BaseException) -> str:
    """The error's message, with how to set the variable for a config error."""
    if isinstance(error, ConfigError):
        return (
            f"{error}. Set it with: heroku config:set {error.variable}=<value> "
            f"--app <app> (locally: export {error.variable}=<value>)"
        )
    return str(error)


def configure_logging(bar: ProgressBar | None) -> None:
    """Plain lines on stderr; above a progress bar when stderr is a terminal."""
    handler = BarHandler(bar) if bar is not None else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def summarise(outcome: Outcome, steps: Steps, seconds: float) -> None:
    meta = outcome.meta
    published = (
        f"snapshot {outcome.snapshot_id} is current"
        if outcome.snapshot_id
        else "dry run, nothing written"
    )
    logger.info(
        "refresh done (exit 0): %s, data through %s, %s order lines, %d frames, "
        "%.1f s, peak memory %.0f MB (forecast workers %.0f MB)",
        published,
        meta.get("data_through"),
        meta.get("order_lines"),
        outcome.frames,
        seconds,
        steps.peak_mb,
        workers_peak_mb(),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stages = STAGES[:4] if args.dry_run else STAGES
    bar = ProgressBar(sys.stderr, stages) if sys.stderr.isatty() else None
    configure_logging(bar)
    steps = Steps(bar)
    started = time.perf_counter()
    try:
        config = Config.from_env()
        logging.getLogger().setLevel(config.log_level.upper())
        outcome = refresh(config, dry_run=args.dry_run, as_of=args.as_of, steps=steps)
        summarise(outcome, steps, time.perf_counter() - started)
        return 0
    except Exception as error:  # every failure ends in one summary and an exit code
        code = exit_code(error)
        if code == EXIT_UNEXPECTED:
            logger.exception("unexpected error")
        logger.error(
            "refresh failed (exit %d) at %s after %.1f s: %s; the current snapshot, "
            "if any, is unchanged",
            code,
            steps.current or "start",
            time.perf_counter() - started,
            describe_error(error),
        )
        return code
    finally:
        if bar is not None:
            bar.clear()


if __name__ == "__main__":
    sys.exit(main())
