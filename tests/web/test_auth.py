"""Login: users from AUTH_USERS, every route closed but /healthz, bad headers refused.

No static file is public: the browser's own Basic prompt needs none of them, so the
assets, Dash's scripts and its favicon are behind the login like everything else.
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dash
import pytest
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

import web.auth
from config import PROJECT_ROOT, Config
from errors import ConfigError
from tests.dash_requests import routing_body
from web.auth import decoy_hash, load_users
from web.data import EXTENSION_KEY
from web.factory import create_app

PASSWORD = "correct horse"
SECRET_IN_CONFIG = "memcached-secret-7c1e.internal:11211"
# A cheap hash for the tests that only count calls; the timing test uses scrypt.
FAST_METHOD = "pbkdf2:sha256:1000"

STATIC_PATHS = [
    "/assets/dashboard.css",
    "/assets/bootstrap.min.css",
    "/_dash-component-suites/dash/dcc/dash_core_components.js",
    "/_favicon.ico",
    "/_reload-hash",
]
DASH_PATHS = ["/_dash-layout", "/_dash-dependencies", "/nowhere", "/healthz/"]
ROUTING_CALLBACK = routing_body()


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


LOGIN = basic("ana", PASSWORD)


def app_client(store: Path, method: str = FAST_METHOD) -> FlaskClient:
    config = Config(
        app_env="production",
        auth_users=f"ana:{generate_password_hash(PASSWORD, method=method)}",
        local_store_dir=store,
        memcache_servers=(),
    )
    return create_app(config).server.test_client()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    return app_client(tmp_path_factory.mktemp("store"))


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The stored hash of every password check the login makes, in order."""
    checks: list[str] = []
    real = web.auth.check_password_hash

    def counting(stored: str, password: str) -> bool:
        checks.append(stored)
        return real(stored, password)

    monkeypatch.setattr(web.auth, "check_password_hash", counting)
    yield checks


def test_hashed_users_are_read_split_at_the_first_colon() -> None:
    digest = generate_password_hash("s3cret")

    users = load_users(Config(auth_users=f"ana:{digest}, bo:{digest}"))

    assert users == {"ana": digest, "bo": digest}


def test_production_refuses_to_start_without_users() -> None:
    with pytest.raises(ConfigError, match="AUTH_USERS: no users are configured"):
        load_users(Config(app_env="production"))


def test_the_app_factory_refuses_production_without_users(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="set AUTH_USERS"):
        create_app(Config(app_env="production", local_store_dir=tmp_path))


@pytest.mark.slow
def test_the_served_module_exits_naming_auth_users_when_none_are_set(
    tmp_path: Path,
) -> None:
    env = {"PATH": os.environ["PATH"], "LOCAL_STORE_DIR": str(tmp_path)}

    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "AUTH_USERS: no users are configured" in result.stderr


def test_production_refuses_plain_text_passwords() -> None:
    with pytest.raises(ConfigError, match="the password of 'ana' is not a werkzeug"):
        load_users(Config(auth_users="ana:plain"))


def test_development_offers_the_demo_login() -> None:
    users = load_users(Config(app_env="development"))

    assert list(users) == ["demo"]
    assert users["demo"].startswith("scrypt:")


@pytest.mark.parametrize("path", ["/", "/forecast", *DASH_PATHS, *STATIC_PATHS])
def test_every_route_needs_a_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith(
        'Basic realm="KPI dashboard"'
    )


def test_every_registered_page_needs_a_login(client: FlaskClient) -> None:
    paths = [page["relative_path"] for page in dash.page_registry.values()]

    statuses = {path: client.get(path).status_code for path in paths}

    assert {"/", "/forecast"} <= set(statuses)
    assert set(statuses.values()) == {401}


@pytest.mark.parametrize("path", ["/", *STATIC_PATHS])
def test_the_closed_routes_exist_behind_the_login(
    client: FlaskClient, path: str
) -> None:
    # The 401s above would prove nothing if these paths were simply missing.
    with client.get(path, headers=LOGIN) as response:
        assert response.status_code == 200


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"])
def test_other_methods_need_a_login_too(client: FlaskClient, method: str) -> None:
    assert client.open("/_dash-layout", method=method).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"{}",
        b"[]",
        b"3",
        b'{"inputs": 3}',
        b'{"output": "x"}',
        b"\xff\xfe\x00garbage",
        json.dumps(ROUTING_CALLBACK).encode(),
        b"{" * 10_000,
    ],
)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
def test_a_callback_without_login_is_401_whatever_its_body(
    client: FlaskClient, body: bytes, content_type: str | None
) -> None:
    response = client.post(
        "/_dash-update-component", data=body, content_type=content_type
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer abc",
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
        "Basic " + base64.b64encode(b":").decode(),
        "Basic " + "A" * 20_000,
    ],
)
def test_malformed_credentials_are_refused(client: FlaskClient, header: str) -> None:
    assert client.get("/", headers={"Authorization": header}).status_code == 401


