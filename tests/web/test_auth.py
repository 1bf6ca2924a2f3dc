"""Login: users from AUTH_USERS, every route closed but /healthz, bad headers refused."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from config import Config
from errors import ConfigError
from web.auth import load_users
from web.factory import create_app

PASSWORD = "correct horse"


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    config = Config(
        app_env="production",
        auth_users=f"ana:{generate_password_hash(PASSWORD)}",
        local_store_dir=tmp_path,
    )
    return create_app(config).server.test_client()


def test_hashed_users_are_read_split_at_the_first_colon() -> None:
    digest = generate_password_hash("s3cret")

    users = load_users(Config(auth_users=f"ana:{digest}, bo:{digest}"))

    assert users == {"ana": digest, "bo": digest}


def test_production_refuses_to_start_without_users() -> None:
    with pytest.raises(ConfigError, match="AUTH_USERS: no users are configured"):
        load_users(Config(app_env="production"))


def test_production_refuses_plain_text_passwords() -> None:
    with pytest.raises(ConfigError, match="the password of 'ana' is not a werkzeug"):
        load_users(Config(auth_users="ana:plain"))


def test_development_offers_the_demo_login() -> None:
    users = load_users(Config(app_env="development"))

    assert list(users) == ["demo"]
    assert users["demo"].startswith("scrypt:")


@pytest.mark.parametrize(
    "path", ["/", "/forecast", "/_dash-layout", "/_dash-dependencies", "/nowhere"]
)
def test_every_route_needs_a_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"{}", b'{"inputs": 3}', b'{"output": "x"}']
)
def test_a_callback_without_login_is_401_whatever_its_body(
    client: FlaskClient, body: bytes
) -> None:
    response = client.post(
        "/_dash-update-component", data=body, content_type="application/json"
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
    ],
)
def test_malformed_credentials_are_refused(client: FlaskClient, header: str) -> None:
    assert client.get("/", headers={"Authorization": header}).status_code == 401


def test_wrong_password_and_unknown_user_are_refused(client: FlaskClient) -> None:
    assert client.get("/", headers=basic("ana", "wrong")).status_code == 401
    assert client.get("/", headers=basic("eve", PASSWORD)).status_code == 401


def test_the_right_password_opens_the_app(client: FlaskClient) -> None:
    response = client.get("/_dash-layout", headers=basic("ana", PASSWORD))

    assert response.status_code == 200
    assert b"filter-dates" in response.data


def test_healthz_is_public_and_says_there_is_no_snapshot(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json is not None
    assert response.json["status"] == "missing"
    assert response.json["snapshot"] is None
    assert response.json["cache"] == "local"


def test_responses_carry_security_headers(client: FlaskClient) -> None:
    response = client.get("/")

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
