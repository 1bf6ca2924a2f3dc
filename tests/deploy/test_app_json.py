"""``app.json`` against Heroku's format (our schema of it) and against ``config.py``."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shlex
from typing import Any

import jsonschema
import pytest

from config import PROJECT_ROOT, Config

APP_JSON = PROJECT_ROOT / "app.json"
SCHEMA = PROJECT_ROOT / "deploy" / "app-json.schema.json"

CONFIG_VARS = {field.name.upper() for field in dataclasses.fields(Config)}
# Set by the platform (PORT, and WEB_CONCURRENCY by dyno size) or by the MemCachier
# add-on; MEMCACHE_SERVERS and LOCAL_STORE_DIR are the local stores' settings.
NOT_FOR_DEPLOY = {
    "PORT",
    "WEB_CONCURRENCY",
    "MEMCACHIER_SERVERS",
    "MEMCACHIER_USERNAME",
    "MEMCACHIER_PASSWORD",
    "MEMCACHE_SERVERS",
    "LOCAL_STORE_DIR",
}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$")


def load(path: Any) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = load(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def app() -> dict[str, Any]:
    return load(APP_JSON)


def errors_of(validator: jsonschema.Draft202012Validator, doc: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(doc)
    ]


def test_app_json_matches_the_app_json_schema(
    validator: jsonschema.Draft202012Validator, app: dict[str, Any]
) -> None:
    assert errors_of(validator, app) == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda a: a.update(enviroments={}), ""),  # a misspelt key
        (lambda a: a["addons"].append({"as": "CACHE"}), "addons/2"),  # no plan
        (lambda a: a["env"]["APP_ENV"].update(value=1), "env/APP_ENV"),
        (lambda a: a["env"]["AUTH_USERS"].update(generator="uuid"), "env/AUTH_USERS"),
        (lambda a: a["env"].update({"BAD-NAME": "x"}), "env"),
        (
            lambda a: a["formation"]["web"].update(quantity="one"),
            "formation/web/quantity",
        ),
        (lambda a: a["environments"].update(staging={}), "environments"),
        (lambda a: a["scripts"].update(test="pytest"), "scripts"),
        (lambda a: a.update(name="a name longer than thirty characters"), "name"),
    ],
)
def test_the_schema_refuses_what_heroku_does_not_document(
    validator: jsonschema.Draft202012Validator,
    app: dict[str, Any],
    change: Any,
    path: str,
) -> None:
    broken = copy.deepcopy(app)
    change(broken)

    errors = errors_of(validator, broken)

    assert errors, "the schema accepted a broken app.json"
    assert any(error.startswith(f"{path}:") for error in errors), errors


def test_every_env_var_is_a_config_var_and_every_deploy_var_is_declared(
    app: dict[str, Any],
) -> None:
    declared = set(app["env"])

    assert declared - CONFIG_VARS == set()
    assert (CONFIG_VARS - NOT_FOR_DEPLOY) - declared == set()
    assert declared & NOT_FOR_DEPLOY == set()


def test_the_config_docstring_lists_every_config_var() -> None:
    # Each entry of the docstring's list starts a line with its variable names.
    entries = re.findall(r"^ +(``[A-Z].*)$", Config.__doc__ or "", re.MULTILINE)
    documented = {name for line in entries for name in re.findall(r"``(\w+)``", line)}

    assert documented == CONFIG_VARS


def test_every_env_var_is_described_and_users_are_required_without_a_value(
    app: dict[str, Any],
) -> None:
    env = app["env"]
    users = env["AUTH_USERS"]

    assert [name for name, var in env.items() if not var.get("description")] == []
    # A value in app.json would put a login into the repository; a generated
    # secret is not a werkzeug hash, so the app would refuse it.
    assert users["required"] is True
    assert "value" not in users and "generator" not in users
    secrets = [name for name in env if SECRET_NAME.search(name)]
    assert [n for n in secrets if env[n].get("generator") != "secret"] == []


def test_app_json_values_are_the_config_defaults(app: dict[str, Any]) -> None:
    values = {name: var["value"] for name, var in app["env"].items() if "value" in var}
    configured = Config.from_env(values)

    assert len(values) >= 10
    for name in values:
        field = name.lower()
        assert getattr(configured, field) == getattr(Config(), field), name


def test_optional_vars_are_marked_so_setup_does_not_ask_for_them(
    app: dict[str, Any],
) -> None:
    required = sorted(n for n, var in app["env"].items() if var.get("required", True))

    # Heroku treats an env entry as required unless it says otherwise.
    assert required == ["APP_ENV", "AUTH_USERS"]
    assert app["env"]["APP_ENV"]["value"] == "production"


def test_add_ons_buildpack_and_postdeploy_fill_the_cache(app: dict[str, Any]) -> None:
    plans = [addon["plan"] for addon in app["addons"]]
    postdeploy = shlex.split(app["scripts"]["postdeploy"])

    assert [plan.split(":")[0] for plan in plans] == ["memcachier", "scheduler"]
    assert app["buildpacks"] == [{"url": "heroku/python"}]
    assert postdeploy == ["python", "scripts/refresh_cache.py"]
    assert (PROJECT_ROOT / postdeploy[1]).is_file()


def test_heroku_ci_installs_the_test_tools_and_runs_pytest(
    app: dict[str, Any],
) -> None:
    test = app["environments"]["test"]
    command = shlex.split(test["scripts"]["test"])

    assert test["scripts"]["test-setup"] == "pip install -r requirements-dev.txt"
    assert command[:3] == ["python", "-m", "pytest"]
    assert command[3:] == ["-m", "not integration and not browser"]
    # CI provisions no MemCachier: the tests start their own servers.
    assert test["addons"] == []
    assert Config.from_env(test["env"]).app_env == "test"
