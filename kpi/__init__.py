"""The KPI engine: definitions, precomputation and fast answers to selections.

Pure pandas and numpy: no dash, no cache, no environment.
"""

from kpi.catalogue import CATALOGUE, KpiSpec
from kpi.cube import KpiCube
from kpi.direct import OrderLines
from kpi.frames import precompute
from kpi.selection import GRAINS, Selection

__all__ = [
    "CATALOGUE",
    "GRAINS",
    "KpiCube",
    "KpiSpec",
    "OrderLines",
    "Selection",
    "precompute",
]
