"""The refresh script as Scheduler runs it: a process, its log lines and exit codes.

Runs use the tiny order file of ``tests/deploy/tiny_orders.py`` (a second each);
the two runs into one memcached are shared by the whole module.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from cache import SnapshotReader, load_snapshot, open_store
from cache.snapshot import Pointer, frame_key, read_pointer
from config import PROJECT_ROOT, Config
from kpi import KpiCube
from pipeline import ARCHIVE, FORECAST_GRAINS, FORECAST_KPIS
from scripts import refresh_cache
from tests.conftest import SampleRefreshes
from tests.deploy.tiny_orders import (
    DAYS,
    LAST_DAY,
    LINES_PER_DAY,
    write_broken_orders,
    write_tiny_orders,
)
from tests.servers import MemcachedProcess, free_port
from tests.web.conftest import run_refresh, service_env

SCRIPT = "scripts/refresh_cache.py"
# Rows of one tiny run's forecasts: 35 monthly series 12 months ahead, 35 weekly
# ones 52 weeks ahead (12 months x 4.35), for the business and 6 members.
ROWS = 35 * 12 + 35 * 52


@dataclass(frozen=True)
class TwoRuns:
    """Two refreshes in a row into one memcached, and the pointer after each."""

    server: MemcachedProcess
    orders: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    after_first: Pointer
    after_second: Pointer

    def env(self, **values: str) -> dict[str, str]:
        return refresh_env(
            self.orders, **{"MEMCACHE_SERVERS": self.server.address, **values}
        )


def refresh_env(orders: Path, **values: str) -> dict[str, str]:
    """A production refresh's environment reading ``orders``; values override."""
    return service_env(
        **{"APP_ENV": "production", "DATA_SOURCE": str(orders), **values}
    )


def memcached_config(server: MemcachedProcess) -> Config:
    return Config(memcache_servers=(server.address,))


def current_pointer(server: MemcachedProcess) -> Pointer:
    store = open_store(memcached_config(server))
    try:
        pointer = read_pointer(store)
    finally:
        store.close()
    assert pointer is not None
    return pointer


def log_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stderr.splitlines()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoRuns]:
    orders = write_tiny_orders(tmp_path_factory.mktemp("orders") / "orders.csv")
    server = MemcachedProcess(free_port())
    server.start()
    try:
        env = refresh_env(orders, MEMCACHE_SERVERS=server.address)
        first = run_refresh(env)
        assert first.returncode == 0, first.stderr[-3000:]
        after_first = current_pointer(server)
        second = run_refresh(env)
        assert second.returncode == 0, second.stderr[-3000:]
        yield TwoRuns(
            server, orders, first, second, after_first, current_pointer(server)
        )
    finally:
        server.kill()


@pytest.fixture
def tiny_orders(tmp_path: Path) -> Path:
    return write_tiny_orders(tmp_path / "orders.csv")


def stored_frame_count(server: MemcachedProcess, snapshot_id: str) -> int:
    store = open_store(memcached_config(server))
    try:
        return len(load_snapshot(store, snapshot_id).frames)
    finally:
        store.close()


@pytest.mark.integration
def test_a_run_logs_one_line_per_step_then_one_summary(two_runs: TwoRuns) -> None:
    lines = log_lines(two_runs.first)
    snapshot = two_runs.after_first.id
    frames = stored_frame_count(two_runs.server, snapshot)
    order_lines = DAYS * LINES_PER_DAY  # 70 days of two lines each
    # Every KPI at every grain, for the business and the 2 members of each of the
    # 3 dimensions of the tiny orders.
    series = len(FORECAST_KPIS) * len(FORECAST_GRAINS) * (1 + 3 * 2)

    expected = [
        "refresh: cache: the memcached store answers; current snapshot none",
        f"refresh: load: {order_lines} rows from orders.csv in ",
        f"refresh: validate: {order_lines} order lines, {order_lines} orders, "
        "2 customers through 2017-03-12 in ",
        "pipeline: computed KPI frames: ",
        f"pipeline: forecast {series} series in ",
        # The archive is the one frame added after the forecasts.
        f"refresh: compute+forecast: {frames - 1} frames, data through 2017-03-12 in ",
        "pipeline: forecast archive: no previous snapshot; starting a new one",
        # Data through Sunday 12 March: March is unfinished, so the months start
        # at 1 March; the week of 6 March is complete, so the weeks start on 13 March.
        f"refresh: archive: {series} forecasts ({ROWS} rows) from 2 origins, oldest "
        "origin 2017-03-01 in ",
        f"refresh: write: snapshot {snapshot}, {frames} frames to the memcached "
        "store, kept 72 h in ",
        f"refresh: flip: current snapshot {snapshot}, previous none in ",
    ]
    for fragment in expected:
        assert sum(fragment in line for line in lines) == 1, fragment
    assert (
        lines[-1]
        .split(" INFO ")[1]
        .startswith(
            f"refresh: refresh done (exit 0): snapshot {snapshot} is current, "
            f"data through 2017-03-12, {order_lines} order lines, {frames} frames, "
        )
    )


