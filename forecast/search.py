"""Automatic SARIMAX order selection: differencing by test, orders by AICc.

The search fits a short list of low orders that covers most business series
rather than every combination; the seasonal part is fixed by the caller.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np
from statsmodels.tools.sm_exceptions import InterpolationWarning
from statsmodels.tsa.stattools import kpss

from forecast.models import Estimate, SarimaxSpec, SeasonalOrder, estimate_sarimax

logger = logging.getLogger(__name__)

# (p, q) pairs tried at the chosen differencing, cheapest first.
ARMA_ORDERS: tuple[tuple[int, int], ...] = ((0, 1), (1, 0), (1, 1), (2, 0), (0, 0))
# KPSS statistic's 5% critical value for a level-stationary null.
KPSS_CRITICAL = 0.463


def choose_differencing(z: np.ndarray) -> int:
    """Return 1 when KPSS rejects level stationarity at 5%, else 0."""
    if z.size < 8 or np.ptp(z) == 0:
        return 1 if z.size >= 8 else 0
    with warnings.catch_warnings():
        # The statistic is compared directly; the p-value table's range is moot.
        warnings.simplefilter("ignore", InterpolationWarning)
        statistic = kpss(z, regression="c", nlags="auto", result_object=True).statistic
    return int(statistic > KPSS_CRITICAL)


def candidate_specs(
    d: int, seasonal_order: SeasonalOrder, arma_orders: Sequence[tuple[int, int]]
) -> list[SarimaxSpec]:
    """Return the specifications to try at one differencing.

    A constant is always estimated without differencing (the mean); with one
    difference in total it is a drift and is tried both ways.
    """
    total = d + seasonal_order[1]
    drifts = (True,) if total == 0 else (False, True) if total == 1 else (False,)
    return [
        SarimaxSpec((p, d, q), seasonal_order, drift)
        for p, q in arma_orders
        for drift in drifts
    ]


def search_sarimax(
    z: np.ndarray,
    seasonal_order: SeasonalOrder = (0, 0, 0, 0),
    exog: np.ndarray | None = None,
    arma_orders: Sequence[tuple[int, int]] = ARMA_ORDERS,
) -> Estimate:
    """Return the estimate with the lowest AICc; raise ``ValueError`` if none fits."""
    # A seasonal difference already makes most series level-stationary; one more
    # ordinary difference is what the airline family uses.
    d = 1 if seasonal_order[1] else choose_differencing(z)
    best: Estimate | None = None
    for spec in candidate_specs(d, seasonal_order, arma_orders):
        try:
            estimate = estimate_sarimax(z, spec, exog)
        except Exception as error:  # numpy and statsmodels raise many kinds
            logger.debug("%s skipped: %s", spec.label(exog), error)
            continue
        if np.isfinite(estimate.aicc) and (best is None or estimate.aicc < best.aicc):
            best = estimate

    if best is None:
        raise ValueError(f"no SARIMAX order fits {z.size} points")
    return best
