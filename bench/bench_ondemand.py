"""Benchmark of a forecast made on demand against reading a precomputed one.

Runs real on-demand jobs (spawned child, fit, store write) for a two-region
selection of the bundled sample, by month and by week, against the local store and
a memcached started on loopback, and prints their wall time and the child's peak
memory next to reading a stored forecast. Usage:
``.venv/bin/python bench/bench_ondemand.py``.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_cache import median_seconds
from cache.local import LocalStore
from cache.memcached import open_memcached_store
from cache.store import Store
from config import PROJECT_ROOT, Config
from kpi import KpiCube, Selection, precompute
from kpi.selection import Filters
from sources import load_orders
from tests.servers import MemcachedProcess, free_port
from web.ondemand import ForecastJob, history_of, horizon_periods, read_outcome
from web.runner import ForecastRunner

DIMENSIONS = ("region", "category", "segment")
# Series in the refresh's forecasts frame of the sample: 5 KPIs x 11 scopes x 2.
REFRESH_SERIES = 110
WORKER_PEAK = (
    "import resource, app; "
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
)


def run_job(
    store: Store, job: ForecastJob, history: pd.DataFrame
) -> tuple[float, float]:
    """Seconds from handing the job over until its result is stored; child peak MB."""
    runner = ForecastRunner(store, seconds=120, ttl=600)
    started = time.perf_counter()
    runner.submit(job, history)
    while runner.busy():
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    outcome = read_outcome(store, job)
    assert outcome.state == "done", outcome.reason
    return seconds, runner.peak_mb


def line(label: str, *values: float) -> None:
    print(f"{label:<54}" + "".join(f"{value:>10.3f}" for value in values))


def precomputed_lookup(forecast: pd.DataFrame) -> Callable[[], object]:
    """A request's read of one series from a refresh-sized forecasts frame."""
    frames = []
    for number in range(REFRESH_SERIES):
        copy = forecast.copy()
        copy["series_id"] = f"series-{number}"
        frames.append(copy)
    table = pd.concat(frames, ignore_index=True)
    wanted = f"series-{REFRESH_SERIES // 2}"
    return lambda: table[table["series_id"] == wanted].sort_values("date")


def worker_peak_mb(folder: Path) -> float:
    """Peak memory of a process that builds the app, as a web worker does."""
    env = {"APP_ENV": "development", "LOCAL_STORE_DIR": str(folder), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", WORKER_PEAK],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="jobs per grain")
    args = parser.parse_args()

    cube = KpiCube.from_frames(precompute(load_orders(Config()), dimensions=DIMENSIONS))
    filters = Selection.build(filters={"region": ["East", "West"]}).filters
    with tempfile.TemporaryDirectory() as tmp:
        server = MemcachedProcess(free_port())
        server.start()
        try:
            stores: dict[str, Store] = {
                "local": LocalStore(Path(tmp) / "store"),
                "memcached": open_memcached_store(
                    Config(memcache_servers=(server.address,))
                ),
            }
            measure(cube, filters, stores, args.repeats)
        finally:
            server.kill()
        line(
            "web worker peak, app built, before any request (MB)",
            worker_peak_mb(Path(tmp)),
        )


def measure(
    cube: KpiCube, filters: Filters, stores: dict[str, Store], repeats: int
) -> None:
    print(f"{'what':<54}{'median':>10}{'min':>10}{'max':>10}")
    peaks = []
    done = ForecastJob("b0", "revenue", "month", filters, 12)
    for name, store in stores.items():
        for grain in ("month", "week"):
            runs = []
            for number in range(repeats):
                # A new snapshot id each time, so that each job really runs.
                horizon = horizon_periods(grain, 12)
                job = ForecastJob(f"b{number}", "revenue", grain, filters, horizon)
                runs.append(run_job(store, job, history_of(cube, job)))
            seconds = [run[0] for run in runs]
            peaks += [run[1] for run in runs]
            label = f"on-demand job, {grain}, {name} store (s)"
            line(label, statistics.median(seconds), min(seconds), max(seconds))

        stored = median_seconds(functools.partial(read_outcome, store, done), 200)
        line(f"read a stored on-demand result, {name} (ms)", stored * 1000)

    forecast = read_outcome(stores["local"], done).forecast
    assert forecast is not None
    lookup = median_seconds(precomputed_lookup(forecast), 200)
    line("read a precomputed forecast from the snapshot (ms)", lookup * 1000)
    history = median_seconds(lambda: history_of(cube, done), 200)
    line("the request's part: history from the KPI cube (ms)", history * 1000)
    line("child peak memory, largest of all jobs (MB)", max(peaks))


if __name__ == "__main__":
    main()
