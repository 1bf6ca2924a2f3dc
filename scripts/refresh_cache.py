"""Recompute every KPI frame and forecast, and publish them as the current snapshot.

Heroku Scheduler runs this each morning. The new snapshot becomes current only once
all of it is written and verified; on any failure the previous one stays served.

Exit codes: 0 done, 2 bad configuration, 3 bad data, 4 cache failure, 5 forecast
failure, 1 anything unexpected.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import resource
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cache import open_store, write_snapshot
from config import Config
from errors import CacheError, ConfigError, DataError, ForecastError
from pipeline import build_snapshot
from sources import load_orders

logger = logging.getLogger("refresh")

EXIT_CODES = {ConfigError: 2, DataError: 3, CacheError: 4, ForecastError: 5}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="load, validate and compute, but write nothing to the cache",
    )
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="compute as of this day: later orders are left out",
    )
    return parser.parse_args(argv)


def refresh(
    config: Config, *, dry_run: bool = False, as_of: dt.date | None = None
) -> str:
    """Run every step; return the new snapshot id, or ``dry-run`` if none is written."""
    started = time.perf_counter()
    orders = load_orders(config)
    logger.info(
        "loaded and validated %d order lines from %s in %.1fs",
        len(orders),
        config.data_source if "://" not in config.data_source else "the database",
        time.perf_counter() - started,
    )
    if as_of is not None:
        orders = orders[orders["order_date"] < pd_day_after(as_of)]
        logger.info("kept %d order lines up to %s", len(orders), as_of.isoformat())
        if orders.empty:
            raise DataError(
                f"no orders on or before --as-of {as_of.isoformat()}; pick a later day"
            )

    snapshot = build_snapshot(orders, config, as_of=as_of)
    if dry_run:
        logger.info(
            "dry run: %d frames computed, nothing written", len(snapshot.frames)
        )
        return "dry-run"

    started = time.perf_counter()
    store = open_store(config)
    snapshot_id = write_snapshot(
        store, snapshot.frames, snapshot.meta, ttl=config.cache_ttl
    )
    logger.info(
        "wrote and published snapshot %s to the %s store in %.1fs",
        snapshot_id,
        store.name,
        time.perf_counter() - started,
    )
    return snapshot_id


def pd_day_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        config = Config.from_env()
        logging.basicConfig(
            level=config.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        snapshot_id = refresh(config, dry_run=args.dry_run, as_of=args.as_of)
    except tuple(EXIT_CODES) as error:
        logging.basicConfig(level="INFO")
        code = next(c for kind, c in EXIT_CODES.items() if isinstance(error, kind))
        logger.error("refresh failed (exit %d): %s", code, error)
        logger.error("the previous snapshot, if any, is still the one served")
        return code

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    logger.info(
        "refresh done: snapshot %s in %.1fs, peak memory %.0f MB",
        snapshot_id,
        time.perf_counter() - started,
        peak_mb,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
