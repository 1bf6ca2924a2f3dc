"""The product as it is deployed: refreshed into memcached, served by gunicorn.

Session fixtures, because a refresh of the sample (KPIs and every forecast) and a
gunicorn start cost seconds; the tests only read from what they set up.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from config import PROJECT_ROOT
from tests.conftest import SampleRefreshes
from tests.servers import MemcachedProcess, free_port

USERNAME, PASSWORD = "analyst", "a long test passphrase"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# A full refresh of the sample forecasts every series; on two shared cores that
# has taken more than five minutes.
REFRESH_TIMEOUT = 1200


@dataclass(frozen=True)
class ServedApp:
    url: str
    env: dict[str, str]
    memcached: MemcachedProcess
    refresh_seconds: float
    snapshot_id: str


def procfile_command(process: str = "web") -> list[str]:
    """The Procfile's command for ``process``, split as a shell would."""
    for line in (PROJECT_ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return shlex.split(command)
    raise LookupError(f"the Procfile has no {process!r} process")


def service_env(**values: str) -> dict[str, str]:
    """The environment of a child process: this one's PATH and Python, plus values."""
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    venv_bin = str(Path(sys.executable).parent)
    keep["PATH"] = venv_bin + os.pathsep + keep.get("PATH", "")
    return {**keep, **values}


def run_refresh(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the refresh script; on a timeout kill it with the workers it forked."""
    command = [sys.executable, "scripts/refresh_cache.py", *args]
    # Its own session, so a timeout can end the forecast pool's workers too.
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=REFRESH_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers, whatever the status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def served_app(sample_refreshes: SampleRefreshes) -> Iterator[ServedApp]:
    """The sample refreshed twice into a real memcached (so its forecast archive holds
    an earlier forecast), served as the Procfile does."""
    server = sample_refreshes.memcached
    port = free_port()
    env = {
        **sample_refreshes.env,
        "AUTH_USERS": f"{USERNAME}:{generate_password_hash(PASSWORD)}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    refresh_seconds = sample_refreshes.seconds[1]

    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / "gunicorn.log").open("w")
    web = subprocess.Popen(
        procfile_command(),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        yield ServedApp(
            f"http://127.0.0.1:{port}",
            env,
            server,
            refresh_seconds,
            sample_refreshes.second_id,
        )
    finally:
        web.terminate()
        web.wait(timeout=15)
        log.close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium, driven by Playwright (which never downloads one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def open_tab(
    browser, width: int, height: int, scale: float = 1.0
) -> tuple[Any, Any, list[str]]:
    """A logged-in tab of ``width`` x ``height`` and the console errors it collects.

    ``scale`` below 1 makes smaller screenshots of the same layout.
    """
    context = browser.new_context(
        http_credentials={"username": USERNAME, "password": PASSWORD},
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
        accept_downloads=True,
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    return context, tab, errors


@pytest.fixture
def page(browser, served_app: ServedApp) -> Iterator[object]:
    """A logged-in laptop-sized tab whose console errors fail the test."""
    context, tab, errors = open_tab(browser, 1280, 900)
    yield tab
    context.close()
    assert errors == []


@pytest.fixture
def phone(browser, served_app: ServedApp) -> Iterator[object]:
    """A logged-in phone-sized tab (390 px wide) whose console errors fail the test."""
    context, tab, errors = open_tab(browser, 390, 844)
    yield tab
    context.close()
    assert errors == []
