import numpy as np
import pandas as pd
import pytest

from forecast.backtest import origins, run_backtest
from forecast.selection import Context


def test_origins_are_spaced_a_third_of_the_horizon_apart():
    assert origins(48, 12, 3) == [36, 32, 28]
    assert origins(8, 2, 2) == [6, 5]


def test_origins_that_leave_too_little_history_are_dropped():
    # 10 - 4 - 2 * 1 = 4 still keeps the minimum of four points; 3 would not.
    assert origins(10, 4, 5) == [6, 5, 4]


def test_backtest_mase_and_smape_match_a_hand_computation():
    y = np.array([1.0, 3.0, 2.0, 4.0, 3.0, 5.0, 4.0, 6.0])
    ctx = Context("MS", 2, (50, 80), pd.date_range("2017-01-01", periods=8, freq="MS"))

    # An empty chain leaves the closing rule: with under a season of history that is
    # naive, the last value repeated. By hand:
    #   origin 6: train 1,3,2,4,3,5 -> forecast 5,5; actual 4,6; MAE 1;
    #             scale = mean |diff| = (2+1+2+1+2)/5 = 1.6; MASE 0.625;
    #             sMAPE = 100 * (2*1/9 + 2*1/11) / 2 = 20.2020...
    #   origin 5: train 1,3,2,4,3 -> forecast 3,3; actual 5,4; MAE 1.5;
    #             scale = (2+1+2+1)/4 = 1.5; MASE 1.0;
    #             sMAPE = 100 * (2*2/8 + 2*1/7) / 2 = 39.2857...
    summary = run_backtest(y, ctx, (), nonnegative=False, count=2)

    assert summary["origins"] == 2
    assert summary["mase"] == pytest.approx((0.625 + 1.0) / 2)
    expected_smape = (100 * (2 / 9 + 2 / 11) / 2 + 100 * (4 / 8 + 2 / 7) / 2) / 2
    assert summary["smape"] == pytest.approx(expected_smape)
    assert summary["naive_mase"] == pytest.approx(0.8125)
    # Bands: residual RMS of naive times sqrt(step), z50 = 0.6745, z80 = 1.2816.
    #   origin 6: RMS sqrt(14/5) = 1.673; 50%: 5 +- 1.129 holds 4, 5 +- 1.596 holds 6.
    #   origin 5: RMS sqrt(10/4) = 1.581; 50%: 3 +- 1.067 misses 5, 3 +- 1.508 holds 4;
    #             80%: 3 +- 2.026 holds 5 and 3 +- 2.866 holds 4.
    assert summary["coverage50"] == pytest.approx((1.0 + 0.5) / 2)
    assert summary["coverage80"] == pytest.approx(1.0)


def test_backtest_without_room_for_an_origin_reports_none():
    y = np.array([1.0, 2.0, 3.0])
    ctx = Context("MS", 2, (80, 95), pd.date_range("2017-01-01", periods=3, freq="MS"))

    summary = run_backtest(y, ctx, (), nonnegative=False, count=3)

    assert summary["origins"] == 0
    assert np.isnan(summary["mase"])
