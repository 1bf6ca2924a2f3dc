"""Every answer computed straight from the order lines, with plain pandas and numpy.

The readable statement of what each base measure counts: the precomputed cube must
give the same numbers, and the benchmark times it as the "recompute" baseline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpi import calendar as cal
from kpi.catalogue import BASE_MEASURES
from kpi.report import Measures, PeriodTable, Report, SpanPair
from kpi.selection import Filters


class OrderLines(Report):
    """A :class:`kpi.report.Report` over an order frame (the order schema)."""

    def __init__(
        self,
        orders: pd.DataFrame,
        *,
        dimensions: Sequence[str],
        as_of: dt.date | None = None,
    ) -> None:
        if as_of is not None:
            orders = orders[orders["order_date"] <= pd.Timestamp(as_of)]
        lines = orders.sort_values("order_date", kind="stable").reset_index(drop=True)
        self._day = _days(lines["order_date"])
        self._order = pd.factorize(lines["order_id"])[0]
        self._customer, customers = pd.factorize(lines["customer_id"])
        self._net = lines["net_amount"].to_numpy(dtype="float64")
        self._profit = lines["profit"].to_numpy(dtype="float64")
        self._quantity = lines["quantity"].to_numpy(dtype="float64", na_value=np.nan)
        self._values = {d: lines[d].astype("str").to_numpy() for d in dimensions}
        self._first_order = np.full(len(customers), np.iinfo("int64").max)
        np.minimum.at(self._first_order, self._customer, self._day)

        self.dimensions = {d: tuple(sorted(set(self._values[d]))) for d in dimensions}
        # No lines: every day is the data-through day (as_of, else 1970-01-01).
        nothing = cal.to_day(as_of) if as_of else 0
        self.first_day = cal.to_date(int(self._day[0]) if len(lines) else nothing)
        self.last_day = cal.to_date(int(self._day[-1]) if len(lines) else nothing)
        self.as_of = as_of or self.last_day
        self.has_profit = bool(np.isfinite(self._profit).any())
        self.has_quantity = bool(np.isfinite(self._quantity).any())

    def matching(self, filters: Filters) -> np.ndarray:
        """Boolean mask of the lines that pass ``filters``."""
        keep = np.ones(len(self._day), dtype=bool)
        for dimension, values in filters:
            if dimension not in self._values:
                return np.zeros(len(self._day), dtype=bool)
            keep &= np.isin(self._values[dimension], list(values))
        return keep

    def span_measures(self, spans: Sequence[SpanPair], filters: Filters) -> Measures:
        keep = self.matching(filters)
        rows = [self._measure(span, prior, keep) for span, prior in spans]
        return np.array(rows, dtype="float64").reshape(len(spans), len(BASE_MEASURES))

    def _lines(self, span: cal.Span, keep: np.ndarray) -> np.ndarray:
        start, stop = np.searchsorted(self._day, [span[0], span[1] + 1])
        positions = np.arange(start, max(start, stop))
        return positions[keep[positions]]

    def _measure(
        self, span: cal.Span, prior: cal.Span, keep: np.ndarray
    ) -> list[float]:
        lines = self._lines(span, keep)
        customers = np.unique(self._customer[lines])
        before = np.unique(self._customer[self._lines(prior, keep)])
        profit = self._profit[lines]
        known = np.isfinite(profit)
        return [
            self._net[lines].sum(),
            profit[known].sum(),
            self._net[lines][known].sum(),
            np.nansum(self._quantity[lines]),
            len(np.unique(self._order[lines])),
            len(customers),
            int((self._first_order[customers] >= span[0]).sum()),
            len(before),
            len(np.setdiff1d(before, customers, assume_unique=True)),
        ]

    def period_measures(self, grain: str, filters: Filters) -> PeriodTable:
        keep = self.matching(filters)
        period = cal.period_starts(self._day, grain)[keep]
        customer = self._customer[keep]
        profit = self._profit[keep]
        known = np.isfinite(profit)
        lines = pd.DataFrame(
            {
                "period": period,
                "revenue": self._net[keep],
                "profit": np.where(known, profit, 0.0),
                "costed_revenue": np.where(known, self._net[keep], 0.0),
                "items": np.nan_to_num(self._quantity[keep]),
                "order": self._order[keep],
                "customer": customer,
            }
        )
        first, last = cal.to_day(self.first_day), cal.to_day(self.as_of)
        starts = pd.Index(cal.periods(first, last, grain))
        groups = lines.groupby("period")
        table = groups[["revenue", "profit", "costed_revenue", "items"]].sum()
        table = table.reindex(starts, fill_value=0.0)
        table["orders"] = groups["order"].nunique()
        table["active_customers"] = groups["customer"].nunique()

        pairs = lines[["period", "customer"]].drop_duplicates()
        first_period = cal.period_starts(self._first_order, grain)
        is_new = (
            first_period[pairs["customer"].to_numpy()] == pairs["period"].to_numpy()
        )
        table["new_customers"] = pairs[is_new].groupby("period").size()
        # Each customer-period pair, moved to the next period: that period's base.
        shifted = pairs.assign(period=cal.next_starts(pairs["period"], grain))
        retained = shifted.merge(pairs, on=["period", "customer"]).groupby("period")
        table["prior_customers"] = shifted.groupby("period").size()
        table["lost_customers"] = table["prior_customers"] - retained.size().reindex(
            starts, fill_value=0
        )
        table = table.fillna(0.0)
        return starts.to_numpy(), table[list(BASE_MEASURES)].to_numpy(dtype="float64")

    def cohort_counts(
        self, filters: Filters, months: cal.Span, through: int
    ) -> pd.DataFrame:
        keep = self.matching(filters) & (self._day <= through)
        month = cal.period_starts(self._day[keep], "month")
        customer = self._customer[keep]
        cohort = cal.period_starts(self._first_order, "month")[customer]
        pairs = pd.DataFrame({"cohort": cohort, "month": month, "customer": customer})
        pairs = pairs[(pairs["cohort"] >= months[0]) & (pairs["cohort"] <= months[1])]
        pairs = pairs.drop_duplicates()
        members = pairs.loc[pairs["month"] == pairs["cohort"], "customer"].unique()
        pairs = pairs[pairs["customer"].isin(members)]
        counts = pairs.groupby(["cohort", "month"]).size().rename("customers")
        return counts.reset_index()


def _days(dates: pd.Series) -> np.ndarray:
    return (
        dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype("int64")
    )
