"""The embedded store: one file per key in a folder that every process can share.

Writes go to a temporary file that is renamed over the old one, so a reader in
another process sees the old value or the new one, never a torn file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import struct
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from errors import CacheUnavailable, CacheWriteError

logger = logging.getLogger(__name__)

_MAGIC = b"KDL1"
_HEADER = struct.Struct(">4sd")  # magic, expiry as Unix time
_SUFFIX = ".item"
# Temporary files left by a killed writer are removed once this old.
_STALE_TEMP_SECONDS = 3600.0


class LocalStore:
    """Store each item in ``folder`` as ``<digest of key>.item`` with its expiry."""

    name = "local"
    item_limit = 2**31 - 1

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheUnavailable(
                f"cannot create the local store folder {str(self.folder)!r} ({exc}); "
                "set LOCAL_STORE_DIR to a writable folder"
            ) from exc

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CacheUnavailable(
                f"cannot read {str(path)!r} in the local store ({exc}); "
                "check the permissions of LOCAL_STORE_DIR"
            ) from exc

        return _unwrap(data, time.time())

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        found = {}
        for key in keys:
            value = self.get(key)
            if value is not None:
                found[key] = value
        return found

    def set(self, key: str, value: bytes, *, ttl: int) -> None:
        path = self._path(key)
        temp = path.with_name(f".{path.stem}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        header = _HEADER.pack(_MAGIC, time.time() + ttl)
        try:
            with open(temp, "wb") as file:
                file.write(header)
                file.write(value)
            os.replace(temp, path)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise CacheWriteError(
                f"cannot write {key!r} to the local store {str(self.folder)!r} "
                f"({exc}); free disk space or set LOCAL_STORE_DIR to a writable folder"
            ) from exc

    def set_many(self, items: Mapping[str, bytes], *, ttl: int) -> None:
        for key, value in items.items():
            self.set(key, value, ttl=ttl)

    def delete_many(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._path(key).unlink(missing_ok=True)

    def prune_expired(self) -> int:
        """Delete expired items and stale temporary files; return how many went."""
        now = time.time()
        removed = 0
        for path in self.folder.iterdir():
            if path.suffix == _SUFFIX and _remove_if_expired(path, now):
                removed += 1
            elif path.suffix == ".tmp" and _older_than(path, now, _STALE_TEMP_SECONDS):
                path.unlink(missing_ok=True)
                removed += 1

        if removed:
            logger.debug("pruned %s expired files from %s", removed, self.folder)
        return removed

    def close(self) -> None:
        return None

    def _path(self, key: str) -> Path:
        digest = hashlib.blake2b(key.encode("ascii"), digest_size=16).hexdigest()
        return self.folder / f"{digest}{_SUFFIX}"


def _unwrap(data: bytes, now: float) -> bytes | None:
    return None if _is_expired(data, now) else data[_HEADER.size :]


def _is_expired(head: bytes, now: float) -> bool:
    # A truncated or foreign file counts as expired: it can never be served.
    if len(head) < _HEADER.size:
        return True

    magic, expires_at = _HEADER.unpack_from(head)
    return magic != _MAGIC or expires_at <= now


def _remove_if_expired(path: Path, now: float) -> bool:
    try:
        with open(path, "rb") as file:
            head = file.read(_HEADER.size)
            inode = os.fstat(file.fileno()).st_ino
    except FileNotFoundError:
        return False

    if not _is_expired(head, now):
        return False

    # A writer may have renamed a fresh file over this one since it was read.
    try:
        if os.stat(path).st_ino != inode:
            return False
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _older_than(path: Path, now: float, seconds: float) -> bool:
    try:
        return now - path.stat().st_mtime > seconds
    except FileNotFoundError:
        return False
