"""The local store: atomic files shared between processes, with expiry."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from cache.local import LocalStore


def test_set_then_get_returns_the_bytes(local_store: LocalStore) -> None:
    local_store.set_many({"a": b"one", "b": b""}, ttl=60)

    assert local_store.get("a") == b"one"
    assert local_store.get_many(["a", "b", "c"]) == {"a": b"one", "b": b""}


def test_expired_items_read_as_misses_and_are_pruned(local_store: LocalStore) -> None:
    local_store.set("short", b"x", ttl=1)
    local_store.set("long", b"y", ttl=60)
    assert local_store.get("short") == b"x"

    time.sleep(1.05)

    assert local_store.get("short") is None
    assert local_store.get("long") == b"y"
    assert local_store.prune_expired() == 1
    assert len(list(local_store.folder.glob("*.item"))) == 1


def test_another_process_sees_the_same_items(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    code = (
        "import sys; from cache.local import LocalStore; "
        "LocalStore(sys.argv[1]).set('from-child', b'hello', ttl=60)"
    )
    subprocess.run([sys.executable, "-c", code, str(folder)], check=True, cwd=_root())

    assert LocalStore(folder).get("from-child") == b"hello"


def test_delete_many_ignores_missing_keys(local_store: LocalStore) -> None:
    local_store.set("a", b"1", ttl=60)

    local_store.delete_many(["a", "never-written"])

    assert local_store.get("a") is None


def test_a_torn_file_reads_as_a_miss(local_store: LocalStore) -> None:
    local_store.set("a", b"payload", ttl=60)
    (path,) = local_store.folder.glob("*.item")
    path.write_bytes(b"KD")

    assert local_store.get("a") is None


def _root() -> Path:
    return Path(__file__).resolve().parents[2]
