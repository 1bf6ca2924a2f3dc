"""The Procfile's web command, started exactly as written, as a web dyno runs it."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from config import PROJECT_ROOT
from tests.deploy.conftest import RefreshedStore
from tests.servers import free_port
from tests.web.conftest import procfile_command, service_env, wait_for_http

pytestmark = pytest.mark.integration

WORKERS = 3


@dataclass(frozen=True)
class WebDyno:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def web_dyno(
    refreshed_store: RefreshedStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebDyno]:
    port = free_port()
    env = service_env(
        APP_ENV="production",
        AUTH_USERS=f"ops:{generate_password_hash('a test passphrase')}",
        LOCAL_STORE_DIR=str(refreshed_store.folder),
        PORT=str(port),
        WEB_CONCURRENCY=str(WORKERS),
    )
    log = tmp_path_factory.mktemp("web") / "web.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            procfile_command("web"),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=120)
        yield WebDyno(f"http://127.0.0.1:{port}", process, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_the_procfile_runs_gunicorn_with_its_config_file() -> None:
    assert procfile_command("web") == [
        "gunicorn", "--config", "gunicorn.conf.py", "app:server",
    ]  # fmt: skip


def test_the_web_command_answers_healthz_on_port(
    web_dyno: WebDyno, refreshed_store: RefreshedStore
) -> None:
    status, body = get(web_dyno.url + "/healthz")
    report = json.loads(body)

    assert status == 200
    assert (report["status"], report["snapshot"]) == (
        "ok",
        refreshed_store.snapshot_id,
    )


def test_pages_need_the_login(web_dyno: WebDyno) -> None:
    status, _ = get(web_dyno.url + "/")

    assert status == 401


def test_web_concurrency_sets_the_number_of_workers(web_dyno: WebDyno) -> None:
    deadline = time.monotonic() + 60
    while len(children_of(web_dyno.process.pid)) < WORKERS:
        assert time.monotonic() < deadline, "the workers did not all start"
        time.sleep(0.5)

    assert len(children_of(web_dyno.process.pid)) == WORKERS


def test_requests_reach_the_log_stream(web_dyno: WebDyno) -> None:
    get(web_dyno.url + "/healthz")
    deadline = time.monotonic() + 10
    line = '"GET /healthz HTTP/1.1" 200'
    while line not in web_dyno.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)

    assert line in web_dyno.log.read_text(), web_dyno.log.read_text()[-2000:]
