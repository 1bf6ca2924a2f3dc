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
    divide,
    kpi_arrays,
    relative_change,
)
from kpi.selection import Filters, Selection

SpanPair = tuple[Span, Span]  # a span and the span before it (churn's base)
# Engines hand base measures around as arrays: one row per span or period, one
# column per name in BASE_MEASURES.
Measures = np.ndarray
PeriodTable = tuple[np.ndarray, Measures]  # period start days, their measures

BREAKDOWN_KPIS = ["revenue", "profit", "margin", "orders", "active_customers"]


class Report(abc.ABC):
    """Everything a page asks of the KPIs, given an engine's base measures."""

    dimensions: Mapping[str, tuple[str, ...]]
    first_day: dt.date
    last_day: dt.date
    as_of: dt.date
    has_profit: bool
    has_quantity: bool

    @abc.abstractmethod
    def span_measures(self, spans: Sequence[SpanPair], filters: Filters) -> Measures:
        """Base measures of each span; churn counts use the pair's prior span."""

    @abc.abstractmethod
    def cohort_counts(
        self, filters: Filters, months: Span, through: int
    ) -> pd.DataFrame:
        """Active customers by cohort month and month of activity.

        Columns ``cohort`` and ``month`` (month starts as days) and ``customers``,
        for cohorts starting within ``months``, counting orders up to ``through``.
        """

    def period_measures(self, grain: str, filters: Filters) -> PeriodTable:
        """Base measures of every whole period from the first day to ``as_of``.

        The prior span of each is the whole previous period. Engines override
        this with something faster than one span per period.
        """
        first, last = cal.to_day(self.first_day), cal.to_day(self.as_of)
        starts = cal.periods(first, last, grain)
        spans = [
            (cal.period_span(int(s), grain), cal.period_span(int(p), grain))
            for s, p in zip(starts, cal.next_starts(starts, grain, -1), strict=True)
        ]
        return starts, self.span_measures(spans, filters)

    def monthly_revenue(self, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
        """Month starts and revenue of every month from the first day to ``as_of``."""
        starts, values = self.period_measures("month", filters)
        return starts, values[:, BASE_MEASURES.index("revenue")]

    # The answers -----------------------------------------------------------------

    def summary(self, sel: Selection) -> pd.DataFrame:
        """One row per KPI: value, previous, change, year_ago, yoy.

        ``change`` and ``yoy`` are relative changes for amounts and counts, and the
        difference for ratios (a margin going from 13.4% to 12.7% changed by
        -0.007, which pages write as -0.7 pt, not by -5.2%).
        """
        ranges = self._comparison_spans(sel)
        kpis = self._derive(self.span_measures(list(ranges.values()), sel.filters))
        monthly = self.monthly_revenue(sel.filters)
        cmgr = [_cmgr(*monthly, span) for span, _ in ranges.values()]
        # Rows: the KPIs; columns: the current, previous and year-ago ranges.
        table = np.vstack([*kpis.values(), cmgr])
        out = pd.DataFrame(
            {
                "value": table[:, 0],
                "previous": table[:, 1],
                "change": _change(table[:, 0], table[:, 1]),
                "year_ago": table[:, 2],
                "yoy": _change(table[:, 0], table[:, 2]),
            },
            index=pd.Index([*PERIOD_KPIS, "cmgr"], name="kpi"),
        )
        # A range that starts before the data does holds only some of its days:
        # a change against it would compare unlike spans, so there is none.
        first_day = cal.to_day(self.first_day)
        for column, name in (("change", "previous"), ("yoy", "year_ago")):
            (start, _), _ = ranges[name]
            if start < first_day:
                out[column] = np.nan
        return out.loc[list(CATALOGUE)]

    def comparison_ranges(self, sel: Selection) -> dict[str, tuple[dt.date, dt.date]]:
        """The inclusive date ranges that :meth:`summary` compares, for captions.

        Keys ``current``, ``previous`` and ``year_ago``; an empty range has its end
        before its start.
        """
        return {
            name: (cal.to_date(span[0]), cal.to_date(span[1]))
            for name, (span, _) in self._comparison_spans(sel).items()
        }

    def _comparison_spans(self, sel: Selection) -> dict[str, SpanPair]:
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
        year_starts = (
            cal.next_starts(starts, "month", -12) if grain == "month" else starts - 364
        )
        current = _rows(table, starts)
        pop_base = _rows(table, cal.next_starts(starts, grain, -1))
        yoy_base = _rows(table, year_starts)

        if partial.any():
            # Partial periods and their bases are the same days of other periods.
            where = np.flatnonzero(partial)
            spans = [(int(covered_first[i]), int(covered_last[i])) for i in where]
            current[where] = self._partial(spans, grain, 0, sel.filters)
            pop_base[where] = self._partial(spans, grain, -1, sel.filters)
            yoy_base[where] = self._partial(spans, grain, "year", sel.filters)

        kpis = self._derive(current)
        columns: dict[str, np.ndarray] = {
            "period": cal.to_timestamps(starts),
            "partial": partial,
        }
        columns.update(kpis)
        for base, suffix in ((pop_base, "pop"), (yoy_base, "yoy")):
            earlier = self._derive(base)
            for kpi in PERIOD_KPIS:
                columns[f"{kpi}_{suffix}"] = relative_change(columns[kpi], earlier[kpi])
        return pd.DataFrame(columns)

    def breakdown(self, sel: Selection, dimension: str) -> pd.DataFrame:
        """One row per value of ``dimension`` allowed by the selection."""
        values = self._allowed_values(sel, dimension)
        current = self._comparison_spans(sel)["current"]
        base = np.zeros((len(values), len(BASE_MEASURES)))
        for i, value in enumerate(values):
            narrowed = sel.with_filter(dimension, [value]).filters
            base[i] = self.span_measures([current], narrowed)[0]
        kpis = self._derive(base)
        out = pd.DataFrame(
            {name: kpis[name] for name in BREAKDOWN_KPIS},
            index=pd.Index(values, name=dimension, dtype="str"),
        )
        out["share"] = divide(out["revenue"], out["revenue"].sum())
        return out

    def contributions(self, sel: Selection, kpi: str, dimension: str) -> pd.DataFrame:
        """How each value of ``dimension`` moved an additive KPI, largest first."""
        if kpi not in ADDITIVE_KPIS:
            raise ValueError(
                f"kpi {kpi!r} is not additive; use one of {', '.join(ADDITIVE_KPIS)}"
            )
        values = self._allowed_values(sel, dimension)
        ranges = self._comparison_spans(sel)
        pair = [ranges["current"], ranges["previous"]]
        parts = np.zeros((len(values), 2))
        for i, value in enumerate(values):
            narrowed = sel.with_filter(dimension, [value]).filters
            parts[i] = self._derive(self.span_measures(pair, narrowed))[kpi]
        total = self._derive(self.span_measures(pair, sel.filters))[kpi]

        change = parts[:, 0] - parts[:, 1]
        out = pd.DataFrame(
            {
                "previous": parts[:, 1],
                "current": parts[:, 0],
                "change": change,
                "share_of_change": divide(change, total[0] - total[1]),
            },
            index=pd.Index(values, name=dimension, dtype="str"),
        )
        return out.iloc[np.argsort(-np.abs(change), kind="stable")]

    def cohorts(self, sel: Selection) -> pd.DataFrame:
        """Monthly cohort retention, long format, one row per cohort and month.

        Columns ``cohort`` (month of the first order ever), ``months_since``,
        ``customers`` (cohort members who ordered that month within the filters),
        ``cohort_size`` (members who ordered in their first month within the
        filters) and ``share`` (customers / cohort_size).
        """
        first, last = self._bounds(sel)
        if last < first:
            return _empty_cohorts()
        months = (cal.period_start(first, "month"), cal.period_start(last, "month"))
        counts = self.cohort_counts(sel.filters, months, last)
        starts = cal.periods(months[0], months[1], "month")
        cohort = np.searchsorted(starts, counts["cohort"].to_numpy())
        month = np.searchsorted(starts, counts["month"].to_numpy())
        grid = np.zeros((len(starts), len(starts)), dtype="int64")
        grid[cohort, month - cohort] = counts["customers"].to_numpy()

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
                "share": divide(customers, size),
            }
        )

    # Helpers ---------------------------------------------------------------------

    def _bounds(self, sel: Selection) -> Span:
        first = cal.to_day(sel.start) if sel.start else cal.to_day(self.first_day)
        last = cal.to_day(sel.end) if sel.end else cal.to_day(self.as_of)
        return first, min(last, cal.to_day(self.as_of))

    def _derive(self, base: Measures) -> dict[str, np.ndarray]:
        named = {name: base[:, i] for i, name in enumerate(BASE_MEASURES)}
        return kpi_arrays(
            named, has_profit=self.has_profit, has_quantity=self.has_quantity
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
    ) -> Measures:
        """Base measures of partial periods, or of their comparable spans."""
        if shift == "year":
            targets = [cal.year_earlier(s, grain) for s in spans]
        else:
            targets = [cal.shift_span(s, grain, int(shift)) for s in spans]
        pairs = [(t, cal.shift_span(t, grain, -1)) for t in targets]
        return self.span_measures(pairs, filters)


