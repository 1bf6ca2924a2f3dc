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
from numpy.typing import ArrayLike

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
        "Number of distinct order ids with at least one matching line (a refund "
        "booked under its own order id counts as one).",
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


def glossary() -> str:
    """The catalogue as a Markdown table, for the README and the Data page."""
    lines = ["| KPI | Name | Definition | Up is good |", "|---|---|---|---|"]
    for spec in CATALOGUE.values():
        good = "yes" if spec.higher_is_better else "no"
        lines.append(f"| {spec.label} | `{spec.name}` | {spec.formula} | {good} |")
    return "\n".join(lines)


def divide(numerator: ArrayLike, denominator: ArrayLike) -> np.ndarray:
    """``numerator / denominator`` with a zero or missing base giving NaN."""
    top = np.asarray(numerator, dtype="float64")
    base = np.asarray(denominator, dtype="float64")
    out = np.full(np.broadcast(top, base).shape, np.nan)
    np.divide(top, base, out=out, where=base != 0)
    return out


def relative_change(current: ArrayLike, base: ArrayLike) -> np.ndarray:
    """``(current - base) / |base|``; a zero or missing base gives NaN, never inf."""
    now = np.asarray(current, dtype="float64")
    then = np.asarray(base, dtype="float64")
    return divide(now - then, np.abs(then))


def derive_kpis(
    base: pd.DataFrame | Mapping[str, np.ndarray],
    *,
    has_profit: bool = True,
    has_quantity: bool = True,
) -> pd.DataFrame:
    """The per-period KPIs of the catalogue from rows of base measures.

    ``base`` is a frame, or a mapping of equally long arrays, with the columns
    :data:`BASE_MEASURES`; the result keeps a frame's index.
    """
    m = {name: np.asarray(base[name], dtype="float64") for name in BASE_MEASURES}
    kpis = kpi_arrays(m, has_profit=has_profit, has_quantity=has_quantity)
    index = base.index if isinstance(base, pd.DataFrame) else None
    return pd.DataFrame(kpis, index=index)


def kpi_arrays(
    m: Mapping[str, np.ndarray], *, has_profit: bool, has_quantity: bool
) -> dict[str, np.ndarray]:
    """:func:`derive_kpis` on arrays, keyed in catalogue order."""
    missing = np.full(len(m["revenue"]), np.nan)
    profit = m["profit"] if has_profit else missing
    active = m["active_customers"]
    returning = active - m["new_customers"]
    kpis = {
        "revenue": m["revenue"],
        "orders": m["orders"],
        "items": m["items"] if has_quantity else missing,
        "aov": divide(m["revenue"], m["orders"]),
        "profit": profit,
        "margin": divide(profit, m["costed_revenue"]),
        "active_customers": active,
        "new_customers": m["new_customers"],
        "returning_customers": returning,
        "returning_rate": divide(returning, active),
        "revenue_per_customer": divide(m["revenue"], active),
        "churn": divide(m["lost_customers"], m["prior_customers"]),
    }
    return {name: kpis[name] for name in PERIOD_KPIS}


def compound_growth(first: float, last: float, steps: int) -> float:
    """Growth rate per step from ``first`` to ``last``; NaN without a positive base."""
    if steps < 1 or not first > 0 or not last >= 0:
        return float("nan")
    return float((last / first) ** (1.0 / steps) - 1.0)
