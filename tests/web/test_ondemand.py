"""On-demand forecasts seen from a request: keys, history, the pages' states."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from dash import Dash
from werkzeug.security import generate_password_hash

import pipeline
from cache import SnapshotReader, open_store, write_snapshot
from config import PROJECT_ROOT, Config
from kpi import KpiCube, Selection, precompute
from sources import load_orders
from tests.dash_requests import routing_body
from tests.hostile.conftest import LOGIN
from tests.servers import free_port
from tests.web.conftest import procfile_command, service_env, wait_for_http
from web.factory import create_app
from web.ondemand import (
    EXTENSION_KEY,
    ForecastJob,
    history_of,
    horizon_periods,
    poll_count,
    read_outcome,
)

DIMENSIONS = ("region", "category", "segment")
POLL_OUTPUT = "..forecast-body.children...forecast-poll.disabled.."


def job(filters: dict[str, list[str]], **changes: object) -> ForecastJob:
    values: dict[str, object] = {
        "snapshot_id": "snap-a",
        "kpi": "revenue",
        "grain": "month",
        "filters": Selection.build(filters=filters).filters,
        "horizon": 12,
        **changes,
    }
    return ForecastJob(**values)  # type: ignore[arg-type]


def test_the_key_ignores_filter_order_and_names_everything_else() -> None:
    base = job({"region": ["East", "West"], "segment": ["Consumer"]})
    same = job({"segment": ["Consumer"], "region": ["West", "East", "West"]})
    others = [
        job({"region": ["East", "West"]}),
        job({"region": ["East", "West"], "segment": ["Consumer"]}, snapshot_id="b"),
        job({"region": ["East", "West"], "segment": ["Consumer"]}, kpi="orders"),
        job({"region": ["East", "West"], "segment": ["Consumer"]}, grain="week"),
        job({"region": ["East", "West"], "segment": ["Consumer"]}, horizon=6),
    ]

    assert same.key("status") == base.key("status")
    assert len({other.key("status") for other in [base, *others]}) == 6
    assert base.key("status").startswith("kpidash:v1:ondemand:snap-a:")
    assert base.series_id == "revenue/month/region=East,West&segment=Consumer"


@pytest.mark.parametrize(("grain", "periods"), [("month", 12), ("week", 52)])
def test_the_horizon_is_the_refresh_one(grain: str, periods: int) -> None:
    # pipeline.forecast_all: 12 months, or round(12 * 4.35) = 52 weeks.
    assert horizon_periods(grain, 12) == periods
    if grain == "week":
        assert periods == round(12 * pipeline.WEEKS_PER_MONTH)


@pytest.mark.parametrize(
    ("sent", "count"), [(3, 3), (None, 0), (-4, 0), ("7", 0), (True, 0), (2.5, 0)]
)
def test_a_poll_count_from_the_browser_is_checked(sent: object, count: int) -> None:
    assert poll_count(sent) == count


@pytest.fixture(scope="module")
def cube() -> KpiCube:
    return KpiCube.from_frames(precompute(load_orders(Config()), dimensions=DIMENSIONS))


@pytest.mark.parametrize("grain", ["month", "week"])
def test_the_history_is_shaped_as_the_refresh_shapes_it(
    cube: KpiCube, grain: str
) -> None:
    # One member: the refresh makes this very series, so both must agree.
    single = job({"region": ["West"]}, grain=grain)
    refresh = pd.concat(list(pipeline._histories(cube, grain, ("revenue",))))
    expected = refresh[refresh["series_id"] == single.series_id]

    pd.testing.assert_frame_equal(
        history_of(cube, single).reset_index(drop=True),
        expected.reset_index(drop=True),
    )


def stored_forecasts(last_day: dt.date) -> dict[str, pd.DataFrame]:
    """Forecast frames of the whole business only, for every forecast KPI and grain.

    They tell the pages which KPIs and grains are forecast; their values are
    not what these tests look at.
    """
    rows, accuracy = [], []
    for grain, freq in pipeline.FORECAST_GRAINS.items():
        for kpi in pipeline.FORECAST_KPIS:
            series_id = pipeline.series_key(kpi, grain)
            dates = pd.date_range(pd.Timestamp(last_day), periods=3, freq=freq)
            for date in dates:
                rows.append((series_id, date, 1.0, 0.5, 1.5, 0.2, 1.8, "naive"))
            accuracy.append((series_id, "naive", 1.0, 10.0, 0.8, 0.9, 1.0, 10.0))
    forecasts = pd.DataFrame(
        rows,
        columns=[
            *("series_id", "date", "forecast"),
            *("lo80", "hi80", "lo95", "hi95", "model"),
        ],
    )
    scores = ["mase", "smape", "coverage80", "coverage95", "naive_mase", "naive_smape"]
    table = pd.DataFrame(accuracy, columns=["series_id", "model", *scores])
    return {"forecasts": forecasts, "forecast_accuracy": table}


def publish_with_forecasts(folder: Path, seconds: float) -> Config:
    config = Config(
        app_env="production",
        auth_users=f"ana:{generate_password_hash('pw', method='pbkdf2:sha256:1000')}",
        local_store_dir=folder,
        on_demand_forecast_seconds=seconds,
    )
    frames = precompute(load_orders(Config()), dimensions=DIMENSIONS)
    cube = KpiCube.from_frames(frames)
    frames.update(stored_forecasts(cube.last_day))
    meta = {
        "data_through": cube.last_day.isoformat(),
        "first_day": cube.first_day.isoformat(),
        "refreshed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dimensions": list(DIMENSIONS),
        "forecast_horizon_months": 12,
    }
    write_snapshot(open_store(config), frames, meta, ttl=3600)
    return config


def app_with_limit(folder: Path, seconds: float) -> Dash:
    """An app on a snapshot with stored forecasts and this on-demand limit."""
    app = create_app(publish_with_forecasts(folder, seconds))
    app.server.test_client().get("/_dash-dependencies", headers=LOGIN)
    return app


@pytest.fixture(scope="module")
def short_limit_app(tmp_path_factory: pytest.TempPathFactory) -> Dash:
    # 0.2 s: less than a child needs to import pandas, so every job times out.
    return app_with_limit(tmp_path_factory.mktemp("store"), 0.2)


def answer_text(response_json: dict[str, object]) -> str:
    return json.dumps(response_json["response"])


def poll_body(search: str, n_intervals: object) -> dict[str, object]:
    return {
        "output": POLL_OUTPUT,
        "outputs": [
            {"id": "forecast-body", "property": "children"},
            {"id": "forecast-poll", "property": "disabled"},
        ],
        "inputs": [
            {"id": "forecast-poll", "property": "n_intervals", "value": n_intervals}
        ],
        "state": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": ["forecast-poll.n_intervals"],
    }


@pytest.mark.integration
def test_the_forecast_page_prepares_a_selection_and_names_the_limit_it_hit(
    short_limit_app: Dash,
) -> None:
    client = short_limit_app.server.test_client()
    search = "?region=East,West&category=Technology"
    runner = short_limit_app.server.extensions[EXTENSION_KEY].runner

    page = client.post(
        "/_dash-update-component",
        json=routing_body("/forecast", search),
        headers=LOGIN,
    )
    text = answer_text(page.get_json())
    deadline = time.monotonic() + 60
    while runner.busy():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    poll = client.post(
        "/_dash-update-component", json=poll_body(search, 1), headers=LOGIN
    )

    assert "Forecast being prepared for this selection" in text
    assert "This selection: East, West \\u00b7 Technology" in text
    assert '"value": "selection"' in text
    answer = poll.get_json()["response"]
    assert answer["forecast-poll"]["disabled"] is True
    assert "Fitting took longer than 0.2 s; try a broader selection." in json.dumps(
        answer["forecast-body"]
    )
    assert len(runner.child_pids) == 1


@pytest.mark.integration
def test_a_single_member_view_offers_no_selection_scope(short_limit_app: Dash) -> None:
    client = short_limit_app.server.test_client()
    runner = short_limit_app.server.extensions[EXTENSION_KEY].runner
    started = len(runner.child_pids)

    page = client.post(
        "/_dash-update-component",
        json=routing_body("/forecast", "?region=West"),
        headers=LOGIN,
    )
    text = answer_text(page.get_json())

    assert "This selection" not in text
    assert "Forecast being prepared" not in text
    assert not runner.busy() and len(runner.child_pids) == started


def test_the_web_process_never_imports_the_modelling_stack(tmp_path: Path) -> None:
    # The app as gunicorn imports it, every page registered: what it has loaded.
    probe = (
        "import sys, app, web.runner; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'statsmodels', 'forecast', 'pipeline', 'scipy'}))"
    )
    env = {"APP_ENV": "development", "LOCAL_STORE_DIR": str(tmp_path), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "[]"


def processes() -> dict[int, tuple[int, bytes]]:
    """Every process's parent id and command line, read from /proc."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # it ended while being read
        found[int(stat.parent.name)] = (parent, command)
    return found


