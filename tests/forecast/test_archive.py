"""The forecast archive's rules on hand-made forecasts: origins, replacing, trimming."""

from __future__ import annotations

import pandas as pd
import pytest

from cache.codec import decode_frame, encode_frame
from errors import ForecastError
from forecast.archive import (
    DTYPES,
    MONTH_ORIGINS_KEPT,
    WEEK_ORIGINS_KEPT,
    check_archive,
    measure_archive,
    merge_archive,
    tag_forecasts,
)

MONTH = "revenue/month/all"
WEEK = "orders/week/region=West"


def forecasts(series_id: str, start: str, periods: int, level: float) -> pd.DataFrame:
    """A flat forecast of ``level`` from ``start``, bands 10% and 20% either side."""
    freq = "W-MON" if "/week/" in series_id else "MS"
    dates = pd.date_range(start, periods=periods, freq=freq)
    return pd.DataFrame(
        {
            "series_id": pd.array([series_id] * periods, dtype="str"),
            "date": dates,
            "forecast": level,
            "lo80": level * 0.9,
            "hi80": level * 1.1,
            "lo95": level * 0.8,
            "hi95": level * 1.2,
            "model": pd.array(["seasonal naive"] * periods, dtype="str"),
        }
    )


def run(*frames: pd.DataFrame, made_at: str, through: str) -> pd.DataFrame:
    """One refresh's forecasts, tagged as the archive tags them."""
    return tag_forecasts(
        pd.concat(frames, ignore_index=True),
        made_at=pd.Timestamp(made_at),
        data_through=pd.Timestamp(through),
    )


def july_run() -> pd.DataFrame:
    """A refresh on 1 July 2017: months from July, weeks from Monday 26 June."""
    return run(
        forecasts(WEEK, "2017-06-26", 2, 10.0),
        forecasts(MONTH, "2017-07-01", 3, 100.0),
        made_at="2017-07-01T05:00:00+00:00",
        through="2017-06-30",
    )


def test_each_series_origin_is_its_first_forecast_date() -> None:
    tagged = july_run()

    origins = tagged.groupby("series_id")["origin"].unique().to_dict()
    assert {k: list(v) for k, v in origins.items()} == {
        WEEK: [pd.Timestamp("2017-06-26")],
        MONTH: [pd.Timestamp("2017-07-01")],
    }
    assert (tagged["made_at"] == pd.Timestamp("2017-07-01T05:00:00Z")).all()
    assert (tagged["data_through"] == pd.Timestamp("2017-06-30")).all()
    assert tagged.dtypes.astype(str).to_dict() == {
        k: str(pd.Series(dtype=v).dtype) for k, v in DTYPES.items()
    }


def month_run(origin: str, periods: int, level: float, made_on: str) -> pd.DataFrame:
    """A refresh of ``revenue/month/all`` at 05:00 UTC on ``made_on``, data through
    the day before."""
    day = pd.Timestamp(made_on)
    return run(
        forecasts(MONTH, origin, periods, level),
        made_at=(day + pd.Timedelta(hours=5)).tz_localize("UTC").isoformat(),
        through=(day - pd.Timedelta(days=1)).isoformat(),
    )


def test_a_newer_forecast_of_the_same_origin_replaces_the_older_whole() -> None:
    # Two refreshes in July: both forecast from July, the second a shorter horizon.
    first = month_run("2017-07-01", 12, 100.0, made_on="2017-07-03")
    second = month_run("2017-07-01", 6, 150.0, made_on="2017-07-20")

    merged = merge_archive(first, second)

    # None of the first run's twelve months survives, not even the six the second
    # run did not forecast.
    assert len(merged) == 6
    assert (merged["forecast"] == 150.0).all()
    assert (merged["data_through"] == pd.Timestamp("2017-07-19")).all()


def test_forecasts_from_other_origins_are_kept() -> None:
    june = month_run("2017-06-01", 12, 100.0, made_on="2017-06-02")
    july = month_run("2017-07-01", 12, 120.0, made_on="2017-07-02")

    merged = merge_archive(june, july)

    assert merged.groupby("origin")["forecast"].unique().to_dict() == {
        pd.Timestamp("2017-06-01"): [100.0],
        pd.Timestamp("2017-07-01"): [120.0],
    }
    pd.testing.assert_frame_equal(
        merged[merged["origin"] == "2017-06-01"].reset_index(drop=True), june
    )


def test_the_forecast_made_last_wins_even_from_the_previous_archive() -> None:
    # A run whose clock was behind: the archive already holds a later forecast.
    later = month_run("2017-07-01", 3, 200.0, made_on="2017-07-20")
    earlier = month_run("2017-07-01", 3, 100.0, made_on="2017-07-03")

    assert list(merge_archive(later, earlier)["forecast"]) == [200.0] * 3


