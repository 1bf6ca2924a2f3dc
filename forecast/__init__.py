"""Forecasts of KPI series: SARIMAX with guards and backtests; frames in, frames out."""

from forecast.pipeline import run_forecasts
from forecast.spec import ForecastResult, ForecastSpec

__all__ = ["ForecastResult", "ForecastSpec", "run_forecasts"]
