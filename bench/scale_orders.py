"""The scale generator: large order sets drawn from the bundled sample's own shape.

Each copy of the sample gets its own customers and orders, order dates moved by a
few days and amounts scaled by a little noise, so seasonality, basket sizes,
repeat buying and the dimension mix stay those of the sample.

Usage: ``python bench/scale_orders.py --lines 1000000 --out bench/out/orders.parquet``
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config import Config
from sources import load_orders

logger = logging.getLogger(__name__)

DATE_JITTER_DAYS = 3
AMOUNT_NOISE = 0.15  # sigma of the lognormal factor on each line's amounts


def scale_orders(sample: pd.DataFrame, lines: int, *, seed: int = 0) -> pd.DataFrame:
    """``lines`` order lines (order schema) made of jittered copies of ``sample``."""
    rng = np.random.default_rng(seed)
    copies = math.ceil(lines / len(sample))
    source = np.tile(np.arange(len(sample)), copies)[:lines]
    copy = np.repeat(np.arange(copies), len(sample))[:lines]
    out = sample.iloc[source].reset_index(drop=True)

    suffix = pd.Series(copy).astype("str").radd("~")
    out["order_id"] = out["order_id"] + suffix
    out["customer_id"] = out["customer_id"] + suffix

    # One date shift per order, so an order's lines stay on one day.
    order_code, order_count = pd.factorize(out["order_id"])
    shift = rng.integers(-DATE_JITTER_DAYS, DATE_JITTER_DAYS + 1, len(order_count))
    first, last = sample["order_date"].min(), sample["order_date"].max()
    moved = out["order_date"] + pd.to_timedelta(shift[order_code], unit="D")
    out["order_date"] = moved.clip(first, last)

    factor = rng.lognormal(0.0, AMOUNT_NOISE, lines)
    out["net_amount"] = (out["net_amount"] * factor).round(2)
    out["profit"] = (out["profit"] * factor).round(2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("bench/out/orders.parquet"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    started = time.perf_counter()
    orders = scale_orders(load_orders(Config()), args.lines, seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    orders.to_parquet(args.out, index=False)
    logger.info(
        "wrote %s lines, %s orders, %s customers to %s in %.1f s",
        len(orders),
        orders["order_id"].nunique(),
        orders["customer_id"].nunique(),
        args.out,
        time.perf_counter() - started,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
