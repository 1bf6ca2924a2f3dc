"""Benchmark of the KPI engine on scaled order data: refresh step and filter changes.

Prints the refresh's KPI step (time and peak memory, in a child process), the cube's
size, and the Overview's filter-change latency (summary + series) against
recomputing the same answers from the raw order lines, with a check that both agree.

Usage: ``python bench/bench_kpi.py [--lines 1000000] [--queries 300]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_orders import scale_orders  # noqa: E402
from config import Config  # noqa: E402
from kpi import GRAINS, KpiCube, OrderLines, Selection  # noqa: E402
from sources import load_orders  # noqa: E402

DIMENSIONS = ("region", "category", "segment")
OUT = ROOT / "bench" / "out"


def refresh_step(orders_path: Path, frames_dir: Path) -> dict[str, float]:
    """Load and precompute in a fresh process; return seconds and peak memory."""
    code = (
        "import json, resource, sys, time\n"
        "import pandas as pd, pyarrow as pa, pyarrow.feather as feather\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from config import Config\n"
        "from kpi import precompute\n"
        "from sources import load_orders\n"
        "started = time.perf_counter()\n"
        f"orders = load_orders(Config(data_source={str(orders_path)!r}))\n"
        "loaded = time.perf_counter() - started\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "started = time.perf_counter()\n"
        f"frames = precompute(orders, dimensions={DIMENSIONS!r})\n"
        "seconds = time.perf_counter() - started\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "size = 0\n"
        "for name, frame in frames.items():\n"
        f"    path = {str(frames_dir)!r} + '/' + name + '.arrow'\n"
        "    feather.write_feather(frame, path, compression='zstd')\n"
        "    size += __import__('os').path.getsize(path)\n"
        "print(json.dumps({'seconds': seconds, 'load_seconds': loaded,\n"
        "                  'rss_loaded_mb': before / 1024,\n"
        "                  'rss_peak_mb': peak / 1024, 'stored_mb': size / 1e6}))\n"
    )
    frames_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def load_frames(frames_dir: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_feather(p) for p in sorted(frames_dir.glob("*.arrow"))}


def random_selections(cube: KpiCube, count: int, seed: int) -> list[Selection]:
    """Filter changes a user could make: any range, any values, any grain."""
    rng = random.Random(seed)
    span = (cube.as_of - cube.first_day).days
    selections = []
    for _ in range(count):
        filters = {
            d: rng.sample(values, rng.randint(1, len(values)))
            for d, values in cube.dimensions.items()
            if rng.random() < 0.5
        }
        first = rng.randint(0, span)
        last = rng.randint(first, span)
        start = cube.first_day + dt.timedelta(days=first)
        end = cube.first_day + dt.timedelta(days=last)
        if rng.random() < 0.3:  # whole months, as the date picker's presets give
            start = start.replace(day=1)
        selections.append(
            Selection.build(
                start=start, end=end, filters=filters, grain=rng.choice(GRAINS)
            )
        )
    return selections


def overview_seconds(engine: KpiCube | OrderLines, sel: Selection) -> float:
    started = time.perf_counter()
    engine.summary(sel)
    engine.series(sel)
    return time.perf_counter() - started


def agree(cube: KpiCube, lines: OrderLines, sel: Selection) -> bool:
    fast, slow = cube.summary(sel), lines.summary(sel)
    fast_series, slow_series = cube.series(sel), lines.series(sel)
    numbers = fast_series.drop(columns=["period"]).to_numpy(dtype="float64")
    expected = slow_series.drop(columns=["period"]).to_numpy(dtype="float64")
    return bool(
        np.allclose(fast.to_numpy(), slow.to_numpy(), equal_nan=True, rtol=1e-9)
        and np.allclose(numbers, expected, equal_nan=True, rtol=1e-9)
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--baseline-queries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    orders = scale_orders(load_orders(Config()), args.lines, seed=args.seed)
    OUT.mkdir(parents=True, exist_ok=True)
    orders_path = OUT / f"orders-{args.lines}.parquet"
    orders.to_parquet(orders_path, index=False)
    print(
        f"order lines {len(orders):,}  orders {orders['order_id'].nunique():,}  "
        f"customers {orders['customer_id'].nunique():,}"
    )

    step = refresh_step(orders_path, OUT / f"frames-{args.lines}")
    print(f"load_orders (Parquet, checks): {step['load_seconds']:.1f} s")
    print(
        f"refresh KPI step: {step['seconds']:.1f} s, peak RSS "
        f"{step['rss_peak_mb']:.0f} MB ({step['rss_loaded_mb']:.0f} MB with the orders "
        f"loaded); frames stored {step['stored_mb']:.1f} MB (Arrow, zstd)"
    )

    frames = load_frames(OUT / f"frames-{args.lines}")
    started = time.perf_counter()
    cube = KpiCube.from_frames(frames)
    built = time.perf_counter() - started
    print(
        f"cube built in {built * 1000:.0f} ms; arrays held {cube.nbytes / 1e6:.1f} MB"
    )

    selections = random_selections(cube, args.queries, args.seed)
    cube_times = [overview_seconds(cube, sel) for sel in selections]
    print(
        f"cube, {len(selections)} filter changes (summary + series): "
        f"p50 {percentile(cube_times, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(cube_times, 0.95) * 1000:.1f} ms, "
        f"max {max(cube_times) * 1000:.1f} ms"
    )

    started = time.perf_counter()
    lines = OrderLines(orders, dimensions=DIMENSIONS)
    prepared = time.perf_counter() - started
    baseline = selections[: args.baseline_queries]
    slow = [overview_seconds(lines, sel) for sel in baseline]
    fast = [overview_seconds(cube, sel) for sel in baseline]
    ratios = [s / f for s, f in zip(slow, fast, strict=True)]
    print(
        f"recompute from raw lines (prepared once in {prepared:.1f} s), "
        f"{len(baseline)} of the same changes: "
        f"p50 {percentile(slow, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(slow, 0.95) * 1000:.0f} ms"
    )
    print(
        f"speed-up per change: median {statistics.median(ratios):.0f}x, "
        f"lowest {min(ratios):.0f}x"
    )
    same = all(agree(cube, lines, sel) for sel in baseline)
    print(f"cube and recompute agree on all {len(baseline)}: {same}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak RSS {peak:.0f} MB")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
