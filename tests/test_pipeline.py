"""Which earlier forecast archive a refresh carries on, read from real stores."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from cache.local import LocalStore
from cache.memcached import open_memcached_store
from cache.snapshot import POINTER_KEY, frame_key, write_snapshot
from config import Config
from errors import CacheUnavailable
from forecast.archive import tag_forecasts
from pipeline import ARCHIVE, SnapshotFrames, archive_forecasts, previous_archive
from tests.servers import MemcachedProcess

SOURCE = "superstore.csv.gz"
META = {
    "source": SOURCE,
    "data_through": "2017-06-30",
    "refreshed_at": "2026-12-03T05:00:00+00:00",
}


def forecasts(start: str, level: float) -> pd.DataFrame:
    dates = pd.date_range(start, periods=3, freq="MS")
    return pd.DataFrame(
        {
            "series_id": pd.array(["revenue/month/all"] * 3, dtype="str"),
            "date": dates,
            "forecast": level,
            "lo80": level - 10,
            "hi80": level + 10,
            "lo95": level - 20,
            "hi95": level + 20,
            "model": pd.array(["naive"] * 3, dtype="str"),
        }
    )


def archive_of(meta: dict, start: str, level: float) -> pd.DataFrame:
    return tag_forecasts(
        forecasts(start, level),
        made_at=pd.Timestamp(meta["refreshed_at"]),
        data_through=pd.Timestamp(meta["data_through"]),
    )


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def publish(store, meta: dict = META, *, archive: bool = True) -> str:
    frames = {"forecasts": forecasts("2017-07-01", 100.0)}
    if archive:
        frames[ARCHIVE] = archive_of(meta, "2017-07-01", 100.0)
    return write_snapshot(store, frames, meta, ttl=3600)


def messages(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    """The pipeline's own log lines at ``level`` (the cache logs its own finds)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == level and r.name == "pipeline"
    ]


def test_the_current_snapshots_archive_is_carried_on(
    store: LocalStore, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot_id = publish(store)
    caplog.set_level(logging.INFO)

    archive = previous_archive(store, SOURCE)

    assert archive is not None
    pd.testing.assert_frame_equal(archive, archive_of(META, "2017-07-01", 100.0))
    assert messages(caplog, logging.INFO) == [
        f"forecast archive: carrying on the 3 rows of snapshot {snapshot_id}"
    ]


def test_an_empty_store_starts_a_new_archive(
    store: LocalStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    assert previous_archive(store, SOURCE) is None
    assert messages(caplog, logging.INFO) == [
        "forecast archive: no previous snapshot; starting a new one"
    ]
    assert messages(caplog, logging.WARNING) == []


def test_a_snapshot_from_before_archives_starts_one_quietly(
    store: LocalStore, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot_id = publish(store, archive=False)
    caplog.set_level(logging.INFO)

    assert previous_archive(store, SOURCE) is None
    assert messages(caplog, logging.INFO) == [
        f"forecast archive: snapshot {snapshot_id} was made before archives were "
        "kept; starting a new one"
    ]
    assert messages(caplog, logging.WARNING) == []


def test_another_data_source_starts_a_new_archive_with_a_warning(
    store: LocalStore, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot_id = publish(store)

    assert previous_archive(store, "orders.csv") is None
    assert messages(caplog, logging.WARNING) == [
        f"forecast archive: snapshot {snapshot_id} was made from "
        "'superstore.csv.gz', this run reads 'orders.csv'; forecasts of other data "
        "are not comparable, so starting a new archive"
    ]


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda s, i: s.set(frame_key(i, ARCHIVE), b"junk", ttl=60), "lacks 1 of 1"),
        (lambda s, i: s.delete_many([frame_key(i, ARCHIVE)]), "lacks 1 of 1"),
        (lambda s, i: s.set(POINTER_KEY, b"{", ttl=60), "holds b'{'"),
    ],
)
def test_a_damaged_previous_snapshot_starts_a_new_archive_with_a_warning(
    store: LocalStore, caplog: pytest.LogCaptureFixture, damage, named: str
) -> None:
    damage(store, publish(store))

    assert previous_archive(store, SOURCE) is None
    (warning,) = messages(caplog, logging.WARNING)
    assert warning.startswith("forecast archive: the previous snapshot cannot be read")
    assert named in warning


def test_an_archive_without_its_columns_starts_a_new_one_with_a_warning(
    store: LocalStore, caplog: pytest.LogCaptureFixture
) -> None:
    frames = {ARCHIVE: archive_of(META, "2017-07-01", 1.0).drop(columns="origin")}
    snapshot_id = write_snapshot(store, frames, META, ttl=3600)

    assert previous_archive(store, SOURCE) is None
    (warning,) = messages(caplog, logging.WARNING)
    assert warning.startswith(
        f"forecast archive: the one in snapshot {snapshot_id} is unusable (a forecast "
        "archive lacks the columns ['origin']"
    )


@pytest.mark.integration
def test_a_cache_that_stops_answering_fails_rather_than_drop_the_archive(
    memcached_factory,
) -> None:
    server: MemcachedProcess = memcached_factory()
    store = open_memcached_store(
        Config(memcache_servers=(server.address,), cache_timeout=1.0)
    )
    publish(store)
    server.kill()

    with pytest.raises(CacheUnavailable):
        previous_archive(store, SOURCE)
    store.close()


def test_a_run_merges_its_forecasts_into_the_previous_archive() -> None:
    later = {**META, "refreshed_at": "2026-12-04T05:00:00+00:00"}
    later["data_through"] = "2017-07-31"
    snapshot = SnapshotFrames({"forecasts": forecasts("2017-08-01", 120.0)}, later)

    archive = archive_forecasts(snapshot, archive_of(META, "2017-07-01", 100.0))

    assert archive.groupby("origin")["forecast"].first().to_dict() == {
        pd.Timestamp("2017-07-01"): 100.0,
        pd.Timestamp("2017-08-01"): 120.0,
    }
    made = archive.groupby("origin")["made_at"].first()
    assert list(made.dt.day) == [3, 4]
