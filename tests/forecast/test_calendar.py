import numpy as np
import pandas as pd
import pytest

from errors import ForecastError
from forecast import ForecastSpec, run_forecasts
from forecast.calendar import check_dates, future_dates, yearly_fourier


def test_months_continue_across_a_leap_february():
    dates = future_dates(pd.Timestamp("2016-01-01"), 3, "MS")

    assert list(dates) == [
        pd.Timestamp("2016-02-01"),
        pd.Timestamp("2016-03-01"),
        pd.Timestamp("2016-04-01"),
    ]


def test_months_continue_across_a_year_end():
    dates = future_dates(pd.Timestamp("2017-11-01"), 3, "MS")

    assert [d.strftime("%Y-%m-%d") for d in dates] == [
        "2017-12-01",
        "2018-01-01",
        "2018-02-01",
    ]


def test_days_include_the_leap_day():
    dates = future_dates(pd.Timestamp("2016-02-27"), 3, "D")

    assert [d.strftime("%Y-%m-%d") for d in dates] == [
        "2016-02-28",
        "2016-02-29",
        "2016-03-01",
    ]


def test_days_continue_across_a_month_end():
    dates = future_dates(pd.Timestamp("2017-04-29"), 3, "D")

    assert [d.strftime("%Y-%m-%d") for d in dates] == [
        "2017-04-30",
        "2017-05-01",
        "2017-05-02",
    ]


def test_weeks_stay_on_mondays_through_the_leap_day():
    # 2016-02-22 is a Monday; a week later is Monday 2016-02-29, the leap day.
    dates = future_dates(pd.Timestamp("2016-02-22"), 2, "W-MON")

    assert list(dates) == [pd.Timestamp("2016-02-29"), pd.Timestamp("2016-03-07")]
    assert all(d.day_of_week == 0 for d in dates)


def test_date_that_is_not_a_period_start_is_named():
    with pytest.raises(ForecastError, match="2017-03-15"):
        check_dates(pd.Series(pd.to_datetime(["2017-03-01", "2017-03-15"])), "MS")


def test_weekly_history_must_be_on_mondays():
    history = pd.DataFrame(
        {"series_id": "a", "date": pd.to_datetime(["2017-01-03"]), "value": [1.0]}
    )

    with pytest.raises(ForecastError, match="Mondays"):
        run_forecasts(history, ForecastSpec("W-MON", 4))


def test_fourier_terms_follow_the_mean_solar_year():
    # The terms' epoch is 2000-01-01 (all phases zero); 2001-01-01 is 366 days on,
    # that is 366 / 365.2425 years, so harmonic k sits at 2*pi*k*366/365.2425.
    terms = yearly_fourier(pd.DatetimeIndex(["2000-01-01", "2001-01-01"]), 2)
    phase = 2 * np.pi * 366 / 365.2425

    assert terms.shape == (2, 4)
    assert terms[0] == pytest.approx([0.0, 1.0, 0.0, 1.0])
    assert terms[1] == pytest.approx(
        [np.sin(phase), np.cos(phase), np.sin(2 * phase), np.cos(2 * phase)]
    )
