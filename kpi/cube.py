"""The KPI cube a web worker builds once per snapshot from the precomputed frames."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kpi import calendar as cal
from kpi.direct import OrderLines


class KpiCube(OrderLines):
    """Answers selections from the frames :func:`kpi.precompute` made."""

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame]) -> KpiCube:
        meta = frames["kpi_meta"].iloc[0]
        dimensions = [str(d) for d in meta["dimensions"].split(",") if d]
        as_of = cal.to_date(int(meta["as_of"]))
        return cls(frames["kpi_lines"], dimensions=dimensions, as_of=as_of)
