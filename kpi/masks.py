"""Bit masks over dimension cells, so exact distinct counts of any filter are cheap.

A cell is one combination of dimension values (say East x Furniture x Consumer).
Each order or customer-period row carries the set of cells its lines fall in as
bits of one or more ``uint64`` words; a filter is the set of cells it keeps, and a
row matches when the two sets share a bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BITS = 64


def word_count(cells: int) -> int:
    return max(1, -(-cells // BITS))


def cell_bits(cell: np.ndarray, words: int) -> list[np.ndarray]:
    """One mask word array per word: the bit of each row's cell."""
    cell = np.asarray(cell, dtype="int64")
    bit = np.left_shift(np.uint64(1), (cell % BITS).astype("uint64"))
    return [np.where(cell // BITS == w, bit, np.uint64(0)) for w in range(words)]


def selection_bits(keep: np.ndarray) -> np.ndarray:
    """The words of a filter that keeps the cells where ``keep`` is true."""
    words = np.zeros(word_count(len(keep)), dtype="uint64")
    for cell in np.flatnonzero(keep):
        words[cell // BITS] |= np.uint64(1) << np.uint64(cell % BITS)
    return words


def matches(masks: Sequence[np.ndarray], selection: np.ndarray) -> np.ndarray:
    """Rows whose cells meet the selection's cells."""
    hit = (masks[0] & selection[0]) != 0
    for word, bits in zip(masks[1:], selection[1:], strict=True):
        if bits:
            hit |= (word & bits) != 0
    return hit


def or_by_key(
    keys: np.ndarray, masks: Sequence[np.ndarray]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Distinct ``keys`` (sorted) and, for each, the OR of its rows' masks."""
    if not len(keys):
        return keys[:0], [m[:0] for m in masks]
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    merged = [np.bitwise_or.reduceat(m[order], starts) for m in masks]
    return sorted_keys[starts], merged
