"""The KPI cube a web worker builds once per snapshot from the precomputed frames.

Additive measures come from dense day x cell sums; orders and customers from the
bit-masked rows of :mod:`kpi.frames`, so every distinct count is exact for any
filter and costs a few vectorised passes.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kpi import calendar as cal
from kpi import masks
from kpi.catalogue import BASE_MEASURES
from kpi.frames import ADDITIVE_SUMS, FRAMES_VERSION, period_numbers
from kpi.report import Measures, PeriodTable, Report, SpanPair
from kpi.selection import GRAINS, Filters

RECENT_FILTERS = 8  # working sets kept per cube: a page and its breakdowns


@dataclasses.dataclass(frozen=True)
class _Rows:
    """Bit-masked rows sorted by ``period``: orders (period = day) or customers."""

    period: np.ndarray
    masks: list[np.ndarray]
    customer: np.ndarray
    prev: np.ndarray
    first: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, period: str) -> _Rows:
        words = sorted(c for c in frame.columns if c.startswith("mask_"))
        empty = np.empty(0, dtype="int32")
        return cls(
            period=frame[period].to_numpy(dtype="int32"),
            masks=[frame[w].to_numpy(dtype="uint64") for w in words],
            customer=frame["customer"].to_numpy("int32")
            if "customer" in frame
            else empty,
            prev=frame["prev"].to_numpy("int32") if "prev" in frame else empty,
            first=frame["first"].to_numpy(bool) if "first" in frame else empty,
        )

    @property
    def nbytes(self) -> int:
        arrays = [self.period, *self.masks, self.customer, self.prev, self.first]
        return sum(a.nbytes for a in arrays)

    def span(self, first: int, last: int) -> slice:
        """The rows whose period lies between ``first`` and ``last``."""
        bounds = np.array([first, last + 1], dtype=self.period.dtype)
        lo, hi = np.searchsorted(self.period, bounds)
        return slice(int(lo), int(hi))


@dataclasses.dataclass(frozen=True)
class _Links:
    """Rows whose customer also ordered in the period before, and that row."""

    row: np.ndarray
    prev: np.ndarray
    bounds: np.ndarray  # runs of links per period

    @classmethod
    def of(cls, rows: _Rows, periods: int) -> _Links:
        row = np.flatnonzero(rows.prev >= 0).astype("int32")
        return cls(row, rows.prev[row], _bounds(rows.period[row], periods))

    @property
    def nbytes(self) -> int:
        return self.row.nbytes + self.prev.nbytes + self.bounds.nbytes


@dataclasses.dataclass(frozen=True)
class _Grain:
    """A grain's customer rows and where its periods start and end."""

    rows: _Rows
    period_of_day: np.ndarray  # period number of each day index
    ends: np.ndarray  # position after each period's last day in running sums
    bounds: np.ndarray  # runs of rows per period
    links: _Links

    @classmethod
    def build(cls, frame: pd.DataFrame, grain: str, first: int, days: int) -> _Grain:
        rows = _Rows.from_frame(frame, "period")
        period = period_numbers(np.arange(days), first, grain)
        ends = np.flatnonzero(np.r_[period[1:] != period[:-1], True]) + 1
        return cls(
            rows=rows,
            period_of_day=period,
            ends=ends,
            bounds=_bounds(rows.period, len(ends)),
            links=_Links.of(rows, len(ends)),
        )

    @property
    def nbytes(self) -> int:
        arrays = (self.period_of_day, self.ends, self.bounds)
        return self.rows.nbytes + self.links.nbytes + sum(a.nbytes for a in arrays)


@dataclasses.dataclass
class _Working:
    """What one filter needs again and again: kept cells and matched rows."""

    selection: np.ndarray  # mask words of the kept cells
    sums: np.ndarray  # running additive sums, measure x (day + 1)
    orders: np.ndarray  # running order count, day + 1
    matched: dict[str, np.ndarray]  # customer rows that match, by grain


