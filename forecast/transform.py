"""The variance-stabilising transform of a series and its inverse.

KPIs that cannot be negative are modelled on a log scale, so forecasts and bands
come back positive by construction; the inverse only trims the offset's rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# exp() above this overflows a float; the plausibility guard rejects such paths anyway.
MAX_LOG = 700.0


@dataclass(frozen=True)
class Transform:
    """``log(y + offset)`` when ``log`` is set, else the identity."""

    log: bool
    offset: float = 0.0

    def forward(self, y: np.ndarray) -> np.ndarray:
        """Map values onto the modelling scale."""
        if not self.log:
            return np.asarray(y, dtype=float)
        return np.log(np.asarray(y, dtype=float) + self.offset)

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """Map modelled values back; never below zero on the log scale."""
        z = np.asarray(z, dtype=float)
        if not self.log:
            return z
        return np.maximum(np.exp(np.minimum(z, MAX_LOG)) - self.offset, 0.0)


def choose_transform(y: np.ndarray, nonnegative: bool) -> Transform:
    """Pick the log for non-negative series, shifted by a tenth of a typical value
    when the series has zeros, and the identity otherwise."""
    if not nonnegative:
        return Transform(log=False)

    positive = y[y > 0]
    if positive.size == 0:
        return Transform(log=False)

    offset = 0.0 if positive.size == y.size else 0.1 * float(np.median(positive))
    return Transform(log=True, offset=offset)
