"""Earlier forecasts on the page: which can be compared, the default, the scores."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from web.archive import (
    ArchivedOrigin,
    archived_forecast,
    archived_origins,
    comparison_sentence,
    default_origin,
    origin_label,
    score_forecast,
)

KEY = "revenue/month/all"
MONTHS = pd.date_range("2017-01-01", periods=12, freq="MS")


def actuals_through_june() -> pd.DataFrame:
    """January to June at 100, 110, ... 150; June unfinished."""
    return pd.DataFrame(
        {
            "date": MONTHS[:6],
            "actual": [100.0, 110.0, 120.0, 130.0, 140.0, 150.0],
            "partial": [False] * 5 + [True],
        }
    )


def archived(origin: str, level: float, made: str, key: str = KEY) -> pd.DataFrame:
    """Four months from ``origin`` at ``level``, bands at 5% and 15% either side."""
    dates = pd.date_range(origin, periods=4, freq="MS")
    return pd.DataFrame(
        {
            "series_id": key,
            "origin": pd.Timestamp(origin),
            "date": dates,
            "forecast": level,
            "lo80": level * 0.95,
            "hi80": level * 1.05,
            "lo95": level * 0.85,
            "hi95": level * 1.15,
            "model": "naive",
            "made_at": pd.Timestamp(made, tz="UTC"),
            "data_through": pd.Timestamp(origin) - pd.Timedelta(days=1),
        }
    )


def archive() -> pd.DataFrame:
    return pd.concat(
        [
            archived("2016-11-01", 90.0, "2016-11-01T05:00"),  # covers Jan, Feb
            archived("2017-02-01", 120.0, "2017-02-01T05:00"),  # covers Feb-May
            archived("2017-04-01", 130.0, "2017-04-01T05:00"),  # Apr, May (Jun partial)
            archived("2017-06-01", 150.0, "2017-06-01T05:00"),  # only the partial June
            archived("2017-02-01", 1.0, "2017-02-01T05:00", key="orders/month/all"),
        ],
        ignore_index=True,
    )


def test_origins_are_earlier_ones_covering_a_complete_period_newest_first() -> None:
    origins = archived_origins(
        archive(), KEY, pd.Timestamp("2017-07-01"), actuals_through_june()
    )

    # June's origin covers only the unfinished June; the orders series is another.
    assert [(o.origin.isoformat(), o.complete) for o in origins] == [
        ("2017-04-01", 2),
        ("2017-02-01", 4),
        ("2016-11-01", 2),
    ]
    assert origins[0].made_at == pd.Timestamp("2017-04-01T05:00", tz="UTC")
    assert origins[0].data_through == dt.date(2017, 3, 31)


def test_the_current_forecasts_own_origin_is_not_offered() -> None:
    origins = archived_origins(
        archive(), KEY, pd.Timestamp("2017-04-01"), actuals_through_june()
    )

    assert [o.origin.isoformat() for o in origins] == ["2017-02-01", "2016-11-01"]


def test_no_archive_offers_nothing() -> None:
    before = pd.Timestamp("2017-07-01")

    assert archived_origins(None, KEY, before, actuals_through_june()) == []
    assert (
        archived_origins(archive().head(0), KEY, before, actuals_through_june()) == []
    )


def origin(day: str, complete: int) -> ArchivedOrigin:
    return ArchivedOrigin(
        dt.date.fromisoformat(day),
        pd.Timestamp(day, tz="UTC"),
        dt.date(2017, 1, 1),
        complete,
    )


@pytest.mark.parametrize(
    ("origins", "expected"),
    [
        # The newest with three complete periods, though a newer one has fewer.
        ([origin("2017-04-01", 2), origin("2017-02-01", 4)], "2017-02-01"),
        # None has three: the one with the most, the newer on a tie.
        (
            [origin("2017-05-01", 1), origin("2017-04-01", 2), origin("2017-03-01", 2)],
            "2017-04-01",
        ),
        ([origin("2017-05-01", 3), origin("2017-02-01", 5)], "2017-05-01"),
    ],
)
def test_the_default_comparison(origins: list, expected: str) -> None:
    chosen = default_origin(origins)

    assert chosen is not None and chosen.origin.isoformat() == expected


def test_no_origin_no_default() -> None:
    assert default_origin([]) is None


def test_an_archived_forecast_is_found_by_origin() -> None:
    found = archived_forecast(archive(), KEY, dt.date(2017, 2, 1))

    assert list(found["date"]) == list(MONTHS[1:5])
    assert set(found["forecast"]) == {120.0}
    assert archived_forecast(archive(), KEY, dt.date(2017, 3, 1)).empty


def test_scores_count_complete_periods_only_and_name_each_band() -> None:
    forecast = archived_forecast(archive(), KEY, dt.date(2017, 4, 1))
    actuals = actuals_through_june()
    actuals.loc[4, "actual"] = 145.0  # May: 130 +/- 5% is 123.5-136.5, 15% 110.5-149.5

    scores = score_forecast(actuals, forecast)

    # April 130 is on the forecast; May 145 is outside 80% only; June is partial.
    assert list(scores["date"]) == list(MONTHS[3:5])
    assert list(scores["inside80"]) == [True, False]
    assert list(scores["inside95"]) == [True, True]
    assert list(scores["error"]) == pytest.approx([0.0, 15 / 130])


def test_the_sentence_counts_each_band_and_the_misses() -> None:
    scores = pd.DataFrame(
        {"inside80": [True] * 4 + [False] * 2, "inside95": [True] * 5 + [False]}
    )

    sentence = comparison_sentence(scores, dt.date(2017, 6, 1), "month")

    assert sentence == (
        "The forecast made for June 2017 onwards: 4 of 6 complete months inside its "
        "80% band, 5 of 6 inside its 95% band; 1 outside it (marked ×), 1 outside "
        "the 80% band only (marked ○)."
    )


def test_the_sentence_of_a_forecast_that_held_by_week() -> None:
    scores = pd.DataFrame({"inside80": [True], "inside95": [True]})

    sentence = comparison_sentence(scores, dt.date(2017, 6, 26), "week")

    assert sentence == (
        "The forecast made for the week of 26 June 2017 onwards: 1 of 1 complete "
        "week inside its 80% band, 1 of 1 inside its 95% band; none outside it."
    )


def test_an_origin_is_labelled_with_its_period_and_run() -> None:
    found = ArchivedOrigin(
        dt.date(2017, 7, 1),
        pd.Timestamp("2026-12-04T05:00", tz="UTC"),
        dt.date(2017, 6, 30),
        5,
    )

    assert origin_label(found, "month") == (
        "July 2017 onwards (made 2026-12-04, data through 2017-06-30)"
    )
