"""What a forecast run is asked for and what it hands back (the run is in pipeline)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from errors import ForecastError

FREQUENCIES = ("MS", "W-MON", "D")


@dataclass(frozen=True)
class ForecastSpec:
    """One forecasting job: the grain, how far ahead, which bands, how to run.

    ``freq`` is ``"MS"`` (month starts), ``"W-MON"`` (weeks starting Monday) or
    ``"D"``. ``processes`` above one fits series in a fork-based pool, in one
    batch per process. ``backtest_origins`` rolling origins measure accuracy.
    """

    freq: str
    horizon: int
    levels: tuple[int, ...] = (80, 95)
    processes: int = 1
    backtest_origins: int = 3

    def __post_init__(self) -> None:
        if self.freq not in FREQUENCIES:
            raise ForecastError(
                f"freq {self.freq!r} is not supported: use one of {FREQUENCIES!r}"
            )
        if self.horizon < 1:
            raise ForecastError(f"horizon {self.horizon!r} must be at least 1 period")
        if not self.levels or any(not 0 < lv < 100 for lv in self.levels):
            raise ForecastError(
                f"levels {self.levels!r} must be percentages between 0 and 100"
            )
        if self.processes < 1:
            raise ForecastError(f"processes {self.processes!r} must be at least 1")
        if self.backtest_origins < 0:
            raise ForecastError(
                f"backtest_origins {self.backtest_origins!r} must be 0 or more"
            )


@dataclass(frozen=True)
class ForecastResult:
    """The frames a run produces, ready to store.

    ``forecasts``: series_id, date, forecast, lo/hi per level, model.
    ``accuracy``: one row per series_id with the backtest's figures.
    ``fitted``: series_id, date, actual, the history exactly as it was modelled.
    ``warnings``: statsmodels warning counts keyed by category and message kind.
    """

    forecasts: pd.DataFrame
    accuracy: pd.DataFrame
    fitted: pd.DataFrame
    warnings: Mapping[str, int] = field(default_factory=dict)
