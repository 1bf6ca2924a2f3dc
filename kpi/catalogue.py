"""The one declaration of every KPI, and the formulas that turn counts into KPIs.

Pages take labels, tooltips and formats from :data:`CATALOGUE`; the engines only
count base measures (:data:`BASE_MEASURES`) and leave the ratios to
:func:`derive_kpis`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

# What an engine counts for a span of days (and, for churn, the span before it).
BASE_MEASURES = (
    "revenue",
    "profit",
    "costed_revenue",  # revenue of the lines whose profit is known
    "items",
    "orders",
    "active_customers",
    "new_customers",
    "prior_customers",  # customers of the span before (churn's base)
    "lost_customers",  # of those, the ones who did not buy in this span
)


@dataclasses.dataclass(frozen=True)
class KpiSpec:
    """A KPI as users see it: name, label, formula in words, unit and format.

    ``number_format`` is a d3 format string (plotly hover labels and axes).
    ``additive`` KPIs can be split into parts that sum to the whole;
    ``per_period`` is false for KPIs that only exist over a whole range.
    """

    name: str
    label: str
    formula: str
    unit: str
    number_format: str
    higher_is_better: bool = True
    additive: bool = False
    per_period: bool = True


_CURRENCY = "$,.2f"
_COUNT = ",.0f"
_RATIO = ".1%"

_SPECS = (
    KpiSpec(
        "revenue",
        "Revenue",
        "Sum of the net amount of every order line "
        "(refunds are negative lines and reduce it).",
        "currency",
        _CURRENCY,
        additive=True,
    ),
    KpiSpec(
        "orders",
        "Orders",
        "Number of distinct order ids with at least one matching line.",
        "count",
        _COUNT,
        additive=True,
    ),
    KpiSpec(
        "items",
        "Items",
        "Sum of the quantity of every order line.",
        "count",
        _COUNT,
        additive=True,
    ),
    KpiSpec(
        "aov",
        "Average order value",
        "Revenue divided by orders.",
        "currency",
        _CURRENCY,
    ),
    KpiSpec(
        "profit",
        "Profit",
        "Sum of the profit of every order line (net amount "
        "minus cost when the source gives cost).",
        "currency",
        _CURRENCY,
        additive=True,
    ),
    KpiSpec(
        "margin",
        "Gross margin",
        "Profit divided by the revenue of the lines whose profit is known.",
        "ratio",
        _RATIO,
    ),
    KpiSpec(
        "active_customers",
        "Active customers",
        "Number of distinct customers with at least one matching order.",
        "count",
        _COUNT,
    ),
    KpiSpec(
        "new_customers",
        "New customers",
        "Active customers whose first order "
        "ever (any region, category or segment) falls in the period.",
        "count",
        _COUNT,
    ),
    KpiSpec(
        "returning_customers",
        "Returning customers",
        "Active customers who had ordered before the period: active minus new.",
        "count",
        _COUNT,
    ),
    KpiSpec(
        "returning_rate",
        "Returning rate",
        "Returning customers divided by active customers.",
        "ratio",
        _RATIO,
    ),
    KpiSpec(
        "revenue_per_customer",
        "Revenue per customer",
        "Revenue divided by active customers.",
        "currency",
        _CURRENCY,
    ),
    KpiSpec(
        "churn",
        "Churn",
        "Share of the previous period's active customers who "
        "did not order in this period (a partial period is compared with the same "
        "days of the previous one).",
        "ratio",
        _RATIO,
        higher_is_better=False,
    ),
    KpiSpec(
        "cmgr",
        "Compound monthly growth",
        "Monthly revenue growth rate that "
        "turns the first complete month of the range into the last one: "
        "(last / first) ^ (1 / months between) - 1.",
        "ratio",
        _RATIO,
        per_period=False,
    ),
)

CATALOGUE: Mapping[str, KpiSpec] = MappingProxyType({s.name: s for s in _SPECS})
PERIOD_KPIS = tuple(s.name for s in _SPECS if s.per_period)
ADDITIVE_KPIS = tuple(s.name for s in _SPECS if s.additive)


def divide(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator`` with a zero or missing base giving NaN."""
    base = denominator.astype("float64").where(denominator != 0)
    return numerator.astype("float64") / base


def relative_change(current: pd.Series, base: pd.Series) -> pd.Series:
    """``(current - base) / |base|``; a zero or missing base gives NaN, never inf."""
    return divide(current - base, base.abs())


def derive_kpis(
    base: pd.DataFrame, *, has_profit: bool = True, has_quantity: bool = True
) -> pd.DataFrame:
    """The per-period KPIs of the catalogue from rows of base measures."""
    out = pd.DataFrame(index=base.index)
    out["revenue"] = base["revenue"].astype("float64")
    out["orders"] = base["orders"].astype("float64")
    out["items"] = base["items"].astype("float64") if has_quantity else np.nan
    out["aov"] = divide(base["revenue"], base["orders"])
    out["profit"] = base["profit"].astype("float64") if has_profit else np.nan
    out["margin"] = divide(out["profit"], base["costed_revenue"])
    active = base["active_customers"].astype("float64")
    out["active_customers"] = active
    out["new_customers"] = base["new_customers"].astype("float64")
    out["returning_customers"] = active - out["new_customers"]
    out["returning_rate"] = divide(out["returning_customers"], active)
    out["revenue_per_customer"] = divide(base["revenue"], active)
    out["churn"] = divide(base["lost_customers"], base["prior_customers"])
    return out[list(PERIOD_KPIS)]


def compound_growth(first: float, last: float, steps: int) -> float:
    """Growth rate per step from ``first`` to ``last``; NaN without a positive base."""
    if steps < 1 or not first > 0 or not last >= 0:
        return float("nan")
    return float((last / first) ** (1.0 / steps) - 1.0)
