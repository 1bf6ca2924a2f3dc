"""The child process of one on-demand forecast: history in, Arrow frames out.

It is the only web-side module that imports the modelling stack, and only inside
the child that :mod:`web.runner` spawns; waiting, killing and storing stay there.
"""

from __future__ import annotations

import os
import resource
import signal
from multiprocessing.connection import Connection
from typing import Any

# The child's own entry point: one BLAS thread, so a fit never takes both cores
# from the web process next to it. Set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# A child whose parent died without killing it ends itself this long after its limit.
ORPHAN_MARGIN = 10


def main(answer: Connection, request: dict[str, Any]) -> None:
    """Fit the request's history and send the outcome back over ``answer``."""
    signal.alarm(int(request["seconds"]) + ORPHAN_MARGIN)
    try:
        reply = fit(request)
    except Exception as exc:  # whatever the modelling stack raises is the outcome
        reply = {"state": "failed", "error": f"{type(exc).__name__}: {exc}"}
    reply["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # A local pipe from the parent's own child; nothing here crosses a network.
    answer.send(reply)
    answer.close()


def fit(request: dict[str, Any]) -> dict[str, Any]:
    """Run the refresh's forecast on the request's history with its KPI group."""
    from cache.codec import decode_frame, encode_frame
    from forecast import ForecastSpec, run_forecasts
    from pipeline import FORECAST_GRAINS, FORECAST_GROUPS

    kpi = request["kpi"]
    groups = [(neg, fill) for kpis, neg, fill in FORECAST_GROUPS if kpi in kpis]
    if not groups:
        return {"state": "failed", "error": f"{kpi!r} is not a forecast KPI"}
    nonnegative, missing = groups[0]
    spec = ForecastSpec(
        freq=FORECAST_GRAINS[request["grain"]],
        horizon=int(request["horizon"]),
        processes=1,
    )
    history = decode_frame(request["history"])
    result = run_forecasts(history, spec, nonnegative=nonnegative, missing=missing)
    return {
        "state": "done",
        "forecast": encode_frame(result.forecasts),
        "accuracy": encode_frame(result.accuracy),
        "warnings": sum(result.warnings.values()),
    }
