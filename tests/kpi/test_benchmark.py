"""The KPI benchmark and the scale generator still run (on a small order set)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bench.scale_orders import scale_orders

ROOT = Path(__file__).resolve().parents[2]


def test_scaled_orders_keep_the_sample_shape(sample_orders: pd.DataFrame):
    scaled = scale_orders(sample_orders, 3 * len(sample_orders), seed=1)

    assert len(scaled) == 3 * len(sample_orders)
    assert list(scaled.columns) == list(sample_orders.columns)
    # Three whole copies, each with its own customers and orders.
    assert scaled["order_id"].nunique() == 3 * sample_orders["order_id"].nunique()
    assert scaled["customer_id"].nunique() == 3 * sample_orders["customer_id"].nunique()
    assert scaled.groupby("order_id")["order_date"].nunique().max() == 1
    assert scaled["order_date"].min() >= sample_orders["order_date"].min()
    assert scaled["order_date"].max() <= sample_orders["order_date"].max()
    share = scaled["category"].value_counts(normalize=True)
    expected = sample_orders["category"].value_counts(normalize=True)
    assert share.to_dict() == pytest.approx(expected.to_dict(), abs=0.01)


@pytest.mark.slow
def test_benchmark_runs_and_finds_both_engines_agree():
    done = subprocess.run(
        [
            sys.executable,
            "bench/bench_kpi.py",
            "--lines",
            "20000",
            "--queries",
            "10",
            "--baseline-queries",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "cube and recompute agree on all 3: True" in done.stdout
