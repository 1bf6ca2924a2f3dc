"""Real memcached processes for tests, plain and SASL, on free loopback ports.

A pytest plugin (``pytest_plugins = ["tests.servers"]``): the fixtures start and
stop the servers; what the tests do with them is left to each folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

MEMCACHED = shutil.which("memcached") or "/usr/bin/memcached"
SASLPASSWD2 = shutil.which("saslpasswd2") or "/usr/sbin/saslpasswd2"
SASL_USER = "dash-test"
SASL_PASSWORD = "not-the-real-one-7f3a"
_START_TIMEOUT = 5.0


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MemcachedProcess:
    """One memcached on 127.0.0.1 that can be stopped, killed and started again."""

    port: int
    extra_args: Sequence[str] = ()
    sasl_dir: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server (empty, as memcached always starts) and wait for it."""
        args = [MEMCACHED, "-l", "127.0.0.1", "-p", str(self.port), "-U", "0"]
        if os.geteuid() == 0:
            args += ["-u", "root"]
        if self.sasl_dir is not None:
            args.append("-S")

        env = {**os.environ, "SASL_CONF_PATH": str(self.sasl_dir or "")}
        self.process = subprocess.Popen(
            [*args, *self.extra_args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _wait_until_listening(self)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=_START_TIMEOUT)
        self._close_pipes()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=_START_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close_pipes()

    def stats(self) -> dict[str, int]:
        """The server's numeric counters (``curr_items``, ``cmd_get``, ...)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(b"stats\r\n")
            reply = b""
            while not reply.endswith(b"END\r\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk

        counters = {}
        for line in reply.decode("ascii").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "STAT" and parts[2].isdigit():
                counters[parts[1]] = int(parts[2])
        return counters

    def pause(self) -> None:
        """Stop the process (SIGSTOP): its socket stays open but never answers.

        Returns once the kernel reports it stopped: a signal is delivered
        asynchronously, and a request sent before that would still be answered.
        """
        process = self._running()
        process.send_signal(signal.SIGSTOP)
        stat = Path(f"/proc/{process.pid}/stat")
        deadline = time.monotonic() + 5
        # The state follows the parenthesised command name: T once stopped.
        while stat.read_text().rpartition(")")[2].split()[0] != "T":
            if time.monotonic() > deadline:
                raise RuntimeError(f"memcached on {self.address} did not stop")
            time.sleep(0.01)

    def resume(self) -> None:
        self._running().send_signal(signal.SIGCONT)

    def _running(self) -> subprocess.Popen[bytes]:
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"memcached on {self.address} is not running")
        return self.process

    def restart(self) -> None:
        """Kill and start again on the same port; the new server is empty."""
        self.kill()
        self.start()

    def _close_pipes(self) -> None:
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()


def _wait_until_listening(server: MemcachedProcess) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    assert server.process is not None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            err = server.process.stderr.read() if server.process.stderr else b""
            message = err.decode(errors="replace")
            raise RuntimeError(f"memcached exited at start: {message}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", server.port), timeout=0.2),
        ):
            return
        time.sleep(0.02)
    raise RuntimeError(f"memcached did not listen on {server.address} in time")


def write_sasl_database(folder: Path, user: str, password: str) -> Path:
    """Create ``memcached.conf`` and a sasldb with ``user`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "sasldb2"
    (folder / "memcached.conf").write_text(
        f"mech_list: plain\nsasldb_path: {database}\n", encoding="ascii"
    )
    subprocess.run(
        [SASLPASSWD2, "-a", "memcached", "-c", "-p", "-f", str(database), user],
        input=password.encode(),
        check=True,
        capture_output=True,
    )
    return folder


MemcachedFactory = Callable[..., MemcachedProcess]


@pytest.fixture
def memcached_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[MemcachedFactory]:
    """Start memcached servers on demand: ``factory(*extra_args, sasl=False)``.

    With ``sasl=True`` the server requires the login ``SASL_USER`` /
    ``SASL_PASSWORD``. Every server started is killed when the test ends.
    """
    started: list[MemcachedProcess] = []

    def start(*extra_args: str, sasl: bool = False) -> MemcachedProcess:
        sasl_dir = None
        if sasl:
            folder = tmp_path_factory.mktemp("sasl")
            sasl_dir = write_sasl_database(folder, SASL_USER, SASL_PASSWORD)
        server = _start_on_free_port(extra_args, sasl_dir)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


def _start_on_free_port(
    extra_args: Sequence[str], sasl_dir: Path | None
) -> MemcachedProcess:
    # Another process may grab the port between the probe and the start: retry.
    last_error: RuntimeError | None = None
    for _attempt in range(3):
        server = MemcachedProcess(free_port(), extra_args, sasl_dir)
        try:
            server.start()
        except RuntimeError as exc:
            server.kill()
            last_error = exc
            continue
        return server
    raise RuntimeError("could not start memcached on a free port") from last_error


@pytest.fixture
def memcached(memcached_factory: MemcachedFactory) -> MemcachedProcess:
    """A plain memcached (1 MB items, 64 MB memory) on a free loopback port."""
    return memcached_factory()


@pytest.fixture
def sasl_memcached(memcached_factory: MemcachedFactory) -> MemcachedProcess:
    """A memcached that requires the SASL login ``SASL_USER`` / ``SASL_PASSWORD``."""
    return memcached_factory(sasl=True)
