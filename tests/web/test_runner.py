"""The on-demand runner with real child processes, the local store and memcached."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from cache import Snapshot, SnapshotRead, Store, open_store
from cache.local import LocalStore
from config import Config
from forecast import ForecastSpec, run_forecasts
from kpi import KpiCube, Selection, precompute
from sources import load_orders
from tests.servers import MemcachedFactory
from web.data import Current
from web.ondemand import (
    DONE,
    FAILED,
    ForecastJob,
    OnDemand,
    history_of,
    read_outcome,
    request_forecast,
)
from web.runner import ForecastRunner

pytestmark = pytest.mark.integration

DIMENSIONS = ("region", "category", "segment")
EAST_WEST = Selection.build(filters={"region": ["West", "East"]}).filters
# A spawned child imports pandas and statsmodels (about 3 s here) before it fits.
WAIT_SECONDS = 120.0


@pytest.fixture(scope="module")
def cube() -> KpiCube:
    return KpiCube.from_frames(precompute(load_orders(Config()), dimensions=DIMENSIONS))


@pytest.fixture(params=["local", "memcached"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, memcached_factory: MemcachedFactory
) -> Iterator[Store]:
    if request.param == "local":
        opened: Store = LocalStore(tmp_path)
    else:
        server = memcached_factory()
        opened = open_store(Config(memcache_servers=(server.address,)))
    yield opened
    opened.close()


def make_job(snapshot_id: str = "snap-a", grain: str = "month") -> ForecastJob:
    # The refresh's horizon: 12 months, or round(12 * 4.35) = 52 weeks.
    horizon = 12 if grain == "month" else 52
    return ForecastJob(snapshot_id, "revenue", grain, EAST_WEST, horizon)


def wait_idle(runner: ForecastRunner) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while runner.busy():
        assert time.monotonic() < deadline, "the runner never finished its job"
        time.sleep(0.05)


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_job_stores_what_run_forecasts_gives_and_is_run_once(
    store: Store, cube: KpiCube
) -> None:
    runner = ForecastRunner(store, seconds=60, ttl=600)
    job = make_job()
    history = history_of(cube, job)

    assert runner.submit(job, history)
    assert runner.submit(job, history)  # queued or running already: not again
    wait_idle(runner)
    outcome = read_outcome(store, job)

    # The reference is the refresh's own call for revenue's group in
    # pipeline.FORECAST_GROUPS (nonnegative, missing periods are zero), run here.
    expected = run_forecasts(
        history, ForecastSpec(freq="MS", horizon=12), nonnegative=True, missing="zero"
    )
    assert outcome.state == DONE and outcome.forecast is not None
    pd.testing.assert_frame_equal(
        outcome.forecast.reset_index(drop=True),
        expected.forecasts,
        check_dtype=False,
        rtol=1e-6,
    )
    assert outcome.accuracy is not None
    assert outcome.accuracy["model"] == expected.accuracy.iloc[0]["model"]
    assert outcome.accuracy["mase"] == pytest.approx(expected.accuracy.iloc[0]["mase"])
    assert len(runner.child_pids) == 1


def test_a_stored_result_is_read_without_a_new_child(
    store: Store, cube: KpiCube
) -> None:
    runner = ForecastRunner(store, seconds=60, ttl=600)
    place = OnDemand(store, runner)
    state = _state(cube)
    job = make_job()

    first = request_forecast(state, job, place)
    wait_idle(runner)
    second = request_forecast(state, job, place)

    assert first.state == "pending"
    assert second.state == DONE
    assert len(runner.child_pids) == 1
    # Under another snapshot the same selection is another key: nothing stored.
    assert make_job("snap-b").key("status") != job.key("status")
    assert read_outcome(store, make_job("snap-b")).state == "absent"


def test_a_week_job_forecasts_52_weeks(tmp_path: Path, cube: KpiCube) -> None:
    store = LocalStore(tmp_path)
    runner = ForecastRunner(store, seconds=60, ttl=600)
    job = make_job(grain="week")

    runner.submit(job, history_of(cube, job))
    wait_idle(runner)
    outcome = read_outcome(store, job)

    assert outcome.state == DONE and outcome.forecast is not None
    assert len(outcome.forecast) == 52
    assert outcome.forecast["series_id"].unique().tolist() == [job.series_id]


def test_an_overrun_is_killed_and_stored_as_a_timeout(
    store: Store, cube: KpiCube
) -> None:
    # 0.2 s is less than the child needs to import pandas, let alone fit.
    runner = ForecastRunner(store, seconds=0.2, ttl=600)
    job = make_job()

    runner.submit(job, history_of(cube, job))
    wait_idle(runner)
    outcome = read_outcome(store, job)

    assert outcome.state == FAILED
    assert outcome.reason == (
        "Fitting took longer than 0.2 s; try a broader selection."
    )
    assert len(runner.child_pids) == 1
    assert not is_running(runner.child_pids[0])


def test_a_fit_that_raises_is_stored_with_its_error(
    store: Store, cube: KpiCube
) -> None:
    runner = ForecastRunner(store, seconds=60, ttl=600)
    job = make_job()
    history = history_of(cube, job)
    # Every period flagged unfinished: run_forecasts refuses a history without a
    # complete period.
    history["partial"] = True

    runner.submit(job, history)
    wait_idle(runner)
    outcome = read_outcome(store, job)

    assert outcome.state == FAILED
    assert outcome.reason.startswith("The model could not be fitted")
    assert "history has no complete period" in outcome.reason


def _state(cube: KpiCube) -> Current:
    snapshot = Snapshot(id="snap-a", meta={}, frames={})
    return Current(read=SnapshotRead(snapshot, "fresh", ""), cube=cube, config=Config())


def test_a_full_queue_refuses_a_new_job_but_not_one_it_holds(
    tmp_path: Path, cube: KpiCube
) -> None:
    # No room behind the running job; 0.2 s makes that job end quickly.
    runner = ForecastRunner(LocalStore(tmp_path), seconds=0.2, ttl=600, queue_size=0)
    running, other = make_job(), make_job(grain="week")

    accepted = [
        runner.submit(running, history_of(cube, running)),
        runner.submit(other, history_of(cube, other)),
        runner.submit(running, history_of(cube, running)),
    ]
    wait_idle(runner)

    assert accepted == [True, False, True]
    assert len(runner.child_pids) == 1
