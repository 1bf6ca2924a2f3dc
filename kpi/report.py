"""Answers to a selection (summary, series, breakdown, ...) built from base measures.

:class:`Report` owns the calendar logic and the KPI formulas; an engine subclass
only counts base measures for spans of days (:mod:`kpi.direct` from order lines,
:mod:`kpi.cube` from precomputed frames).
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kpi import calendar as cal
from kpi.calendar import Span
from kpi.catalogue import (
    ADDITIVE_KPIS,
    BASE_MEASURES,
    CATALOGUE,
    PERIOD_KPIS,
    compound_growth,
    derive_kpis,
    divide,
    relative_change,
)
from kpi.selection import Filters, Selection

SpanPair = tuple[Span, Span]  # a span and the span before it (churn's base)

SUMMARY_COLUMNS = ["value", "previous", "change", "year_ago", "yoy"]
BREAKDOWN_COLUMNS = ["revenue", "profit", "margin", "orders", "active_customers"]


class Report(abc.ABC):
    """Everything a page asks of the KPIs, given an engine's base measures."""

    dimensions: Mapping[str, tuple[str, ...]]
    first_day: dt.date
    last_day: dt.date
    as_of: dt.date
    has_profit: bool
    has_quantity: bool

    @abc.abstractmethod
    def span_measures(
        self, spans: Sequence[SpanPair], filters: Filters
    ) -> pd.DataFrame:
        """Base measures (columns :data:`BASE_MEASURES`), one row per span pair."""

    @abc.abstractmethod
    def cohort_counts(
        self, filters: Filters, months: Span, through: int
    ) -> pd.DataFrame:
        """Active customers by cohort month and month of activity.

        Columns ``cohort`` and ``month`` (month starts as days) and ``customers``,
        for cohorts starting within ``months``, counting orders up to ``through``.
        """

    def period_measures(self, grain: str, filters: Filters) -> pd.DataFrame:
        """Base measures of every whole period from the first day to ``as_of``.

        Indexed by period start (a day number); the prior span is the whole
        previous period. Engines override this with something faster.
        """
        first, last = cal.to_day(self.first_day), cal.to_day(self.as_of)
        starts = cal.periods(first, last, grain)
        spans = [
            (cal.period_span(int(s), grain), cal.period_span(int(p), grain))
            for s, p in zip(starts, cal.next_starts(starts, grain, -1), strict=True)
        ]
        return self.span_measures(spans, filters).set_axis(starts)

    # The answers -----------------------------------------------------------------

    def summary(self, sel: Selection) -> pd.DataFrame:
        """One row per KPI: value, previous, change, year_ago, yoy."""
        ranges = self.comparison_ranges(sel)
        base = self.span_measures(list(ranges.values()), sel.filters)
        kpis = self._derive(base).set_axis(list(ranges))
        monthly = self.period_measures("month", sel.filters)["revenue"]
        cmgr = [_cmgr(monthly, span) for span, _ in ranges.values()]
        table = kpis.assign(cmgr=cmgr).T
        table = table.loc[list(CATALOGUE)]
        out = pd.DataFrame(
            {
                "value": table["current"],
                "previous": table["previous"],
                "change": relative_change(table["current"], table["previous"]),
                "year_ago": table["year_ago"],
                "yoy": relative_change(table["current"], table["year_ago"]),
            }
        )
        out.index.name = "kpi"
        return out.astype("float64")

    def comparison_ranges(self, sel: Selection) -> dict[str, SpanPair]:
        """The current, previous and year-ago spans of ``sel``, each with its prior.

        The current span ends at ``as_of`` at the latest; when that cuts it short,
        the other two are cut to the same days.
        """
        first, last = self._bounds(sel)
        nominal_end = cal.to_day(sel.end) if sel.end else cal.to_day(self.as_of)
        nominal = (first, max(nominal_end, first - 1))
        previous_nominal, previous = _previous(nominal, last)
        year_nominal = (cal.shift_year(nominal[0]), cal.shift_year(nominal[1]))
        year_last = cal.shift_year(last) if last >= first else year_nominal[0] - 1
        year = (year_nominal[0], year_last)
        return {
            "current": ((first, last), previous),
            "previous": (previous, _previous(previous_nominal, previous[1])[1]),
            "year_ago": (year, _previous(year_nominal, year_last)[1]),
        }

    def series(self, sel: Selection) -> pd.DataFrame:
        """One row per period of ``sel.grain``: KPIs and their growth."""
        grain = sel.grain
        first, last = self._bounds(sel)
        starts = cal.periods(first, last, grain)
        if not len(starts):
            return _empty_series()

        ends = cal.next_starts(starts, grain) - 1
        covered_first = np.maximum(starts, first)
        covered_last = np.minimum(ends, last)
        partial = (covered_first != starts) | (covered_last != ends)
        table = self.period_measures(grain, sel.filters)
        previous_starts = cal.next_starts(starts, grain, -1)
        year_starts = (
            cal.next_starts(starts, "month", -12) if grain == "month" else starts - 364
        )
        current = _rows(table, starts)
        pop_base = _rows(table, previous_starts)
        yoy_base = _rows(table, year_starts)

        if partial.any():
            where = np.flatnonzero(partial)
            spans = [(int(covered_first[i]), int(covered_last[i])) for i in where]
            current.iloc[where] = self._partial(spans, grain, 0, sel.filters)
            pop_base.iloc[where] = self._partial(spans, grain, -1, sel.filters)
            yoy_base.iloc[where] = self._partial(spans, grain, "year", sel.filters)

        kpis = self._derive(current)
        out = pd.DataFrame({"period": cal.to_timestamps(starts), "partial": partial})
        out = pd.concat([out, kpis.reset_index(drop=True)], axis=1)
        growth = {}
        for base, suffix in (
            (self._derive(pop_base), "pop"),
            (self._derive(yoy_base), "yoy"),
        ):
            for kpi in PERIOD_KPIS:
                growth[f"{kpi}_{suffix}"] = relative_change(
                    kpis[kpi], base[kpi]
                ).to_numpy()
        return pd.concat([out, pd.DataFrame(growth)], axis=1)

    def breakdown(self, sel: Selection, dimension: str) -> pd.DataFrame:
        """One row per value of ``dimension`` allowed by the selection."""
        values = self._allowed_values(sel, dimension)
        current, _ = self.comparison_ranges(sel)["current"]
        rows = [
            self.span_measures(
                [(current, current)], sel.with_filter(dimension, [v]).filters
            )
            for v in values
        ]
        base = _stack(rows, values)
        kpis = self._derive(base)
        out = kpis[["revenue", "profit", "margin", "orders", "active_customers"]].copy()
        out["share"] = divide(
            out["revenue"], pd.Series(out["revenue"].sum(), out.index)
        )
        out.index.name = dimension
        return out

    def contributions(self, sel: Selection, kpi: str, dimension: str) -> pd.DataFrame:
        """How each value of ``dimension`` moved an additive KPI, largest first."""
        if kpi not in ADDITIVE_KPIS:
            raise ValueError(
                f"kpi {kpi!r} is not additive; use one of {', '.join(ADDITIVE_KPIS)}"
            )
        values = self._allowed_values(sel, dimension)
        ranges = self.comparison_ranges(sel)
        pair = [ranges["current"], ranges["previous"]]
        rows = [
            self._derive(
                self.span_measures(pair, sel.with_filter(dimension, [v]).filters)
            )[kpi].to_numpy()
            for v in values
        ]
        matrix = np.array(rows, dtype="float64").reshape(len(values), 2)
        out = pd.DataFrame(
            {"previous": matrix[:, 1], "current": matrix[:, 0]},
            index=pd.Index(values, name=dimension, dtype="str"),
        )
        out["change"] = out["current"] - out["previous"]
        total = self._derive(self.span_measures(pair, sel.filters))[kpi]
        out["share_of_change"] = divide(
            out["change"], pd.Series(total.iloc[0] - total.iloc[1], out.index)
        )
        order = np.argsort(-out["change"].abs().to_numpy(), kind="stable")
        return out.iloc[order]

    def cohorts(self, sel: Selection) -> pd.DataFrame:
        """Monthly cohort retention, long format, one row per cohort and month.

        Columns ``cohort`` (month of the first order ever), ``months_since``,
        ``customers`` (cohort members who ordered that month within the filters),
        ``cohort_size`` (members who ordered in their first month within the
        filters) and ``share`` (customers / cohort_size).
        """
        first, last = self._bounds(sel)
        columns = ["cohort", "months_since", "customers", "cohort_size", "share"]
        if last < first:
            return pd.DataFrame({c: [] for c in columns}).astype(
                {"cohort": "datetime64[ns]", "months_since": "int64"}
            )
        months = (cal.period_start(first, "month"), cal.period_start(last, "month"))
        counts = self.cohort_counts(sel.filters, months, last)
        starts = cal.periods(months[0], months[1], "month")
        index = {int(s): i for i, s in enumerate(starts)}
        grid = np.zeros((len(starts), len(starts)), dtype="int64")
        for cohort, month, customers in counts.itertuples(index=False):
            grid[index[int(cohort)], index[int(month)] - index[int(cohort)]] = customers
        cohort_i, month_i = np.triu_indices(len(starts))
        since = month_i - cohort_i
        size = grid[cohort_i, 0]
        customers = grid[cohort_i, since]
        return pd.DataFrame(
            {
                "cohort": cal.to_timestamps(starts[cohort_i]),
                "months_since": since.astype("int64"),
                "customers": customers,
                "cohort_size": size,
                "share": divide(pd.Series(customers), pd.Series(size)).to_numpy(),
            }
        )

    # Helpers ---------------------------------------------------------------------

    def _bounds(self, sel: Selection) -> Span:
        first = cal.to_day(sel.start) if sel.start else cal.to_day(self.first_day)
        last = cal.to_day(sel.end) if sel.end else cal.to_day(self.as_of)
        return first, min(last, cal.to_day(self.as_of))

    def _derive(self, base: pd.DataFrame) -> pd.DataFrame:
        return derive_kpis(
            base, has_profit=self.has_profit, has_quantity=self.has_quantity
        )

    def _allowed_values(self, sel: Selection, dimension: str) -> tuple[str, ...]:
        if dimension not in self.dimensions:
            raise ValueError(
                f"dimension {dimension!r} is unknown; use one of "
                f"{', '.join(self.dimensions)}"
            )
        allowed = dict(sel.filters).get(dimension)
        values = self.dimensions[dimension]
        return tuple(v for v in values if allowed is None or v in allowed)

    def _partial(
        self, spans: list[Span], grain: str, shift: int | str, filters: Filters
    ) -> np.ndarray:
        """Base measures of partial periods, or of their comparable spans."""
        if shift == "year":
            targets = [cal.year_earlier(s, grain) for s in spans]
        else:
            targets = [cal.shift_span(s, grain, int(shift)) for s in spans]
        pairs = [(t, cal.shift_span(t, grain, -1)) for t in targets]
        return self.span_measures(pairs, filters)[list(BASE_MEASURES)].to_numpy()


