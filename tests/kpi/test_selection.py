"""Selections are normalised, hashable values; the catalogue declares every KPI."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpi import CATALOGUE, GRAINS, Selection
from kpi.catalogue import derive_kpis, glossary, relative_change


def test_build_sorts_deduplicates_and_drops_empty_filters():
    selection = Selection.build(
        filters={"segment": ["b", "a", "b"], "region": [], "category": "Furniture"}
    )

    assert selection.filters == (("category", ("Furniture",)), ("segment", ("a", "b")))


def test_equal_selections_hash_alike():
    one = Selection.build(start=dt.date(2017, 1, 1), filters={"region": ["W", "E"]})
    two = Selection.build(start=dt.date(2017, 1, 1), filters={"region": ["E", "W"]})

    assert one == two
    assert len({one, two}) == 1


def test_unknown_grain_is_refused():
    with pytest.raises(ValueError, match="grain 'year' is not one of day, week, month"):
        Selection.build(grain="year")
    assert GRAINS == ("day", "week", "month")


def test_catalogue_declares_every_kpi_once():
    assert list(CATALOGUE) == [
        "revenue",
        "orders",
        "items",
        "aov",
        "profit",
        "margin",
        "active_customers",
        "new_customers",
        "returning_customers",
        "returning_rate",
        "revenue_per_customer",
        "churn",
        "cmgr",
    ]
    for name, spec in CATALOGUE.items():
        assert spec.name == name
        assert spec.unit in ("currency", "count", "ratio")
        assert spec.label and spec.formula.endswith(".")
    assert not CATALOGUE["churn"].higher_is_better


def test_zero_base_gives_nan_never_inf():
    change = relative_change(pd.Series([5.0, 0.0, -2.0]), pd.Series([0.0, 0.0, -4.0]))

    assert np.isnan(change).tolist() == [True, True, False]
    # A loss shrinking from -4 to -2 is an improvement: +50%.
    assert change[2] == 0.5


def test_ratios_of_empty_periods_have_no_value():
    base = pd.DataFrame(
        {
            "revenue": [0.0],
            "profit": [0.0],
            "costed_revenue": [0.0],
            "items": [0.0],
            "orders": [0.0],
            "active_customers": [0.0],
            "new_customers": [0.0],
            "prior_customers": [0.0],
            "lost_customers": [0.0],
        }
    )

    kpis = derive_kpis(base)

    assert kpis.loc[0, "revenue"] == 0.0
    assert kpis[["aov", "margin", "returning_rate", "churn"]].isna().all(axis=None)


def test_glossary_has_a_row_per_kpi():
    rows = glossary().splitlines()[2:]

    assert len(rows) == len(CATALOGUE)
    assert rows[0].startswith("| Revenue | `revenue` | Sum of the net amount")
