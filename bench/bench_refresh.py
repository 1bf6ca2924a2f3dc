"""Time and peak memory of each refresh step on a large order set (1 million lines).

Scales the sample with ``bench/scale_orders.py`` into a Superstore-style CSV, runs
``scripts/refresh_cache.py`` on it as Scheduler does and reads its step lines.
Usage: ``.venv/bin/python bench/bench_refresh.py [--lines 1000000] [--skip-forecast]``
(``--skip-forecast``: the other steps in this process, for a quick figure; the
forecast's cost follows the number of series, not of lines).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_orders import scale_orders
from cache import open_store
from config import PROJECT_ROOT, Config
from kpi import KpiCube, precompute
from pipeline import SCHEMA, SnapshotFrames
from scripts.refresh_cache import Steps, load_checked_orders, publish
from sources import SUPERSTORE_COLUMNS, load_orders

STEP_LINE = re.compile(
    r"refresh: ([\w+]+): (.*) in ([\d.]+) s \(cpu ([\d.]+) s, peak (\d+) MB\)$"
)
PIPELINE_LINES = {
    "  compute": re.compile(r"pipeline: computed KPI frames: .* in ([\d.]+)s$"),
    "  forecast": re.compile(r"pipeline: forecast \d+ series in ([\d.]+)s"),
}
SNAPSHOT_BYTES = re.compile(r"cache\.snapshot: snapshot \S+ is current: .* (\d+) bytes")
HEADER = f"{'step':<18}{'seconds':>10}{'cpu s':>10}{'peak MB':>10}  counts"
SUMMARY = re.compile(r"refresh done \(exit 0\): .*")


def write_orders_csv(lines: int, folder: Path) -> tuple[Path, float]:
    """Write ``lines`` scaled order lines in the sample's own column names."""
    started = time.perf_counter()
    orders = scale_orders(load_orders(Config()), lines, seed=0)
    names = {field: SUPERSTORE_COLUMNS[field] for field in orders.columns}
    path = folder / "orders.csv"
    orders.rename(columns=names).to_csv(path, index=False, date_format="%Y-%m-%d")
    return path, time.perf_counter() - started


def run_refresh(
    orders: Path, store: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "APP_ENV": "production",
        "DATA_SOURCE": str(orders),
        "LOCAL_STORE_DIR": str(store),
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "scripts/refresh_cache.py"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result, time.perf_counter() - started


def row(name: str, seconds: float, cpu: float, peak: str, detail: str) -> str:
    return f"{name:<18}{seconds:>10.2f}{cpu:>10.2f}{peak:>10}  {detail}"


def report(log: str, wall: float) -> None:
    """Print one row per step, the compute/forecast split, size and peaks."""
    print(HEADER)
    for line in log.splitlines():
        step = STEP_LINE.search(line)
        if step:
            name, detail, seconds, cpu, peak = step.groups()
            print(row(name, float(seconds), float(cpu), peak, detail))
        for name, pattern in PIPELINE_LINES.items():
            part = pattern.search(line)
            if part:
                print(f"{name:<18}{float(part.group(1)):>10.2f}  (of the above)")

    size = SNAPSHOT_BYTES.search(log)
    print(f"snapshot size: {int(size.group(1)) / 1e6:.1f} MB" if size else "")
    # The summary holds the peaks: the script resets its high-water mark per step,
    # so this process's view of its child's peak is only the last step's.
    print(f"refresh wall time: {wall:.1f} s")
    summary = SUMMARY.search(log)
    print(summary.group(0) if summary else "no summary line")


def run_without_forecast(orders: Path, store: Path) -> None:
    """Load, validate, compute, write and flip in this process, as the script does."""
    config = Config(data_source=str(orders), local_store_dir=store)
    steps = Steps()
    started = time.perf_counter()
    lines = load_checked_orders(config, None, steps)
    with steps.run("compute") as step:
        frames = precompute(lines, dimensions=config.dimensions)
        cube = KpiCube.from_frames(frames)
        step.done("%d frames, %d rows", len(frames), sum(map(len, frames.values())))
    meta = {
        "schema": SCHEMA,
        "data_through": cube.last_day.isoformat(),
        "order_lines": len(lines),
    }
    del lines
    publish(open_store(config), SnapshotFrames(frames, meta), config, steps)

    print(HEADER)
    for r in steps.records:
        print(row(r.name, r.seconds, r.cpu_seconds, f"{r.peak_mb:.0f}", r.detail))
    print(f"without the forecast: {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--skip-forecast", action="store_true")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:  # the child of --skip-forecast, free of the generator's memory
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
        run_without_forecast(args.measure, args.measure.parent / "store")
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
        orders, made = write_orders_csv(args.lines, Path(tmp))
        megabytes = orders.stat().st_size / 1e6
        print(
            f"{args.lines} order lines, {megabytes:.0f} MB of CSV, made in {made:.1f} s"
        )
        if args.skip_forecast:
            command = [sys.executable, __file__, "--measure", str(orders)]
            return subprocess.run(command, cwd=PROJECT_ROOT, check=False).returncode
        result, wall = run_refresh(orders, Path(tmp) / "store")

    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
        return result.returncode
    report(result.stderr, wall)
    return 0


if __name__ == "__main__":
    sys.exit(main())