def _previous(nominal: Span, last: int) -> tuple[Span, Span]:
    """The nominal range before ``nominal`` and its part comparable with ``last``.

    A range of whole months is compared with as many whole months, day offsets
    kept; any other range with the same number of days just before it.
    """
    first, nominal_last = nominal
    before = cal.previous_range(nominal)
    if last < first:
        return before, (before[0], before[0] - 1)
    if last >= nominal_last:
        return before, before
    if cal.is_whole_months(nominal):
        months = _months_between(before[0], first)
        return before, (before[0], min(cal.add_months(last, -months), before[1]))
    return before, cal.cut(before, last - first + 1)


def _months_between(earlier: int, later: int) -> int:
    a, b = cal.to_date(earlier), cal.to_date(later)
    return (b.year - a.year) * 12 + b.month - a.month


def _cmgr(monthly: pd.Series, span: Span) -> float:
    """Compound monthly revenue growth over the complete months of ``span``."""
    first, last = span
    starts = monthly.index.to_numpy()
    ends = cal.next_starts(starts, "month") - 1
    inside = (starts >= first) & (ends <= last)
    if inside.sum() < 2:
        return float("nan")
    values = monthly.to_numpy()[inside]
    return compound_growth(float(values[0]), float(values[-1]), int(inside.sum()) - 1)


def _rows(table: pd.DataFrame, starts: np.ndarray) -> pd.DataFrame:
    """Rows of a period table for ``starts``; periods outside it count zero."""
    return (
        table.reindex(starts, fill_value=0)[list(BASE_MEASURES)]
        .astype("float64")
        .reset_index(drop=True)
    )


def _stack(rows: list[pd.DataFrame], values: Sequence[str]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=list(BASE_MEASURES), dtype="float64").set_axis(
            pd.Index([], dtype="str"), axis=0
        )
    return pd.concat(rows).set_axis(pd.Index(values, dtype="str"))


def _empty_series() -> pd.DataFrame:
    columns: dict[str, pd.Series] = {
        "period": pd.Series([], dtype="datetime64[ns]"),
        "partial": pd.Series([], dtype="bool"),
    }
    for name in PERIOD_KPIS:
        columns[name] = pd.Series([], dtype="float64")
    for suffix in ("pop", "yoy"):
        for name in PERIOD_KPIS:
            columns[f"{name}_{suffix}"] = pd.Series([], dtype="float64")
    return pd.DataFrame(columns)
