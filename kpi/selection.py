"""What a user asks for: a date range, dimension filters and a grain.

A :class:`Selection` is a hashable value; it says nothing about how answers are
computed (see :mod:`kpi.report`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping

GRAINS = ("day", "week", "month")  # weeks start on Monday

Filters = tuple[tuple[str, tuple[str, ...]], ...]


@dataclasses.dataclass(frozen=True)
class Selection:
    """Inclusive date range (None: the data's first or last day), filters, grain.

    ``filters`` pairs a dimension with the values it keeps, sorted and deduplicated;
    a dimension without values keeps everything and is dropped. Build one with
    :meth:`build` rather than by hand.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    filters: Filters = ()
    grain: str = "month"

    def __post_init__(self) -> None:
        if self.grain not in GRAINS:
            raise ValueError(f"grain {self.grain!r} is not one of {', '.join(GRAINS)}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, dt.datetime):
                object.__setattr__(self, name, value.date())

    @classmethod
    def build(
        cls,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        filters: Mapping[str, Iterable[str]] | None = None,
        grain: str = "month",
    ) -> Selection:
        """A selection with ``filters`` normalised: sorted, deduplicated, non-empty."""
        return cls(
            start=start, end=end, filters=normalise_filters(filters), grain=grain
        )

    def with_filter(self, dimension: str, values: Iterable[str]) -> Selection:
        """This selection with ``dimension`` narrowed to ``values``."""
        kept = dict(self.filters)
        kept[dimension] = tuple(values)
        return dataclasses.replace(self, filters=normalise_filters(kept))


def normalise_filters(filters: Mapping[str, Iterable[str]] | None) -> Filters:
    """Sorted ``(dimension, values)`` pairs, dimensions without values dropped."""
    if not filters:
        return ()
    pairs = []
    for dimension, values in filters.items():
        if isinstance(values, str):
            values = (values,)
        kept = tuple(sorted({str(v) for v in values}))
        if kept:
            pairs.append((str(dimension), kept))
    return tuple(sorted(pairs))
