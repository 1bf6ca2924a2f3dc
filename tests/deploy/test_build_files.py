"""What Heroku's Python buildpack reads: runtime.txt, requirements, no second lock."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys

import pytest

from config import PROJECT_ROOT

# The other package managers' files: beside requirements.txt the buildpack refuses
# the app, since it cannot tell which one to install from.
OTHER_PACKAGE_MANAGERS = ("Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock")
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[0-9][\w.+!-]*)$")


def requirement_lines(name: str) -> list[str]:
    text = (PROJECT_ROOT / name).read_text(encoding="utf-8")
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    return [line for line in lines if line and line != "-r requirements.txt"]


def tracked_files() -> list[str]:
    """The committed files; in a Heroku build (no .git) the files on disk are."""
    if not (PROJECT_ROOT / ".git").exists():
        return [str(p.relative_to(PROJECT_ROOT)) for p in PROJECT_ROOT.rglob("*")]
    result = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return result.stdout.splitlines()


def test_runtime_txt_names_the_python_that_runs_the_tests() -> None:
    runtime = (PROJECT_ROOT / "runtime.txt").read_text(encoding="ascii").strip()

    found = re.fullmatch(r"python-(\d+)\.(\d+)\.(\d+)", runtime)

    assert found, f"runtime.txt holds {runtime!r}, not python-3.11.N"
    assert (int(found[1]), int(found[2])) == sys.version_info[:2] == (3, 11)
    # The buildpack would prefer a .python-version file over runtime.txt.
    assert ".python-version" not in tracked_files()


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_every_requirement_is_pinned_exactly_once(name: str) -> None:
    lines = requirement_lines(name)
    pins = [pin for pin in map(PIN.match, lines) if pin]
    names = [pin["name"].lower() for pin in pins]

    assert [line for line in lines if not PIN.match(line)] == []
    assert len(names) == len(set(names)) == len(lines)


def test_the_pins_are_what_the_tests_run_on() -> None:
    pins = [PIN.match(line) for line in requirement_lines("requirements.txt")]

    installed = {
        pin["name"]: importlib.metadata.version(pin["name"]) for pin in pins if pin
    }

    assert installed == {pin["name"]: pin["version"] for pin in pins if pin}


def test_no_second_package_manager_file_or_virtualenv_is_committed() -> None:
    tracked = tracked_files()

    assert "requirements.txt" in tracked
    assert [path for path in tracked if path in OTHER_PACKAGE_MANAGERS] == []
    assert [p for p in tracked if p.startswith((".venv/", "venv/", "env/"))] == []