# Rows of the summary whose KPI is a ratio: their change is a difference.
_RATIO_ROWS = np.array(
    [CATALOGUE[kpi].unit == "ratio" for kpi in [*PERIOD_KPIS, "cmgr"]]
)


def _change(current: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Relative change of amounts and counts, difference of ratios."""
    difference = current - base
    return np.where(_RATIO_ROWS, difference, relative_change(current, base))


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


def _cmgr(starts: np.ndarray, revenue: np.ndarray, span: Span) -> float:
    """Compound monthly revenue growth over the complete months of ``span``."""
    first, last = span
    ends = cal.next_starts(starts, "month") - 1
    inside = np.flatnonzero((starts >= first) & (ends <= last))
    if len(inside) < 2:
        return float("nan")
    first_month, last_month = revenue[inside[0]], revenue[inside[-1]]
    return compound_growth(float(first_month), float(last_month), len(inside) - 1)


def _rows(table: PeriodTable, starts: np.ndarray) -> Measures:
    """Base measures of a period table for ``starts``; periods outside it are 0."""
    index, values = table
    position = np.searchsorted(index, starts)
    found = position < len(index)
    found[found] = index[position[found]] == starts[found]
    out = np.zeros((len(starts), len(BASE_MEASURES)))
    out[found] = values[position[found]]
    return out


def _empty_series() -> pd.DataFrame:
    columns: dict[str, pd.Series] = {
        "period": pd.Series([], dtype="datetime64[ns]"),
        "partial": pd.Series([], dtype="bool"),
    }
    names = [*PERIOD_KPIS]
    names += [f"{k}_{suffix}" for suffix in ("pop", "yoy") for k in PERIOD_KPIS]
    columns.update((name, pd.Series([], dtype="float64")) for name in names)
    return pd.DataFrame(columns)


def _empty_cohorts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cohort": pd.Series([], dtype="datetime64[ns]"),
            "months_since": pd.Series([], dtype="int64"),
            "customers": pd.Series([], dtype="int64"),
            "cohort_size": pd.Series([], dtype="int64"),
            "share": pd.Series([], dtype="float64"),
        }
    )