def test_wrong_password_and_unknown_user_are_refused(client: FlaskClient) -> None:
    assert client.get("/", headers=basic("ana", "wrong")).status_code == 401
    assert client.get("/", headers=basic("eve", PASSWORD)).status_code == 401
    assert client.get("/", headers=basic("ANA", PASSWORD)).status_code == 401


def test_the_right_password_opens_the_app(client: FlaskClient) -> None:
    response = client.get("/_dash-layout", headers=LOGIN)

    assert response.status_code == 200
    assert b"filter-dates" in response.data


def test_unknown_users_take_the_same_path_as_wrong_passwords(
    client: FlaskClient, hash_checks: list[str]
) -> None:
    client.get("/", headers=basic("ana", "wrong"))
    client.get("/", headers=basic("nobody", "wrong"))

    assert len(hash_checks) == 2
    known, unknown = hash_checks
    assert known != unknown
    # Same method and cost parameters: the decoy check costs what a real one does.
    assert unknown.partition("$")[0] == known.partition("$")[0] == FAST_METHOD


def test_the_decoy_follows_the_method_most_users_have() -> None:
    hashes = [
        generate_password_hash("a", method="pbkdf2:sha256:2000"),
        generate_password_hash("b", method="pbkdf2:sha256:2000"),
        generate_password_hash("c", method="scrypt:16384:8:1"),
    ]

    assert decoy_hash(hashes).startswith("pbkdf2:sha256:2000$")
    assert decoy_hash([]).startswith("scrypt:")


def test_a_verified_login_is_not_hashed_again_but_a_wrong_one_is(
    tmp_path: Path, hash_checks: list[str]
) -> None:
    client = app_client(tmp_path)  # its own app: nothing verified yet
    for _ in range(3):
        client.get("/_dash-layout", headers=LOGIN)
    for _ in range(3):
        client.get("/_dash-layout", headers=basic("ana", "wrong"))

    assert len(hash_checks) == 1 + 3


@pytest.mark.slow
def test_a_check_for_an_unknown_user_takes_as_long_as_for_a_known_one(
    tmp_path: Path,
) -> None:
    scrypt_client = app_client(tmp_path, method="scrypt")

    def seconds(headers: dict[str, str]) -> float:
        started = time.perf_counter()
        assert scrypt_client.get("/", headers=headers).status_code == 401
        return time.perf_counter() - started

    known: list[float] = []
    unknown: list[float] = []
    for attempt in range(7):  # interleaved, so machine load hits both alike
        known.append(seconds(basic("ana", f"wrong {attempt}")))
        unknown.append(seconds(basic(f"nobody{attempt}", "wrong")))

    # Generous: an unknown user answered without hashing would be 10-100x faster.
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2.0, (known, unknown)


def test_healthz_is_public_and_says_there_is_no_snapshot(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json is not None
    assert response.json["status"] == "missing"
    assert response.json["snapshot"] is None
    assert response.json["cache"] == "local"


RESPONSES: dict[str, Callable[[FlaskClient], TestResponse]] = {
    "401": lambda c: c.get("/"),
    "page": lambda c: c.get("/", headers=LOGIN),
    "layout": lambda c: c.get("/_dash-layout", headers=LOGIN),
    "asset": lambda c: c.get("/assets/dashboard.css", headers=LOGIN),
    "healthz": lambda c: c.get("/healthz"),
    "bad callback": lambda c: c.post(
        "/_dash-update-component", data="[]", headers=LOGIN
    ),
    "callback": lambda c: c.post(
        "/_dash-update-component", json=ROUTING_CALLBACK, headers=LOGIN
    ),
}


@pytest.mark.parametrize("kind", sorted(RESPONSES))
def test_responses_carry_security_headers(client: FlaskClient, kind: str) -> None:
    with RESPONSES[kind](client) as response:
        headers = response.headers

    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


class ExplodingAccess:
    """Data access that fails the way a bug would, quoting a config value."""

    def current(self) -> None:
        raise RuntimeError(f"cannot reach {SECRET_IN_CONFIG} with the hash {PASSWORD}")


def test_a_failing_callback_answers_500_without_trace_or_config(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config(
        app_env="production",
        auth_users=f"ana:{generate_password_hash(PASSWORD, method=FAST_METHOD)}",
        local_store_dir=tmp_path,
    )
    app = create_app(config)
    app.server.extensions[EXTENSION_KEY] = ExplodingAccess()
    client = app.server.test_client()

    response = client.post(
        "/_dash-update-component", json=ROUTING_CALLBACK, headers=LOGIN
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 500
    for leak in ("Traceback", "RuntimeError", SECRET_IN_CONFIG, PASSWORD, ".py"):
        assert leak not in body
    assert str(tmp_path) not in body and str(PROJECT_ROOT) not in body
    assert response.headers["X-Frame-Options"] == "DENY"
    # The operator still gets the whole story in the log.
    assert any(SECRET_IN_CONFIG in r.getMessage() or r.exc_info for r in caplog.records)
