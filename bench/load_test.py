"""Load and faults: 50 users on the Overview's callbacks while memcached and the
snapshot change under them; reports throughput, latency percentiles and errors.

Aims only at the app it starts on 127.0.0.1 (memcached, gunicorn as the Procfile
says) and stops after ``--seconds``. Usage: ``.venv/bin/python bench/load_test.py``.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime as dt
import http.client
import json
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.security import generate_password_hash

from cache import load_snapshot, open_store, write_snapshot
from cache.snapshot import read_pointer
from config import PROJECT_ROOT, Config
from tests.servers import MemcachedProcess, free_port
from tests.web.conftest import procfile_command, service_env, wait_for_http

OUT = PROJECT_ROOT / "bench" / "out" / "load"
USER, PASSWORD = "loadtest", "a load test passphrase"
SECOND_AS_OF = dt.date(2017, 6, 30)
VIEWS = [
    "",
    "?grain=week",
    "?start=2017-01-01&end=2017-12-31&grain=month",
    "?region=West&grain=month",
    "?category=Technology,Furniture&grain=day&start=2017-06-01&end=2017-06-30",
]
FILTER_OUTPUT = (
    "..url.search...filter-dates.start_date...filter-dates.end_date"
    "...filter-dates.min_date_allowed...filter-dates.max_date_allowed"
    "...filter-grain.value...filter-preset.options...filter-preset.value"
    "...filter-region.options...filter-category.options...filter-segment.options"
    "...filter-region.value...filter-category.value...filter-segment.value.."
)
THROUGH_IN_PAGE = re.compile(rb"Data through (\d{4}-\d{2}-\d{2})")
DEGRADED = b"Cache unavailable"
THROUGH_IN_FILTERS = re.compile(rb'"max_date_allowed":\s*"(\d{4}-\d{2}-\d{2})')


@dataclasses.dataclass(frozen=True)
class Result:
    """One request: when it started, what it was, how it went."""

    started: float
    kind: str
    status: int
    seconds: float
    snapshot: str
    through: str | None
    degraded: bool = False  # the page said the cache was unavailable
    error: str = ""


def routing_body(search: str) -> bytes:
    return json.dumps(
        {
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": "/"},
                {"id": "_pages_location", "property": "search", "value": search},
            ],
            "changedPropIds": ["_pages_location.pathname"],
            "state": [],
        }
    ).encode()


def filter_body(search: str) -> bytes:
    """The filter bar's callback as the browser sends it when the URL loads."""
    ids = FILTER_OUTPUT.strip(".").split("...")
    outputs = [dict(zip(("id", "property"), i.split("."), strict=True)) for i in ids]
    inputs = [
        {"id": "url", "property": "search", "value": search},
        {"id": "filter-preset", "property": "value", "value": None},
        {"id": "filter-dates", "property": "start_date", "value": None},
        {"id": "filter-dates", "property": "end_date", "value": None},
        {"id": "filter-grain", "property": "value", "value": "month"},
        *(
            {"id": f"filter-{name}", "property": "value", "value": None}
            for name in ("region", "category", "segment")
        ),
    ]
    return json.dumps(
        {
            "output": FILTER_OUTPUT,
            "outputs": outputs,
            "inputs": inputs,
            "changedPropIds": ["url.search"],
            "state": [],
        }
    ).encode()


