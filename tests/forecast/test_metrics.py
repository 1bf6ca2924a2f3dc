import numpy as np

from forecast.metrics import coverage, mase, naive_scale, smape


def test_mase_scales_by_the_seasonal_difference():
    train = np.arange(24, dtype=float)  # every lag-12 difference is 12
    actual = np.array([30.0, 31.0])
    forecast = np.array([24.0, 25.0])  # off by 6 each

    assert naive_scale(train, 12) == 12.0
    assert mase(actual, forecast, train, 12) == 0.5


def test_mase_uses_lag_one_when_the_history_is_shorter_than_a_season():
    train = np.array([1.0, 3.0, 2.0])  # lag-1 differences 2 and 1: scale 1.5

    assert mase(np.array([3.0]), np.array([0.0]), train, 12) == 2.0


def test_mase_of_a_flat_history_is_zero_or_undefined():
    train = np.full(5, 4.0)

    assert mase(np.array([4.0]), np.array([4.0]), train, 12) == 0.0
    assert np.isnan(mase(np.array([5.0]), np.array([4.0]), train, 12))


def test_smape_counts_zero_over_zero_as_exact():
    # terms: 200*|100-50|/150 = 66.67, 0/0 -> 0; mean 33.33
    value = smape(np.array([100.0, 0.0]), np.array([50.0, 0.0]))

    assert abs(value - 100 / 3) < 1e-12


def test_coverage_includes_the_band_edges():
    actual = np.array([1.0, 2.0, 3.0, 4.0])

    assert coverage(actual, np.full(4, 2.0), np.full(4, 3.0)) == 0.5