@pytest.mark.integration
def test_plain_log_lines_when_stderr_is_not_a_terminal(two_runs: TwoRuns) -> None:
    assert "\r" not in two_runs.first.stderr
    assert "\x1b[" not in two_runs.first.stderr
    assert "[####" not in two_runs.first.stderr


@pytest.mark.integration
def test_two_runs_in_a_row_leave_one_consistent_current_snapshot(
    two_runs: TwoRuns,
) -> None:
    first, second = two_runs.after_first, two_runs.after_second
    store = open_store(memcached_config(two_runs.server))
    try:
        current = load_snapshot(store, second.id)
        read = SnapshotReader(store).read()
    finally:
        store.close()

    assert second.id != first.id
    assert second.previous == first.id
    assert f"previous {first.id} in " in two_runs.second.stderr
    assert read.snapshot is not None and read.snapshot.id == second.id
    assert current.meta["data_through"] == LAST_DAY.isoformat()
    assert current.meta["order_lines"] == DAYS * LINES_PER_DAY
    assert set(current.frames) == set(read.snapshot.frames)
    assert {"forecasts", "forecast_accuracy", ARCHIVE} <= set(current.frames)
    # Both runs saw the same data, so they forecast from the same origins: the
    # second run's forecasts replace the first's.
    assert f"forecast archive: carrying on the {ROWS} rows of snapshot {first.id}" in (
        two_runs.second.stderr
    )
    archive = current.frames[ARCHIVE]
    assert len(archive) == ROWS
    assert set(archive["made_at"]) == {pd.Timestamp(current.meta["refreshed_at"])}


@pytest.mark.integration
def test_broken_data_exits_3_and_keeps_the_current_snapshot(
    two_runs: TwoRuns, tmp_path: Path
) -> None:
    broken = write_broken_orders(tmp_path / "broken.csv")

    result = run_refresh(two_runs.env(DATA_SOURCE=str(broken)))

    assert result.returncode == 3
    assert (
        "refresh failed (exit 3) at validate after " in result.stderr
        and "column 'Order Date': '2017-01-3x' is not a date at line 4" in result.stderr
    )
    assert current_pointer(two_runs.server) == two_runs.after_second


@pytest.mark.integration
def test_a_cache_that_stops_answering_exits_4_and_the_pointer_stays(
    two_runs: TwoRuns,
) -> None:
    # A second memcached that is killed: the refresh is pointed at a dead port.
    dead = MemcachedProcess(free_port())
    dead.start()
    dead.kill()

    result = run_refresh(two_runs.env(MEMCACHE_SERVERS=dead.address))

    assert result.returncode == 4
    assert "refresh failed (exit 4) at cache check after " in result.stderr
    assert f"memcached server '{dead.address}' did not answer" in result.stderr
    # Nothing was computed: the failure came before the first step.
    assert "refresh: load:" not in result.stderr
    assert current_pointer(two_runs.server) == two_runs.after_second


def test_a_memcached_that_is_not_running_exits_4(tiny_orders: Path) -> None:
    address = f"127.0.0.1:{free_port()}"

    result = run_refresh(refresh_env(tiny_orders, MEMCACHE_SERVERS=address))

    assert result.returncode == 4
    assert f"memcached server '{address}' did not answer within 1.0 s" in result.stderr


@pytest.mark.integration
def test_dry_run_computes_but_writes_nothing(
    memcached: MemcachedProcess, tiny_orders: Path
) -> None:
    result = run_refresh(
        refresh_env(tiny_orders, MEMCACHE_SERVERS=memcached.address), "--dry-run"
    )
    stats = memcached.stats()

    assert result.returncode == 0, result.stderr[-2000:]
    assert "refresh: compute+forecast: " in result.stderr
    assert "forecast archive: a dry run holds this run's forecasts only" in (
        result.stderr
    )
    assert f"refresh: archive: 70 forecasts ({ROWS} rows) from 2 origins" in (
        result.stderr
    )
    assert "refresh done (exit 0): dry run, nothing written" in result.stderr
    assert "refresh: write:" not in result.stderr
    assert (stats["cmd_set"], stats["cmd_get"], stats["curr_items"]) == (0, 0, 0)


