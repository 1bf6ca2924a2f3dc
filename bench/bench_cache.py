"""Benchmark of reading a page's frames from the cache against reading the bytes raw.

Builds a multi-MB frame set from the bundled Superstore sample (scaled), writes it
as a snapshot to the local store and to a memcached started on loopback, and
prints median times and ratios. Usage: ``.venv/bin/python bench/bench_cache.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from pymemcache.client.base import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cache.blob import blob_item_keys, read_blobs
from cache.codec import decode_frame, encode_frame
from cache.local import LocalStore
from cache.memcached import open_memcached_store
from cache.reader import SnapshotReader
from cache.snapshot import frame_key, load_snapshot, write_snapshot
from cache.store import Store
from config import SAMPLE_DATA, Config
from tests.servers import MemcachedProcess, free_port

DIMENSIONS = ["Region", "Category", "Segment"]


def build_frames(scale: int) -> dict[str, pd.DataFrame]:
    """Order lines repeated ``scale`` times plus the aggregates a page shows."""
    raw = pd.read_csv(SAMPLE_DATA)
    copies = []
    for copy in range(scale):
        part = raw.copy()
        part["Order ID"] = part["Order ID"] + f"-{copy}"
        copies.append(part)

    lines = pd.concat(copies, ignore_index=True)
    lines["Order Date"] = pd.to_datetime(lines["Order Date"], format="ISO8601")
    lines["Ship Date"] = pd.to_datetime(lines["Ship Date"], format="ISO8601")
    for column in [*DIMENSIONS, "Ship Mode", "Sub-Category", "State"]:
        lines[column] = lines[column].astype("category")

    daily = (
        lines.groupby(["Order Date", *DIMENSIONS], observed=True)
        .agg(
            revenue=("Sales", "sum"),
            profit=("Profit", "sum"),
            orders=("Order ID", "nunique"),
        )
        .reset_index()
    )
    monthly = (
        lines.set_index("Order Date")
        .groupby(DIMENSIONS, observed=True)
        .resample("MS")[["Sales", "Profit"]]
        .sum()
        .reset_index()
    )
    return {"lines": lines, "daily": daily, "monthly": monthly}


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    run()  # warm-up: page cache, connections
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=40, help="copies of the sample")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    frames = build_frames(args.scale)
    encoded = {name: encode_frame(frame) for name, frame in frames.items()}
    total = sum(map(len, encoded.values()))
    rows = sum(len(frame) for frame in frames.values())
    print(f"frames: {len(frames)}, {rows:,} rows, {total / 1e6:.2f} MB encoded")

    with tempfile.TemporaryDirectory() as tmp:
        server = MemcachedProcess(free_port(), ("-m", "512"))
        server.start()
        try:
            results = measure(Path(tmp), server, frames, encoded, args.repeats)
        finally:
            server.kill()
    report(results)


def measure(
    tmp: Path,
    server: MemcachedProcess,
    frames: dict[str, pd.DataFrame],
    encoded: dict[str, bytes],
    repeats: int,
) -> dict[str, float]:
    raw_dir = tmp / "raw"
    raw_dir.mkdir()
    for name, data in encoded.items():
        (raw_dir / f"{name}.arrow").write_bytes(data)

    local = LocalStore(tmp / "store")
    memcached = open_memcached_store(Config(memcache_servers=(server.address,)))
    local_id = write_snapshot(local, frames, {"bench": True}, ttl=3600)
    memcached_id = write_snapshot(memcached, frames, {"bench": True}, ttl=3600)
    # The raw memcached read fetches the very items the store wrote, unchecked.
    chunk_keys = _item_keys(memcached, memcached_id, list(frames))
    raw_client = Client(("127.0.0.1", server.port), connect_timeout=1, timeout=5)

    local_reader = SnapshotReader(local)
    memcached_reader = SnapshotReader(memcached)
    local_reader.read()
    memcached_reader.read()

    timings = {
        "raw file read": lambda: [p.read_bytes() for p in raw_dir.iterdir()],
        "raw memcached get_many": lambda: raw_client.get_many(chunk_keys),
        "decode only (Arrow)": lambda: [decode_frame(d) for d in encoded.values()],
        "local store: load snapshot": lambda: load_snapshot(local, local_id),
        "memcached: load snapshot": lambda: load_snapshot(memcached, memcached_id),
        "local store: bytes only": lambda: read_blobs(local, _frame_keys(local_id)),
        "memcached: bytes only": lambda: read_blobs(
            memcached, _frame_keys(memcached_id)
        ),
        "local reader.read() unchanged": local_reader.read,
        "memcached reader.read() unchanged": memcached_reader.read,
    }
    results = {name: median_seconds(run, repeats) for name, run in timings.items()}
    raw_client.close()
    memcached.close()
    return results


def _frame_keys(snapshot_id: str) -> list[str]:
    return [frame_key(snapshot_id, name) for name in ("lines", "daily", "monthly")]


def _item_keys(store: Store, snapshot_id: str, names: list[str]) -> list[str]:
    return blob_item_keys(store, [frame_key(snapshot_id, name) for name in names])


def report(results: dict[str, float]) -> None:
    raw_file = results["raw file read"]
    raw_get = results["raw memcached get_many"]
    print(f"{'read':<36}{'median ms':>11}{'x raw file':>12}{'x raw get':>11}")
    for name, seconds in results.items():
        print(
            f"{name:<36}{seconds * 1000:>11.3f}"
            f"{seconds / raw_file:>12.2f}{seconds / raw_get:>11.2f}"
        )

    # The store's own cost: checksums, chunk joining, index and pointer reads.
    decode = results["decode only (Arrow)"]
    local = results["local store: load snapshot"] / (raw_file + decode)
    remote = results["memcached: load snapshot"] / (raw_get + decode)
    print(f"local store load / (raw file read + decode): {local:.2f}")
    print(f"memcached load / (raw get_many + decode):    {remote:.2f}")


if __name__ == "__main__":
    main()
