import numpy as np
import pandas as pd
import pytest

from errors import ForecastError
from forecast import ForecastSpec, run_forecasts


def monthly_history(values, start="2014-01-01", series_id="total"):
    dates = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame({"series_id": series_id, "date": dates, "value": values})


def seasonal_values(n=48, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 1000 + 10 * t + 300 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 60, n)


def test_forecast_dates_continue_after_the_last_month():
    result = run_forecasts(monthly_history(seasonal_values()), ForecastSpec("MS", 12))

    dates = pd.DatetimeIndex(result.forecasts["date"])
    assert dates[0] == pd.Timestamp("2018-01-01")
    assert dates[-1] == pd.Timestamp("2018-12-01")
    assert len(dates) == 12


def test_bands_are_nested_around_the_forecast():
    result = run_forecasts(monthly_history(seasonal_values()), ForecastSpec("MS", 12))

    f = result.forecasts
    assert (f["lo95"] <= f["lo80"]).all()
    assert (f["lo80"] <= f["forecast"]).all()
    assert (f["forecast"] <= f["hi80"]).all()
    assert (f["hi80"] <= f["hi95"]).all()
    assert (f["hi95"] > f["lo95"]).all()
    assert "SARIMAX(" in f["model"].iloc[0]
    assert "seasonally adjusted" in f["model"].iloc[0]


def test_nonnegative_series_never_gets_a_negative_bound():
    rng = np.random.default_rng(3)
    values = np.abs(rng.normal(5, 6, 48))  # noisy, close to zero, with big swings
    result = run_forecasts(monthly_history(values), ForecastSpec("MS", 18))

    numbers = result.forecasts[["forecast", "lo80", "hi80", "lo95", "hi95"]]
    assert np.isfinite(numbers.to_numpy()).all()
    assert (numbers.to_numpy() >= 0).all()


def test_partial_period_is_not_fitted_and_starts_the_forecast():
    history = monthly_history(seasonal_values())
    partial = pd.DataFrame(
        {"series_id": ["total"], "date": [pd.Timestamp("2018-01-01")], "value": [1.0]}
    )
    history = pd.concat([history.assign(partial=False), partial.assign(partial=True)])

    result = run_forecasts(history, ForecastSpec("MS", 3))

    assert result.fitted["date"].max() == pd.Timestamp("2017-12-01")
    assert len(result.fitted) == 48
    assert list(result.forecasts["date"]) == list(
        pd.date_range("2018-01-01", periods=3, freq="MS")
    )


def test_negative_value_with_nonnegative_names_the_series():
    history = monthly_history([5.0, -1.0, 3.0, 4.0], series_id="profit")

    with pytest.raises(ForecastError, match=r"'profit'.*nonnegative=False"):
        run_forecasts(history, ForecastSpec("MS", 2))


def test_negative_series_allowed_when_not_nonnegative():
    values = seasonal_values() - 1500  # the last year swings around zero
    result = run_forecasts(
        monthly_history(values), ForecastSpec("MS", 6), nonnegative=False
    )

    assert np.isfinite(result.forecasts["forecast"]).all()
    assert result.forecasts["lo95"].min() < 0


def test_each_series_gets_one_accuracy_row():
    history = pd.concat(
        [
            monthly_history(seasonal_values(seed=1), series_id="a"),
            monthly_history(seasonal_values(seed=2), series_id="b"),
        ]
    )
    result = run_forecasts(history, ForecastSpec("MS", 6, backtest_origins=2))

    accuracy = result.accuracy.set_index("series_id")
    assert list(accuracy.index) == ["a", "b"]
    assert (accuracy["origins"] == 2).all()
    assert accuracy["mase"].notna().all()
    assert (accuracy["naive_smape"] > 0).all()


