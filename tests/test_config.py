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
    ("variable", "raw", "said"),
    [
        ("ON_DEMAND_FORECAST_SECONDS", "-1", "'-1' must be zero or more"),
        ("REFRESH_HOUR_UTC", "-2", "'-2' must be zero or more"),
        ("CACHE_TTL", "0", "'0' must be greater than zero"),
        ("FORECAST_HORIZON", "-3", "'-3' must be greater than zero"),
        ("ON_DEMAND_FORECAST_SECONDS", "twenty", "'twenty' is not a number"),
        ("FORECAST_HORIZON", "12.5", "'12.5' is not a whole number"),
        ("CACHE_TTL", "3 days", "'3 days' is not a whole number"),
    ],
)
def test_a_bad_number_names_the_variable_and_what_is_wrong(
    variable: str, raw: str, said: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({variable: raw})

    assert caught.value.variable == variable
    assert said in str(caught.value)
