"""Running one function over many items, in-process or in a fork-based pool.

Work is cut into one batch per process, because starting a worker costs more than
a fit; results keep the input order.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


def map_batched(
    work: Callable[[Sequence[Item]], list[Outcome]],
    items: Sequence[Item],
    processes: int,
) -> list[Outcome]:
    """Apply ``work`` to batches of ``items`` and return the outcomes in order.

    Items are dealt round-robin so that long and short series share the load.
    """
    if processes <= 1 or len(items) <= 1:
        return work(items)

    count = min(processes, len(items))
    batches = [list(items[i::count]) for i in range(count)]
    with multiprocessing.get_context("fork").Pool(count) as pool:
        results = pool.map(work, batches, chunksize=1)

    ordered: list[Outcome] = [None] * len(items)  # type: ignore[list-item]
    for i, batch_result in enumerate(results):
        ordered[i::count] = batch_result
    return ordered