def test_weekly_series_get_yearly_fourier_terms_through_a_53_monday_year():
    rng = np.random.default_rng(5)
    dates = pd.date_range("2014-01-06", "2017-12-25", freq="W-MON")
    years = (dates - pd.Timestamp("2014-01-01")).days / 365.2425
    values = 500 + 150 * np.sin(2 * np.pi * years) + rng.normal(0, 30, dates.size)
    history = pd.DataFrame({"series_id": "w", "date": dates, "value": values})

    # 2018 starts on a Monday and has 53 of them: the last one is 2018-12-31.
    result = run_forecasts(history, ForecastSpec("W-MON", 53, backtest_origins=1))

    f = result.forecasts
    assert f["date"].iloc[0] == pd.Timestamp("2018-01-01")
    assert f["date"].iloc[-1] == pd.Timestamp("2018-12-31")
    assert (pd.DatetimeIndex(f["date"]).day_of_week == 0).all()
    assert "3 yearly Fourier pairs" in f["model"].iloc[0]
    # The yearly peak near April (sin's maximum) is forecast above the October trough.
    april = f.loc[f["date"] == pd.Timestamp("2018-04-02"), "forecast"].iloc[0]
    october = f.loc[f["date"] == pd.Timestamp("2018-10-01"), "forecast"].iloc[0]
    assert april > october + 100


def test_missing_value_counts_as_a_zero_period():
    values = seasonal_values()
    values[20] = np.nan
    history = monthly_history(values).drop(index=30)

    result = run_forecasts(history, ForecastSpec("MS", 3))

    fitted = result.fitted.set_index("date")["actual"]
    assert len(fitted) == 48
    assert fitted[pd.Timestamp("2015-09-01")] == 0.0  # position 20, the NaN
    assert fitted[pd.Timestamp("2016-07-01")] == 0.0  # position 30, the dropped row


def test_text_value_is_named_in_the_error():
    history = monthly_history([1.0, 2.0, 3.0]).astype({"value": object})
    history.loc[1, "value"] = "n/a"

    with pytest.raises(ForecastError, match=r"'n/a'.*finite numbers"):
        run_forecasts(history, ForecastSpec("MS", 2))


def test_fallback_to_naive_is_logged_as_a_warning(caplog):
    with caplog.at_level("WARNING", logger="forecast.pipeline"):
        run_forecasts(monthly_history([3.0, 1.0, 4.0]), ForecastSpec("MS", 2))

    assert "1 of 1 series fell back to a naive forecast: total" in caplog.text


def test_process_pool_gives_the_same_frames_in_the_same_order():
    history = pd.concat(
        [
            monthly_history(seasonal_values(seed=seed), series_id=name)
            for seed, name in enumerate(["c", "a", "b"])
        ]
    )
    spec = ForecastSpec("MS", 4, backtest_origins=1)

    alone = run_forecasts(history, spec)
    pooled = run_forecasts(
        history, ForecastSpec("MS", 4, processes=2, backtest_origins=1)
    )

    pd.testing.assert_frame_equal(alone.forecasts, pooled.forecasts)
    pd.testing.assert_frame_equal(alone.accuracy, pooled.accuracy)
    assert list(pooled.accuracy["series_id"]) == ["a", "b", "c"]
    assert dict(alone.warnings) == dict(pooled.warnings)


def test_interpolation_fills_a_missing_ratio_period_from_its_neighbours():
    values = seasonal_values()
    history = monthly_history(values).drop(index=30)

    result = run_forecasts(history, ForecastSpec("MS", 3), missing="interpolate")

    fitted = result.fitted.set_index("date")["actual"]
    # Linear interpolation: the mean of the periods either side of position 30.
    expected = (values[29] + values[31]) / 2
    assert fitted[pd.Timestamp("2016-07-01")] == pytest.approx(expected)


def test_unknown_missing_policy_is_named():
    with pytest.raises(ForecastError, match="'mean'"):
        run_forecasts(
            monthly_history([1.0, 2.0]), ForecastSpec("MS", 1), missing="mean"
        )
