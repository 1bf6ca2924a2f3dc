"""HTTP Basic login for every route of the Dash server, users read from config.

dash-auth supplies the login challenge; the check itself is ours, because its own
check reads a callback's body before the credentials (a malformed body is a 500)
and its public routes open the layout endpoints too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping

import flask
from dash import Dash
from dash_auth import BasicAuth
from werkzeug.security import check_password_hash, generate_password_hash

from config import Config
from errors import ConfigError

logger = logging.getLogger(__name__)

DEMO_USER = "demo"
DEMO_PASSWORD = "demo"

# Paths anyone may fetch: the uptime monitor's health check, nothing with data in it.
PUBLIC_PATHS = frozenset({"/healthz"})

# werkzeug hash formats; anything else in AUTH_USERS is a plain-text password.
_HASH_PREFIXES = ("scrypt:", "pbkdf2:")


def load_users(config: Config) -> dict[str, str]:
    """Return ``{username: password hash}`` from ``AUTH_USERS``.

    Plain-text passwords are accepted only in development, where they are hashed
    here; outside development a config without users is refused.
    """
    users: dict[str, str] = {}
    for item in (config.auth_users or "").split(","):
        if not item.strip():
            continue
        username, sep, secret = item.strip().partition(":")
        if not sep or not username or not secret:
            raise ConfigError(
                "AUTH_USERS",
                f"entry {username or item.strip()!r} is not of the form username:hash",
            )
        if not secret.startswith(_HASH_PREFIXES):
            if not config.development:
                raise ConfigError(
                    "AUTH_USERS",
                    f"the password of {username!r} is not a werkzeug hash; make one "
                    'with: python -c "from werkzeug.security import '
                    "generate_password_hash; print(generate_password_hash('...'))\"",
                )
            secret = generate_password_hash(secret)
        users[username] = secret

    if not users:
        if not config.development:
            raise ConfigError(
                "AUTH_USERS",
                "no users are configured; set AUTH_USERS to username:hash pairs "
                "(or APP_ENV=development for the demo login)",
            )
        users[DEMO_USER] = generate_password_hash(DEMO_PASSWORD)
        logger.warning(
            "AUTH_USERS is unset: development login %s / %s", DEMO_USER, DEMO_PASSWORD
        )
    return users


class HashedBasicAuth(BasicAuth):
    """Basic auth against password hashes, checked before anything else is read."""

    def __init__(self, app: Dash, users: Mapping[str, str]) -> None:
        self._hashes = dict(users)
        # Unknown users are checked against this hash so that a miss costs the same.
        self._decoy = decoy_hash(self._hashes.values())
        # Verified credentials, by a keyed digest: scrypt costs tens of milliseconds
        # and every Dash callback carries the header again.
        self._digest_key = secrets.token_bytes(32)
        self._verified: set[bytes] = set()
        super().__init__(app, auth_func=self._check)

    def login_request(self) -> flask.Response:
        """The 401 that makes the browser ask for a login, naming the product."""
        return flask.Response(
            "Login required",
            status=401,
            headers={
                "WWW-Authenticate": 'Basic realm="KPI dashboard", charset="UTF-8"'
            },
        )

    def _protect(self) -> None:
        @self.app.server.before_request
        def require_login() -> flask.Response | None:
            if flask.request.path in PUBLIC_PATHS or self.is_authorized():
                return None
            return self.login_request()

    def is_authorized(self) -> bool:
        header = flask.request.headers.get("Authorization", "")
        credentials = _decode_basic(header)
        if credentials is None:
            return False
        digest = hmac.digest(self._digest_key, header.encode(), hashlib.sha256)
        if digest in self._verified:
            return True
        if not self._check(*credentials):
            return False
        if len(self._verified) > 1024:
            self._verified.clear()
        self._verified.add(digest)
        return True

    def _check(self, username: str, password: str) -> bool:
        stored = self._hashes.get(username, self._decoy)
        matches = check_password_hash(stored, password)
        return matches and username in self._hashes


def decoy_hash(hashes: Iterable[str]) -> str:
    """A hash of a random secret, made with the method most of ``hashes`` use.

    Checking a password against it costs what checking a real user's does, so the
    answer for an unknown user comes as late as for a wrong password.
    """
    methods = Counter(stored.partition("$")[0] for stored in hashes)
    secret = secrets.token_hex(16)
    for method, _count in methods.most_common(1):
        try:
            return generate_password_hash(secret, method=method)
        except (ValueError, TypeError):
            logger.warning("cannot make a decoy hash with method %r", method)
    return generate_password_hash(secret)


def _decode_basic(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep:
        return None
    return username, password
