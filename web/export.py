"""The filtered KPI table as the Data page shows it and as its CSV download.

Numbers are rounded to their unit once, here, so the download and the table on the
page agree; text cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import pandas as pd

from kpi import CATALOGUE, KpiCube, Selection

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DECIMALS = {"currency": 2, "per_customer": 2, "count": 0, "ratio": 4}


def table_kpis() -> list[str]:
    """The KPIs of the table: every per-period KPI of the catalogue."""
    return [name for name, spec in CATALOGUE.items() if spec.per_period]


def kpi_table(cube: KpiCube, selection: Selection) -> pd.DataFrame:
    """One row per period of the selection: its KPIs rounded to their unit.

    Columns ``period`` (ISO date of the period start), ``partial`` (``yes`` or
    ``no``), one per KPI, then one per dimension naming the filter (``all``).
    """
    series = cube.series(selection)
    table = pd.DataFrame(
        {
            "period": series["period"].dt.strftime("%Y-%m-%d"),
            "partial": series["partial"].map({True: "yes", False: "no"}),
        }
    )
    for kpi in table_kpis():
        decimals = _DECIMALS.get(CATALOGUE[kpi].unit, 2)
        values = series[kpi].astype("float64").round(decimals)
        table[kpi] = values.astype("Int64") if decimals == 0 else values
    filters = dict(selection.filters)
    for dimension in cube.dimensions:
        table[dimension] = "|".join(filters.get(dimension, ())) or "all"
    return table.reset_index(drop=True)


def defuse(text: str) -> str:
    """``text`` made inert for spreadsheets: a formula start gets a leading quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(table: pd.DataFrame) -> str:
    """The table as CSV text; every text cell defused, numbers left as numbers."""
    safe = table.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].astype("str").map(defuse)
    safe.columns = [defuse(str(column)) for column in safe.columns]
    return safe.to_csv(index=False, lineterminator="\n")


def csv_name(selection: Selection) -> str:
    """The download's file name, such as ``kpis-2017-01-01-2017-12-31-month.csv``."""
    start = selection.start.isoformat() if selection.start else "first"
    end = selection.end.isoformat() if selection.end else "last"
    return f"kpis-{start}-{end}-{selection.grain}.csv"
