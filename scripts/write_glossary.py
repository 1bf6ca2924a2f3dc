"""Write the README's KPI glossary from the catalogue, so the two never disagree.

``python scripts/write_glossary.py`` rewrites the part of README.md between the
glossary markers; ``--check`` only reports whether it is up to date (exit 1 if not).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import PROJECT_ROOT
from kpi.catalogue import glossary

README = PROJECT_ROOT / "README.md"
START, END = "<!-- glossary:start -->", "<!-- glossary:end -->"


def with_glossary(readme: str) -> str:
    """``readme`` with the text between the markers replaced by the glossary."""
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"README.md lacks the markers {START} and {END}")
    return f"{head}{START}\n{glossary()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="check, write nothing")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = with_glossary(current)
    if args.check:
        if current != wanted:
            print("README.md's glossary is out of date: run scripts/write_glossary.py")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