def fitting_children(arbiter: int) -> set[int]:
    """The "spawn" children of the gunicorn workers under ``arbiter``."""
    table = processes()
    workers = {pid for pid, (parent, _) in table.items() if parent == arbiter}
    return {
        pid
        for pid, (parent, command) in table.items()
        if parent in workers and b"spawn_main" in command
    }


@pytest.mark.integration
def test_gunicorn_stops_with_a_child_fitting_and_leaves_none_behind(
    tmp_path: Path,
) -> None:
    config = publish_with_forecasts(tmp_path / "store", 60)
    port = free_port()
    env = service_env(
        APP_ENV="production",
        AUTH_USERS=str(config.auth_users),
        LOCAL_STORE_DIR=str(tmp_path / "store"),
        PORT=str(port),
        WEB_CONCURRENCY="1",
    )
    web = subprocess.Popen(
        procfile_command(),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        body = json.dumps(routing_body("/forecast", "?region=East,West")).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/_dash-update-component",
            data=body,
            headers={**LOGIN, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert b"Forecast being prepared" in response.read()
        deadline = time.monotonic() + 30
        fitting: set[int] = set()
        while not fitting:
            assert time.monotonic() < deadline, "no child was started"
            fitting = fitting_children(web.pid)
            time.sleep(0.05)
        # Frozen, the child can never finish by itself: only a kill ends it.
        for pid in fitting:
            os.kill(pid, signal.SIGSTOP)
    finally:
        web.terminate()
        web.wait(timeout=30)
        left = [pid for pid in fitting if Path(f"/proc/{pid}").exists()]
        for pid in left:
            os.kill(pid, signal.SIGKILL)

    # The worker's exit killed the child and stored no outcome: the job stays
    # pending until its mark expires, then the next view queues it again.
    assert left == []
    snapshot = SnapshotReader(open_store(config)).read().snapshot
    assert snapshot is not None
    filters = Selection.build(filters={"region": ["East", "West"]}).filters
    job = ForecastJob(snapshot.id, "revenue", "month", filters, 12)
    assert read_outcome(open_store(config), job).state == "pending"


@pytest.fixture(scope="module")
def no_ondemand_app(tmp_path_factory: pytest.TempPathFactory) -> Dash:
    # ON_DEMAND_FORECAST_SECONDS=0: forecasts made on demand are off.
    return app_with_limit(tmp_path_factory.mktemp("store"), 0)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("path", "said"),
    [
        (
            "/forecast",
            "This deployment makes no forecast for several filter values at once; "
            "showing the whole business.",
        ),
        (
            "/",
            "No forecast for this selection: forecasts are made for the whole "
            "business and for one region or category or segment value at a time, and "
            "this deployment makes none on demand.",
        ),
    ],
)
def test_with_forecasts_on_demand_off_a_selection_says_so_and_starts_nothing(
    no_ondemand_app: Dash, path: str, said: str
) -> None:
    client = no_ondemand_app.server.test_client()
    runner = no_ondemand_app.server.extensions[EXTENSION_KEY].runner

    page = client.post(
        "/_dash-update-component",
        json=routing_body(path, "?region=East,West"),
        headers=LOGIN,
    )
    text = answer_text(page.get_json())

    assert said in text
    assert "This selection" not in text
    assert "Forecast being prepared" not in text
    assert not runner.busy() and runner.child_pids == []


@pytest.mark.integration
@pytest.mark.parametrize(
    ("search", "drawn"),
    [
        # The default range reaches the data's last day: the stored forecast follows.
        ("", True),
        # 2014 ends three years before the data does: no forecast line, no job.
        ("?start=2014-03-01&end=2014-12-31", False),
        ("?start=2014-03-01&end=2014-12-31&region=East,West", False),
    ],
)
def test_the_overview_draws_a_forecast_only_for_a_range_reaching_the_data_end(
    short_limit_app: Dash, search: str, drawn: bool
) -> None:
    client = short_limit_app.server.test_client()
    runner = short_limit_app.server.extensions[EXTENSION_KEY].runner
    started = len(runner.child_pids)

    page = client.post(
        "/_dash-update-component", json=routing_body("/", search), headers=LOGIN
    )
    text = answer_text(page.get_json())

    assert ('"name": "forecast"' in text) is drawn
    assert len(runner.child_pids) == started and not runner.busy()
