"""The README's glossary is the catalogue's, word for word."""

from __future__ import annotations

from kpi import CATALOGUE
from kpi.catalogue import glossary
from scripts.write_glossary import README, with_glossary


def test_readme_glossary_matches_the_catalogue() -> None:
    readme = README.read_text(encoding="utf-8")

    assert with_glossary(readme) == readme, "run: python scripts/write_glossary.py"


def test_every_kpi_has_one_glossary_row() -> None:
    rows = glossary().splitlines()[2:]

    assert len(rows) == len(CATALOGUE)
    assert rows[0].startswith("| Revenue | `revenue` | Sum of the net amount")