def test_dry_run_leaves_the_local_store_uncreated(
    tiny_orders: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"

    result = run_refresh(
        refresh_env(tiny_orders, LOCAL_STORE_DIR=str(store)), "--dry-run"
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert not store.exists()


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("CACHE_TTL", "three days", "CACHE_TTL: 'three days' is not a whole number"),
        ("APP_ENV", "staging", "APP_ENV: 'staging' is not one of"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL: 'loud' is not a log level"),
        # Half a MemCachier login: the missing variable is the one named.
        ("MEMCACHIER_SERVERS", "127.0.0.1:1", "MEMCACHIER_USERNAME: MEMCACHIER_"),
    ],
)
def test_a_bad_config_var_exits_2_naming_it_and_how_to_set_it(
    tiny_orders: Path, variable: str, value: str, named: str
) -> None:
    result = run_refresh(refresh_env(tiny_orders, **{variable: value}))
    named_variable = named.split(":")[0]

    assert result.returncode == 2
    assert "refresh failed (exit 2) at start after " in result.stderr
    assert named in result.stderr
    assert (
        f"Set it with: heroku config:set {named_variable}=<value> --app <app> "
        f"(locally: export {named_variable}=<value>)" in result.stderr
    )


@pytest.mark.integration
def test_a_later_refresh_keeps_the_earlier_forecasts_in_its_archive(
    sample_refreshes: SampleRefreshes,
) -> None:
    store = open_store(memcached_config(sample_refreshes.memcached))
    try:
        first = load_snapshot(store, sample_refreshes.first_id)
        second = load_snapshot(store, sample_refreshes.second_id)
    finally:
        store.close()
    archive = second.frames[ARCHIVE]

    # As of Friday 2017-06-30: June complete, its last week unfinished. Fully: data
    # through Saturday 2017-12-30, so December and its last week are unfinished.
    origins = archive.groupby("origin")["series_id"].nunique().to_dict()
    assert {day.date().isoformat(): n for day, n in origins.items()} == {
        "2017-06-26": 55,
        "2017-07-01": 55,
        "2017-12-01": 55,
        "2017-12-25": 55,
    }
    kept = archive[archive["data_through"] == pd.Timestamp("2017-06-30")]
    kept = kept.reset_index(drop=True)
    columns = ["series_id", "date", "forecast", "lo80", "hi80", "lo95", "hi95"]
    # The archive keeps dates in microseconds, as Arrow hands them back.
    earlier = first.frames["forecasts"].astype({"date": "datetime64[us]"})
    pd.testing.assert_frame_equal(
        kept[[*columns, "model"]].astype({"series_id": "str", "model": "str"}),
        earlier.sort_values(["series_id", "date"], ignore_index=True)[
            [*columns, "model"]
        ],
    )
    assert set(kept["made_at"]) == {pd.Timestamp(first.meta["refreshed_at"])}
    # 55 monthly series 12 months ahead and 55 weekly ones 52 weeks ahead, twice.
    assert (
        "refresh: archive: 220 forecasts (7040 rows) from 4 origins, oldest origin "
        "2017-06-26 in " in sample_refreshes.second.stderr
    )
    assert (
        "forecast archive: carrying on the 3520 rows of snapshot "
        f"{sample_refreshes.first_id}" in sample_refreshes.second.stderr
    )


def local_refresh(
    orders: Path, store: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    result = run_refresh(refresh_env(orders, LOCAL_STORE_DIR=str(store)), *args)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def current_snapshot(store: Path):
    read = SnapshotReader(open_store(Config(local_store_dir=store))).read()
    assert read.snapshot is not None
    return read.snapshot


def test_a_damaged_previous_archive_gives_a_new_one_and_a_warning(
    tiny_orders: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    local_refresh(tiny_orders, store, "--as-of", "2017-03-05")
    first = current_snapshot(store)
    # Bytes that are no stored value, where the archive's piece was.
    local = open_store(Config(local_store_dir=store))
    local.set(frame_key(first.id, ARCHIVE), b"\x00damaged", ttl=3600)

    result = local_refresh(tiny_orders, store)
    second = current_snapshot(store)

    assert (
        f"WARNING pipeline: forecast archive: the previous snapshot cannot be read "
        f"(snapshot '{first.id}' lacks 1 of 1 frames (first 'forecast_archive'); "
        in result.stderr
    )
    archive = second.frames[ARCHIVE]
    # Only this run's forecasts: the first run's week origin (6 March) is gone.
    assert set(archive["made_at"]) == {pd.Timestamp(second.meta["refreshed_at"])}
    assert len(archive) == ROWS


def test_another_data_source_starts_a_new_archive(
    tiny_orders: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    local_refresh(tiny_orders, store, "--as-of", "2017-03-05")
    other = tmp_path / "other.csv"
    other.write_bytes(tiny_orders.read_bytes())

    result = local_refresh(other, store)

    assert (
        "WARNING pipeline: forecast archive: snapshot " in result.stderr
        and "was made from 'orders.csv', this run reads 'other.csv'; forecasts of "
        "other data are not comparable, so starting a new archive"
        in result.stderr
    )
    assert len(current_snapshot(store).frames[ARCHIVE]) == ROWS


def test_a_bad_as_of_date_exits_2(tiny_orders: Path) -> None:
    result = run_refresh(refresh_env(tiny_orders), "--as-of", "2017-02-30")

    assert result.returncode == 2
    assert "'2017-02-30' is not a date; write it as YYYY-MM-DD" in result.stderr


def test_as_of_computes_the_snapshot_as_of_that_day(
    tiny_orders: Path, tmp_path: Path
) -> None:
    config = Config(local_store_dir=tmp_path / "store")

    result = run_refresh(
        refresh_env(tiny_orders, LOCAL_STORE_DIR=str(config.local_store_dir)),
        "--as-of",
        "2017-03-05",
    )
    read = SnapshotReader(open_store(config)).read()

    assert result.returncode == 0, result.stderr[-2000:]
    assert read.snapshot is not None
    meta = read.snapshot.meta
    # 2017-01-02 to 2017-03-05 is 63 days of two lines each.
    assert (meta["as_of"], meta["data_through"], meta["order_lines"]) == (
        "2017-03-05",
        "2017-03-05",
        126,
    )
    assert KpiCube.from_frames(read.snapshot.frames).last_day == dt.date(2017, 3, 5)


def test_as_of_before_the_first_order_exits_3(tiny_orders: Path) -> None:
    result = run_refresh(refresh_env(tiny_orders), "--dry-run", "--as-of", "2016-12-31")

    assert result.returncode == 3
    assert "no orders on or before --as-of '2016-12-31'" in result.stderr
    assert "the data starts on 2017-01-02" in result.stderr


def test_history_too_short_to_forecast_exits_5(tmp_path: Path) -> None:
    # One Wednesday of orders: its week and month are both unfinished, so no series
    # has a complete period to fit.
    orders = write_tiny_orders(tmp_path / "one-day.csv", days=3)
    result = run_refresh(refresh_env(orders), "--dry-run", "--as-of", "2017-01-04")

    assert result.returncode == 5
    assert "refresh failed (exit 5) at compute+forecast after " in result.stderr
    assert "history has no complete period" in result.stderr


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_an_unexpected_error_exits_1_with_its_traceback(
    tiny_orders: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_root_logger: None,
) -> None:
    # A bug no real input can be made to show: the forecast step raising a
    # built-in error stands in for it.
    def broken_build(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero in a model")

    monkeypatch.setattr(refresh_cache, "build_snapshot", broken_build)
    monkeypatch.setenv("DATA_SOURCE", str(tiny_orders))

    code = refresh_cache.main(["--dry-run"])
    err = capsys.readouterr().err

    assert code == 1
    assert "Traceback (most recent call last)" in err
    assert "refresh failed (exit 1) at compute+forecast after " in err
    assert "division by zero in a model" in err


def test_a_terminal_gets_a_progress_bar(tiny_orders: Path) -> None:
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, SCRIPT, "--dry-run"],
        cwd=PROJECT_ROOT,
        env=refresh_env(tiny_orders),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    ) as process:
        os.close(follower)
        output = read_until_closed(leader)
        code = process.wait(timeout=120)

    assert code == 0
    # The bar is redrawn in place: carriage return, erase line, then the bar.
    assert "\r\x1b[K[--------------------] 0/4 load " in output
    assert "\r\x1b[K[####################] 4/4 archive " in output
    assert "refresh done (exit 0): dry run, nothing written" in output
    # It ends by erasing itself, leaving the summary as the last line.
    assert output.endswith("\r\x1b[K")


def read_until_closed(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the pty reports EIO once the child has closed it
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", errors="replace")