def prepare_snapshot(name: str, as_of: dt.date | None, fresh: bool) -> Path:
    """A local store holding a real refresh's snapshot, made once and kept."""
    folder = OUT / name
    store = open_store(Config(local_store_dir=folder))
    if not fresh and read_pointer(store) is not None:
        return folder
    args = ["--as-of", as_of.isoformat()] if as_of else []
    print(f"preparing snapshot {name!r} with the refresh (takes minutes) ...")
    env = service_env(APP_ENV="development", LOCAL_STORE_DIR=str(folder))
    subprocess.run(
        [sys.executable, "scripts/refresh_cache.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=3600,
    )
    return folder


def publisher(memcached: str) -> Callable[[Path], tuple[str, str]]:
    """Copy a prepared snapshot into memcached exactly as the refresh publishes."""

    def publish(folder: Path) -> tuple[str, str]:
        local = open_store(Config(local_store_dir=folder))
        pointer = read_pointer(local)
        assert pointer is not None, f"no snapshot in {folder}"
        snapshot = load_snapshot(local, pointer.id)
        target = open_store(Config(memcache_servers=(memcached,)))
        new_id = write_snapshot(
            target, snapshot.frames, snapshot.meta, ttl=Config().cache_ttl
        )
        return new_id, str(snapshot.meta["data_through"])

    return publish


def user_loop(port: int, deadline: float, results: list[Result], seed: int) -> None:
    """One user: the Overview's two callbacks, one after the other, until the end."""
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    turn = seed
    while time.monotonic() < deadline:
        search = VIEWS[turn % len(VIEWS)]
        kind = "routing" if turn % 2 == 0 else "filters"
        body = routing_body(search) if kind == "routing" else filter_body(search)
        pattern = THROUGH_IN_PAGE if kind == "routing" else THROUGH_IN_FILTERS
        turn += 1
        started = time.monotonic()
        try:
            connection.request("POST", "/_dash-update-component", body, headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            results.append(
                Result(
                    started,
                    kind,
                    0,
                    time.monotonic() - started,
                    "",
                    None,
                    error=repr(exc),
                )
            )
            continue
        found = pattern.search(payload)
        results.append(
            Result(
                started,
                kind,
                response.status,
                time.monotonic() - started,
                response.getheader("X-Snapshot", ""),
                found.group(1).decode() if found else None,
                DEGRADED in payload,
            )
        )
    connection.close()


def run_faults(
    memcached: MemcachedProcess,
    publish: Callable[[Path], tuple[str, str]],
    snapshots: dict[str, str],
    second: Path,
    first: Path,
    started: float,
    events: list[tuple[float, str]],
) -> None:
    """The schedule of faults, as offsets from the start of the load."""

    def at(offset: float, what: str, action: Callable[[], object]) -> None:
        time.sleep(max(0.0, started + offset - time.monotonic()))
        action()
        events.append((time.monotonic() - started, what))

    def flip(folder: Path) -> None:
        new_id, through = publish(folder)
        snapshots[new_id] = through

    # The store's breaker skips a failed server for 30 s, so the restart comes
    # early enough for the workers to find the republished snapshot in the run.
    at(8, "refresh published the as-of snapshot (flip)", lambda: flip(second))
    at(14, "memcached stopped", memcached.stop)
    at(20, "memcached started again (empty)", memcached.start)
    at(22, "refresh published the full snapshot (flip)", lambda: flip(first))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def check(results: list[Result], snapshots: dict[str, str]) -> dict[str, int]:
    """Count the failures the run must not have."""
    counts = {"5xx": 0, "other errors": 0, "mixed": 0, "unlabelled": 0}
    for result in results:
        if result.status >= 500:
            counts["5xx"] += 1
        elif result.status != 200:
            counts["other errors"] += 1
        elif "," in result.snapshot:
            counts["mixed"] += 1  # two snapshots read in one request
        elif result.snapshot == "none":
            if result.through is not None:
                counts["mixed"] += 1  # dated content without a snapshot
        elif snapshots.get(result.snapshot) != result.through:
            counts["unlabelled" if not result.snapshot else "mixed"] += 1
    return counts


def report(
    results: list[Result],
    snapshots: dict[str, str],
    events: list[tuple[float, str]],
    started: float,
    seconds: float,
) -> dict[str, int]:
    latencies = [r.seconds * 1000 for r in results if r.status]
    print(
        f"\n{len(results)} requests in {seconds:.1f} s: {len(results) / seconds:.1f}/s"
    )
    for kind in ("routing", "filters", "all"):
        chosen = [
            r.seconds * 1000
            for r in results
            if r.status and (kind == "all" or r.kind == kind)
        ]
        if chosen:
            print(
                f"  {kind:8} n={len(chosen):6}  p50 {percentile(chosen, 0.50):7.0f} ms"
                f"  p95 {percentile(chosen, 0.95):7.0f} ms"
                f"  p99 {percentile(chosen, 0.99):7.0f} ms"
                f"  max {max(chosen):7.0f} ms"
            )
    statuses = Counter(r.status for r in results)
    print(f"  statuses: {dict(sorted(statuses.items()))}")
    print(f"  mean latency {statistics.fmean(latencies):.0f} ms")
    for offset, what in events:
        print(f"  t={offset:5.1f} s  {what}")
    print_timeline(results, snapshots, started)
    counts = check(results, snapshots)
    print(f"  failures: {counts}")
    return counts


def print_timeline(
    results: list[Result], snapshots: dict[str, str], started: float
) -> None:
    """Per five seconds: requests, statuses and the snapshots that answered."""
    buckets: dict[int, list[Result]] = {}
    for r in results:
        buckets.setdefault(int((r.started - started) // 5), []).append(r)
    print("  timeline (snapshot id: data through):")
    for bucket, chosen in sorted(buckets.items()):
        statuses = dict(Counter(r.status for r in chosen))
        degraded = sum(r.degraded for r in chosen)
        served = Counter(
            f"{r.snapshot[-6:] or '-'}:{snapshots.get(r.snapshot) or '-'}"
            for r in chosen
        )
        print(
            f"    {bucket * 5:3d}-{bucket * 5 + 5:<3d}s {statuses} {dict(served)}"
            f" cache-unavailable pages: {degraded}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY")
    parser.add_argument(
        "--fresh", action="store_true", help="redo the two prepared refreshes"
    )
    parser.add_argument(
        "--second",
        type=Path,
        help="a local store holding the snapshot to flip to (default: a refresh "
        f"--as-of {SECOND_AS_OF} made here and kept)",
    )
    args = parser.parse_args(argv)
    if args.seconds < 50:
        parser.error("--seconds must be at least 50: the faults and recovery need it")

    first = prepare_snapshot("full", None, args.fresh)
    second = args.second or prepare_snapshot(
        f"as-of-{SECOND_AS_OF}", SECOND_AS_OF, args.fresh
    )
    memcached = MemcachedProcess(free_port())
    memcached.start()
    publish = publisher(memcached.address)
    snapshots: dict[str, str] = {"none": ""}
    first_id, through = publish(first)
    snapshots[first_id] = through

    port = free_port()
    env = service_env(
        APP_ENV="production",
        MEMCACHE_SERVERS=memcached.address,
        AUTH_USERS=f"{USER}:{generate_password_hash(PASSWORD)}",
        PORT=str(port),
        WEB_CONCURRENCY=str(args.workers),
        LOG_LEVEL="WARNING",
    )
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "gunicorn.log").open("w")
    web = subprocess.Popen(
        [
            *procfile_command(),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        return run_load(args, port, memcached, publish, snapshots, first, second)
    finally:
        web.terminate()
        web.wait(timeout=20)
        log.close()
        memcached.kill()


def run_load(
    args: argparse.Namespace,
    port: int,
    memcached: MemcachedProcess,
    publish: Callable[[Path], tuple[str, str]],
    snapshots: dict[str, str],
    first: Path,
    second: Path,
) -> int:
    # Warm each worker's snapshot and cube before the clock starts.
    warm: list[Result] = []
    user_loop(port, time.monotonic() + 5, warm, 0)

    results: list[Result] = []
    events: list[tuple[float, str]] = []
    started = time.monotonic()
    deadline = started + args.seconds
    users = [
        threading.Thread(target=user_loop, args=(port, deadline, results, seed))
        for seed in range(args.users)
    ]
    faults = threading.Thread(
        target=run_faults,
        args=(memcached, publish, snapshots, second, first, started, events),
    )
    for thread in [*users, faults]:
        thread.start()
    for thread in [*users, faults]:
        thread.join()
    elapsed = time.monotonic() - started

    print(
        f"load: {args.users} users for {args.seconds:.0f} s on the Overview's routing "
        f"and filter callbacks; {args.workers} gunicorn workers, memcached store"
    )
    counts = report(results, snapshots, events, started, elapsed)
    return 1 if counts["5xx"] or counts["mixed"] or counts["unlabelled"] else 0


if __name__ == "__main__":
    sys.exit(main())