class KpiCube(Report):
    """Answers selections from the frames :func:`kpi.precompute` made."""

    def __init__(self, frames: Mapping[str, pd.DataFrame]) -> None:
        meta = frames["kpi_meta"].iloc[0]
        if int(meta["version"]) != FRAMES_VERSION:
            raise ValueError(
                f"KPI frames of version {meta['version']!r} need version "
                f"{FRAMES_VERSION}; run the refresh again"
            )
        self._first = int(meta["first_day"])
        self._days = int(meta["as_of"]) - self._first + 1
        self.first_day = cal.to_date(self._first)
        self.last_day = cal.to_date(int(meta["last_day"]))
        self.as_of = cal.to_date(int(meta["as_of"]))
        self.has_profit = bool(meta["has_profit"])
        self.has_quantity = bool(meta["has_quantity"])

        self._cells = frames["kpi_cells"].reset_index(drop=True)
        names = [d for d in str(meta["dimensions"]).split(",") if d]
        self.dimensions = {
            d: tuple(sorted(self._cells[d].astype("str").unique())) for d in names
        }
        self._sums = _dense_sums(frames["kpi_sums"], self._days, len(self._cells))
        self._orders = _Rows.from_frame(frames["kpi_orders"], "day")
        self._order_bounds = _bounds(self._orders.period, self._days)
        self._first_order = frames["kpi_customers"]["first_day"].to_numpy("int32")
        self._grains = {
            g: _Grain.build(frames[f"kpi_customer_{g}s"], g, self._first, self._days)
            for g in GRAINS
        }
        self._cell_values = {
            d: self._cells[d].astype("str").to_numpy(dtype=object) for d in names
        }
        self._lock = threading.Lock()
        self._recent: collections.OrderedDict[Filters, _Working] = (
            collections.OrderedDict()
        )

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame]) -> KpiCube:
        return cls(frames)

    @property
    def nbytes(self) -> int:
        """Memory held by the cube's arrays, in bytes (working sets excluded)."""
        fixed = self._sums.nbytes + self._first_order.nbytes + self._orders.nbytes
        return fixed + sum(grain.nbytes for grain in self._grains.values())

    # Engine primitives -----------------------------------------------------------

    def span_measures(self, spans: Sequence[SpanPair], filters: Filters) -> Measures:
        work = self._working(filters)
        seen: dict[cal.Span, np.ndarray] = {}

        def customers(span: cal.Span) -> np.ndarray:
            if span not in seen:
                seen[span] = self._seen(work, *span)
            return seen[span]

        rows = []
        for span, prior in spans:
            a, b = self._index(span)
            now, before = customers((a, b)), customers(self._index(prior))
            rows.append(
                [
                    *(work.sums[:, b + 1] - work.sums[:, a]),
                    work.orders[b + 1] - work.orders[a],
                    np.count_nonzero(now),
                    np.count_nonzero(now & (self._first_order >= a)),
                    np.count_nonzero(before),
                    np.count_nonzero(before & ~now),
                ]
            )
        return np.array(rows, dtype="float64").reshape(len(spans), len(BASE_MEASURES))

    def period_measures(self, grain: str, filters: Filters) -> PeriodTable:
        work = self._working(filters)
        ends = self._grains[grain].ends
        # Period sums are differences of the running day sums at period ends.
        table = {
            name: np.diff(work.sums[i, ends], prepend=0.0)
            for i, name in enumerate(ADDITIVE_SUMS)
        }
        table["orders"] = np.diff(work.orders[ends], prepend=0.0)

        periods = self._grains[grain]
        matched = self._matched(work, grain)
        # A customer is kept when their rows of this and the previous period match.
        links = periods.links
        kept = matched[links.row] & matched[links.prev]
        active = _counts(matched, periods.bounds)
        prior = np.r_[0, active[:-1]]
        table["active_customers"] = active
        table["new_customers"] = _counts(matched & periods.rows.first, periods.bounds)
        table["prior_customers"] = prior
        table["lost_customers"] = prior - _counts(kept, links.bounds)
        starts = cal.periods(self._first, cal.to_day(self.as_of), grain)
        return starts, np.column_stack([table[name] for name in BASE_MEASURES])

    def monthly_revenue(self, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
        revenue = self._working(filters).sums[0, self._grains["month"].ends]
        starts = cal.periods(self._first, cal.to_day(self.as_of), "month")
        return starts, np.diff(revenue, prepend=0.0)

    def cohort_counts(
        self, filters: Filters, months: cal.Span, through: int
    ) -> pd.DataFrame:
        period, customer = self._month_activity(self._working(filters), through)
        first_month = period_numbers(self._first_order, self._first, "month")
        low, high = self._month_number(months[0]), self._month_number(months[1])
        cohort = first_month[customer]
        member = np.zeros(len(self._first_order), dtype=bool)
        member[customer[(period == cohort) & (cohort >= low) & (cohort <= high)]] = True
        keep = member[customer]
        width = int(period.max(initial=0)) + 1
        cells, counts = np.unique(
            cohort[keep].astype("int64") * width + period[keep], return_counts=True
        )
        starts = cal.periods(self._first, cal.to_day(self.as_of), "month")
        return pd.DataFrame(
            {
                "cohort": starts[cells // width],
                "month": starts[cells % width],
                "customers": counts,
            }
        )

    # Helpers ---------------------------------------------------------------------

    def _working(self, filters: Filters) -> _Working:
        """The working set of ``filters``, kept for the few most recent filters."""
        with self._lock:
            if filters in self._recent:
                self._recent.move_to_end(filters)
                return self._recent[filters]

        keep = np.ones(len(self._cells), dtype=bool)
        for dimension, values in filters:
            if dimension not in self.dimensions:
                keep[:] = False
                break
            keep &= np.isin(self._cell_values[dimension], list(values))
        selection = masks.selection_bits(keep)
        matched_orders = masks.matches(self._orders.masks, selection)
        order_days = _counts(matched_orders, self._order_bounds)
        work = _Working(
            selection=selection,
            sums=_running(self._sums @ keep.astype("float64")),
            orders=_running(order_days.astype("float64")[np.newaxis, :])[0],
            matched={},
        )
        with self._lock:
            self._recent[filters] = work
            while len(self._recent) > RECENT_FILTERS:
                self._recent.popitem(last=False)
        return work

    def _matched(self, work: _Working, grain: str) -> np.ndarray:
        if grain not in work.matched:
            rows = self._grains[grain].rows
            work.matched[grain] = masks.matches(rows.masks, work.selection)
        return work.matched[grain]

    def _month_number(self, day: int) -> int:
        offset = np.array([day - self._first])
        return int(period_numbers(offset, self._first, "month")[0])

    def _index(self, span: cal.Span) -> cal.Span:
        """Day indexes of ``span`` clipped to the data; empty stays empty."""
        a = max(span[0] - self._first, 0)
        b = min(span[1] - self._first, self._days - 1)
        return (a, b) if a <= b else (0, -1)

    def _seen(self, work: _Working, a: int, b: int) -> np.ndarray:
        """Which customers had a matching order between day indexes a and b."""
        seen = np.zeros(len(self._first_order), dtype=bool)
        if a > b:
            return seen
        days = self._grains["day"].rows
        rows = days.span(a, b)
        seen[days.customer[rows][self._matched(work, "day")[rows]]] = True
        return seen

    def _month_activity(
        self, work: _Working, through: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (month number, customer) pairs with matching orders up to a day."""
        rows = self._grains["month"].rows
        if through < self._first:
            return rows.period[:0], rows.customer[:0]
        last = self._month_number(min(through, self._first + self._days - 1))
        matched = self._matched(work, "month") & (rows.period < last)
        # The last month may be cut short by ``through``: read it from the day rows.
        a, b = self._index((cal.period_start(through, "month"), through))
        tail = np.flatnonzero(self._seen(work, a, b))
        return (
            np.r_[rows.period[matched], np.full(len(tail), last, dtype="int32")],
            np.r_[rows.customer[matched], tail.astype("int32")],
        )


def _dense_sums(sums: pd.DataFrame, days: int, cells: int) -> np.ndarray:
    """The additive sums as one array: measure x day x cell."""
    dense = np.zeros((len(ADDITIVE_SUMS), days, cells), dtype="float64")
    day = sums["day"].to_numpy()
    cell = sums["cell"].to_numpy()
    for i, name in enumerate(ADDITIVE_SUMS):
        dense[i, day, cell] = sums[name].to_numpy(dtype="float64")
    return dense


def _bounds(period: np.ndarray, periods: int) -> np.ndarray:
    """Row bounds of each period in rows sorted by period: periods + 1 positions."""
    return np.searchsorted(period, np.arange(periods + 1, dtype=period.dtype))


def _counts(flags: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """How many flags are set in each run of rows ``bounds[i]:bounds[i + 1]``."""
    # A trailing False makes every start a valid index; empty runs are zeroed.
    padded = np.r_[flags, False]
    starts = bounds[:-1]
    counts = np.add.reduceat(padded, starts, dtype=np.int32)
    counts[starts == bounds[1:]] = 0
    return counts


def _running(values: np.ndarray) -> np.ndarray:
    """Cumulative sums along the last axis with a leading zero column."""
    zero = np.zeros((*values.shape[:-1], 1), dtype=values.dtype)
    return np.concatenate([zero, np.cumsum(values, axis=-1)], axis=-1)
