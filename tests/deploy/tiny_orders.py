"""A tiny order file in the Superstore layout, for runs of the real refresh in tests.

Every day has the same two order lines, so each full week's KPIs are equal: the
weekly series are constant and the monthly ones too short for a seasonal SARIMAX,
which keeps a whole refresh to about a second (the models are tested in forecast).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

FIRST_DAY = dt.date(2017, 1, 2)  # a Monday
LAST_DAY = dt.date(2017, 3, 12)  # a Sunday: ten full weeks
DAYS = (LAST_DAY - FIRST_DAY).days + 1
LINES_PER_DAY = 2
COLUMNS = (
    "Row ID", "Order ID", "Order Date", "Customer ID", "Segment", "Region",
    "Category", "Sales", "Quantity", "Profit",
)  # fmt: skip
# (customer, segment, region, category, sales, profit) of the two daily lines.
DAILY_LINES = (
    ("AA-10001", "Consumer", "East", "Technology", "100.00", "20.00"),
    ("BB-20002", "Corporate", "West", "Furniture", "50.50", "-5.25"),
)


def write_tiny_orders(path: Path, *, days: int = DAYS) -> Path:
    """Write ``days`` days of order lines from :data:`FIRST_DAY` to ``path``."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        row = 0
        for offset in range(days):
            day = (FIRST_DAY + dt.timedelta(days=offset)).isoformat()
            for customer, segment, region, category, sales, profit in DAILY_LINES:
                row += 1
                writer.writerow(
                    [row, f"CA-{row:06d}", day, customer, segment, region,
                     category, sales, 1, profit]
                )  # fmt: skip
    return path


def write_broken_orders(path: Path) -> Path:
    """The tiny file with an unparsable date on file line 4."""
    lines = write_tiny_orders(path, days=3).read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("2017-01-03", "2017-01-3x")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
