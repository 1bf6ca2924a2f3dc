"""The configuration read from the environment: numbers, zero where it means off."""

from __future__ import annotations

import pytest

from config import Config
from errors import ConfigError


def test_numbers_are_read_from_their_variables() -> None:
    config = Config.from_env(
        {"CACHE_TTL": "3600", "ON_DEMAND_FORECAST_SECONDS": "7.5", "PORT": "9000"}
    )

    assert (config.cache_ttl, config.on_demand_forecast_seconds) == (3600, 7.5)
    assert config.port == 9000
    assert config.on_demand


def test_zero_seconds_turns_forecasts_made_on_demand_off() -> None:
    config = Config.from_env({"ON_DEMAND_FORECAST_SECONDS": "0"})

    assert config.on_demand_forecast_seconds == 0
    assert not config.on_demand


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("ON_DEMAND_FORECAST_SECONDS", "-1"),
        ("CACHE_TTL", "0"),
        ("FORECAST_HORIZON", "-3"),
    ],
)
def test_a_number_below_its_range_names_the_variable(variable: str, raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({variable: raw})

    assert caught.value.variable == variable
    assert f"{raw!r} must be greater than zero" in str(caught.value)


def test_text_where_a_number_belongs_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"ON_DEMAND_FORECAST_SECONDS": "twenty"})

    assert caught.value.variable == "ON_DEMAND_FORECAST_SECONDS"
    assert "'twenty' is not a number" in str(caught.value)