def test_on_a_tie_this_runs_forecast_wins() -> None:
    previous = month_run("2017-07-01", 3, 100.0, made_on="2017-07-03")
    latest = month_run("2017-07-01", 3, 110.0, made_on="2017-07-03")

    assert list(merge_archive(previous, latest)["forecast"]) == [110.0] * 3


def archived_runs(series_id: str, origins: pd.DatetimeIndex) -> pd.DataFrame:
    """An archive as one refresh per origin would leave it untrimmed: 4 periods each,
    made five hours into the origin's first day, with data through the day before."""
    made = [
        forecasts(series_id, origin.isoformat(), 4, 100.0).assign(
            origin=origin,
            made_at=(origin + pd.Timedelta(hours=5)).tz_localize("UTC"),
            data_through=origin - pd.Timedelta(days=1),
        )
        for origin in origins
    ]
    return pd.concat(made, ignore_index=True)


@pytest.mark.parametrize(
    ("series_id", "kept", "freq"),
    [(MONTH, MONTH_ORIGINS_KEPT, "MS"), (WEEK, WEEK_ORIGINS_KEPT, "W-MON")],
)
def test_each_series_keeps_its_grains_newest_origins(
    series_id: str, kept: int, freq: str
) -> None:
    # Two more origins than kept: all but the last already archived.
    origins = pd.date_range("2015-01-05", periods=kept + 2, freq=freq)
    previous = archived_runs(series_id, origins[:-1])
    latest = check_archive(archived_runs(series_id, origins[-1:]))

    archive = merge_archive(previous, latest)

    assert list(archive["origin"].drop_duplicates()) == list(origins[2:])
    assert len(archive) == kept * 4


def test_trimming_counts_origins_per_series() -> None:
    # A month series with one origin is not trimmed because another has many.
    months = pd.date_range("2015-01-01", periods=MONTH_ORIGINS_KEPT + 1, freq="MS")
    previous = pd.concat(
        [
            archived_runs("profit/month/all", months[:1]),
            archived_runs(MONTH, months[:-1]),
        ]
    )
    latest = check_archive(archived_runs(MONTH, months[-1:]))

    archive = merge_archive(previous, latest)

    counts = archive.groupby("series_id")["origin"].unique().to_dict()
    assert {k: len(v) for k, v in counts.items()} == {
        "profit/month/all": 1,
        MONTH: MONTH_ORIGINS_KEPT,
    }
    assert counts[MONTH][0] == months[1]


def test_the_archive_is_sorted_typed_and_survives_arrow_the_same() -> None:
    latest = july_run()
    # A previous archive as a store may return it: other row order, other units.
    previous = month_run("2017-06-01", 3, 90.0, made_on="2017-06-02").iloc[::-1]
    previous = previous.astype({"date": "datetime64[ns]", "origin": "datetime64[s]"})

    fresh = merge_archive(None, latest)
    merged = merge_archive(previous, latest)

    for archive in (fresh, merged):
        assert list(archive.columns) == list(DTYPES)
        assert archive.dtypes.to_dict() == fresh.dtypes.to_dict()
        ordered = archive.sort_values(["series_id", "origin", "date"])
        assert list(archive.index) == list(ordered.index) == list(range(len(archive)))
        pd.testing.assert_frame_equal(decode_frame(encode_frame(archive)), archive)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["origin"]), "lacks the columns ['origin']"),
        (lambda f: f.assign(forecast="a lot"), "a column of the wrong type"),
        (lambda f: f.assign(series_id="revenue/day/all"), "grain 'day'"),
        (lambda f: f.assign(series_id="revenue"), "grain ''"),
        (lambda f: f.assign(date=pd.NaT), "rows without a series id, origin or date"),
    ],
)
def test_an_unusable_archive_is_refused_naming_why(change, message: str) -> None:
    archive = month_run("2017-07-01", 3, 100.0, made_on="2017-07-01")

    with pytest.raises(ForecastError, match=message.replace("[", r"\[")):
        check_archive(change(archive))


def test_the_size_counts_forecasts_rows_and_origins() -> None:
    archive = merge_archive(
        run(
            forecasts(MONTH, "2017-06-01", 12, 1.0),
            forecasts(WEEK, "2017-05-29", 52, 1.0),
            made_at="2017-06-02T05:00:00+00:00",
            through="2017-06-01",
        ),
        month_run("2017-07-01", 12, 1.0, made_on="2017-07-02"),
    )

    size = measure_archive(archive)

    # Month from June and July, week from 29 May: 3 forecasts, 12 + 12 + 52 rows.
    assert (size.forecasts, size.rows, size.origins) == (3, 76, 3)
    assert size.oldest == pd.Timestamp("2017-05-29")
