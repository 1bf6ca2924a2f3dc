import numpy as np
import pandas as pd
import pytest

from forecast import ForecastSpec, run_forecasts
from forecast.models import Prediction
from forecast.selection import Candidate, Context, choose

BANDS = ["lo80", "hi80", "lo95", "hi95"]


def history(values, freq="MS", start="2016-01-01", dates=None):
    dates = (
        pd.date_range(start, periods=len(values), freq=freq) if dates is None else dates
    )
    return pd.DataFrame({"series_id": "s", "date": dates, "value": values})


def test_fourteen_months_get_a_non_seasonal_sarimax():
    values = 100 + 10 * np.sin(np.arange(14)) + np.arange(14)

    result = run_forecasts(history(values), ForecastSpec("MS", 6))

    label = result.forecasts["model"].iloc[0]
    assert label.startswith("SARIMAX(")
    assert ",12)" not in label and "seasonally adjusted" not in label
    assert np.isfinite(result.forecasts[["forecast", *BANDS]].to_numpy()).all()


def test_all_zero_series_forecasts_zero_with_a_zero_width_band():
    result = run_forecasts(history(np.zeros(24)), ForecastSpec("MS", 6))

    f = result.forecasts
    assert (f["model"] == "constant").all()
    assert (f[["forecast", *BANDS]].to_numpy() == 0.0).all()
    assert result.accuracy.loc[0, "mase"] == 0.0
    assert result.accuracy.loc[0, "coverage95"] == 1.0


def test_constant_series_forecasts_that_constant_exactly():
    result = run_forecasts(history(np.full(24, 7.0)), ForecastSpec("MS", 6))

    f = result.forecasts
    assert (f["model"] == "constant").all()
    assert (f[["forecast", *BANDS]].to_numpy() == 7.0).all()
    assert result.accuracy.loc[0, "smape"] == 0.0
    assert result.accuracy.loc[0, "coverage80"] == 1.0


def test_decaying_series_stays_positive_and_does_not_turn_up():
    values = [120, 90, 60, 40, 25, 15, 10, 8, 6, 5, 4, 3, 2, 2]

    result = run_forecasts(
        history(np.array(values, dtype=float)), ForecastSpec("MS", 12)
    )

    f = result.forecasts
    numbers = f[["forecast", *BANDS]].to_numpy()
    assert np.isfinite(numbers).all()
    # The log scale keeps every value strictly positive, not clipped to zero.
    assert (numbers > 0).all()
    assert (f["forecast"] <= 2.0).all()
    assert (np.diff(f["forecast"]) <= 1e-9).all()
    assert f["model"].iloc[0].startswith("SARIMAX(")


def test_missing_days_count_as_zero_and_the_calendar_continues():
    rng = np.random.default_rng(7)
    dates = pd.date_range("2016-01-01", "2016-03-31", freq="D")
    values = 50 + 20 * (dates.day_of_week < 5) + rng.normal(0, 3, dates.size)
    kept = np.ones(dates.size, dtype=bool)
    kept[[10, 11, 40, 59]] = False  # 2016-02-29 (position 59) is one of the gaps

    result = run_forecasts(
        history(values[kept], dates=dates[kept]), ForecastSpec("D", 7)
    )

    fitted = result.fitted.set_index("date")["actual"]
    assert len(fitted) == dates.size
    assert fitted[pd.Timestamp("2016-02-29")] == 0.0
    assert fitted[pd.Timestamp("2016-01-11")] == 0.0
    assert list(result.forecasts["date"]) == list(
        pd.date_range("2016-04-01", periods=7, freq="D")
    )
    assert "(0,1,1,7)" in result.forecasts["model"].iloc[0]
    assert np.isfinite(result.forecasts[["forecast", *BANDS]].to_numpy()).all()


def test_a_fit_that_raises_falls_back_to_seasonal_naive(monkeypatch):
    # A real SARIMAX cannot be made to fail on demand with valid data: the mock
    # stands in for a numerical failure inside the optimiser.
    def broken_fit(self, *args, **kwargs):
        raise np.linalg.LinAlgError("Schur decomposition solver error")

    monkeypatch.setattr("forecast.models.SARIMAX.fit", broken_fit)
    t = np.arange(48)
    values = 200 + 50 * np.sin(2 * np.pi * t / 12) + t

    result = run_forecasts(history(values), ForecastSpec("MS", 12))

    f = result.forecasts
    assert (f["model"] == "seasonal naive").all()
    assert f["forecast"].to_numpy() == pytest.approx(values[-12:])
    assert np.isfinite(f[BANDS].to_numpy()).all()


def test_an_exploding_candidate_is_rejected_for_the_next():
    ctx = Context("MS", 3, (80, 95), pd.date_range("2017-01-01", periods=10, freq="MS"))
    z = np.linspace(1.0, 2.0, 10)

    def exploding(z, ctx):
        mean = np.array([2.0, 50.0, 1e6])
        return Prediction(
            mean, {lv: (mean - 1, mean + 1) for lv in ctx.levels}, "x"
        ), wild

    def steady(z, ctx):
        mean = np.full(3, 2.0)
        return Prediction(
            mean, {lv: (mean - 1, mean + 1) for lv in ctx.levels}, "y"
        ), calm

    wild, calm = Candidate("wild", exploding), Candidate("calm", steady)

    path, refit = choose(z, ctx, (wild, calm))

    assert path.label == "y"
    assert refit == (calm,)


def test_statsmodels_warnings_are_counted_not_raised():
    # The 14-point series makes statsmodels warn about starting parameters and
    # convergence; pytest turns any warning that escapes into an error.
    values = 100 + 10 * np.sin(np.arange(14)) + np.arange(14)

    result = run_forecasts(history(values), ForecastSpec("MS", 6))

    assert sum(result.warnings.values()) > 0
    assert all(": " in kind for kind in result.warnings)
    assert any(kind.startswith("ConvergenceWarning") for kind in result.warnings)
