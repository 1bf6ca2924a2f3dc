"""Random bodies for Dash's callback endpoint: a 400 or an answer, never a 500."""

from __future__ import annotations

import json
from typing import Any

from dash import Dash
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from kpi import GRAINS, KpiCube
from tests.dash_requests import fuzz
from tests.hostile.conftest import LOGIN
from web.ondemand import EXTENSION_KEY

ANSWERED = (200, 204, 400)
FILTER_OUTPUT_PREFIX = "..url.search...filter-dates.start_date"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def plain_callbacks(app: Dash) -> dict[str, dict[str, Any]]:
    """The app's server-side callbacks without pattern-matching ids."""
    found = {}
    for key, spec in app.callback_map.items():
        outputs = (
            spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
        )
        ids = [d["id"] for d in spec["inputs"] + spec["state"]]
        ids += [o.component_id for o in outputs]
        if "callback" in spec and not any(isinstance(i, dict) for i in ids):
            found[key] = spec
    return found


def envelope(key: str, spec: dict[str, Any], values: list[Any]) -> dict[str, Any]:
    """The body the browser sends for callback ``key`` with these input values."""
    outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    deps = spec["inputs"] + spec["state"]
    items = [{**dep, "value": value} for dep, value in zip(deps, values, strict=True)]
    first = spec["inputs"][0]
    sent = [{"id": o.component_id, "property": o.component_property} for o in outputs]
    return {
        "output": key,
        "outputs": sent if key.startswith("..") else sent[0],
        "inputs": items[: len(spec["inputs"])],
        "state": items[len(spec["inputs"]) :],
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }


def post(client: FlaskClient, body: bytes | str) -> int:
    response = client.post(
        "/_dash-update-component",
        data=body,
        headers=LOGIN,
        content_type="application/json",
    )
    assert response.status_code in ANSWERED, response.get_data(as_text=True)[:300]
    return response.status_code


@fuzz(600)
@given(body=json_values)
def test_any_json_body_is_answered(client: FlaskClient, body: Any) -> None:
    post(client, json.dumps(body))


@fuzz(200)
@given(body=st.binary(max_size=200))
def test_any_bytes_are_answered(client: FlaskClient, body: bytes) -> None:
    post(client, body)


@fuzz(400)
@given(data=st.data())
def test_a_real_envelope_with_one_part_broken_is_answered(
    client: FlaskClient, sample_app: Dash, data: st.DataObject
) -> None:
    callbacks = plain_callbacks(sample_app)
    key = data.draw(st.sampled_from(sorted(callbacks)), label="callback")
    spec = callbacks[key]
    values = [None] * (len(spec["inputs"]) + len(spec["state"]))
    body = envelope(key, spec, values)
    part = data.draw(st.sampled_from(sorted(body)), label="part")
    if data.draw(st.booleans(), label="drop"):
        del body[part]
    else:
        body[part] = data.draw(json_values, label="value")

    post(client, json.dumps(body))


def browser_values(cube: KpiCube) -> dict[str, st.SearchStrategy[Any]]:
    """Values of the filter bar's inputs as its components can really send them."""
    days = st.dates().map(lambda d: d.isoformat())
    members = sorted({m for ms in cube.dimensions.values() for m in ms})
    text = st.text(max_size=15)
    return {
        "search": st.none() | text.map(lambda t: "?" + t),
        "preset": st.none() | st.sampled_from(["2017", "Last 30 days", "all"]) | text,
        "date": st.none() | days | (days.map(lambda d: d + "T00:00:00")) | text,
        "grain": st.none() | st.sampled_from(GRAINS) | text,
        "members": st.none() | st.lists(st.sampled_from(members) | text, max_size=3),
    }


@fuzz(300)
@given(data=st.data())
def test_the_filter_bar_answers_any_value_its_components_send(
    client: FlaskClient, sample_app: Dash, sample_cube: KpiCube, data: st.DataObject
) -> None:
    key = next(k for k in sample_app.callback_map if k.startswith(FILTER_OUTPUT_PREFIX))
    spec = sample_app.callback_map[key]
    kinds = browser_values(sample_cube)
    values = []
    for dep in spec["inputs"]:
        prop = dep["property"]
        kind = {"start_date": "date", "end_date": "date"}.get(prop, "")
        kind = kind or {"url": "search", "filter-preset": "preset"}.get(dep["id"], "")
        kind = kind or ("grain" if dep["id"] == "filter-grain" else "members")
        values.append(data.draw(kinds[kind], label=f"{dep['id']}.{prop}"))
    body = envelope(key, spec, values)
    trigger = data.draw(st.sampled_from(spec["inputs"]), label="trigger")
    body["changedPropIds"] = [f"{trigger['id']}.{trigger['property']}"]

    response = client.post("/_dash-update-component", json=body, headers=LOGIN)

    assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]
    if response.status_code == 200:
        answer = response.get_json()["response"]
        if "filter-grain" in answer:
            assert answer["filter-grain"]["value"] in GRAINS
        start = answer.get("filter-dates", {}).get("start_date")
        end = answer.get("filter-dates", {}).get("end_date")
        if start and end:
            assert start <= end
        for name, allowed in sample_cube.dimensions.items():
            chosen = answer.get(f"filter-{name}", {}).get("value") or []
            assert set(chosen) <= set(allowed)


@fuzz(300)
@given(data=st.data())
def test_any_callback_answers_values_of_any_json_type(
    client: FlaskClient, sample_app: Dash, data: st.DataObject
) -> None:
    callbacks = plain_callbacks(sample_app)
    key = data.draw(st.sampled_from(sorted(callbacks)), label="callback")
    spec = callbacks[key]
    count = len(spec["inputs"]) + len(spec["state"])
    values = data.draw(st.lists(json_values, min_size=count, max_size=count))
    body = envelope(key, spec, values)
    trigger = data.draw(st.sampled_from(spec["inputs"]), label="trigger")
    body["changedPropIds"] = [f"{trigger['id']}.{trigger['property']}"]

    post(client, json.dumps(body))


POLL_CALLBACKS = {
    "forecast": "..forecast-body.children...forecast-poll.disabled..",
    "overview": "..overview-trends.children...forecast-note.children"
    "...overview-poll.disabled..",
}


def poll_searches(cube: KpiCube) -> st.SearchStrategy[Any]:
    """URL searches of several members, as the filter bar writes them, or junk."""
    member_lists = {
        name: st.lists(st.sampled_from(sorted(members)), max_size=3)
        for name, members in cube.dimensions.items()
    }
    chosen = st.fixed_dictionaries(member_lists).map(
        lambda found: (
            "?" + "&".join(f"{name}={','.join(ms)}" for name, ms in found.items() if ms)
        )
    )
    return st.none() | chosen | json_values


@fuzz(200)
@given(data=st.data())
def test_the_poll_callbacks_answer_any_count_and_search_and_start_no_job(
    client: FlaskClient, sample_app: Dash, sample_cube: KpiCube, data: st.DataObject
) -> None:
    page = data.draw(st.sampled_from(sorted(POLL_CALLBACKS)), label="page")
    key = POLL_CALLBACKS[page]
    spec = sample_app.callback_map[key]
    count = st.none() | st.integers(-5, 10**9) | json_values
    values = [data.draw(count, label="n_intervals")]
    values.append(data.draw(poll_searches(sample_cube), label="search"))
    body = envelope(key, spec, values)

    response = client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        headers=LOGIN,
        content_type="application/json",
    )

    assert response.status_code in ANSWERED, response.get_data(as_text=True)[:300]
    if response.status_code == 200:
        answer = response.get_json()["response"]
        timer = "forecast-poll" if page == "forecast" else "overview-poll"
        assert answer[timer]["disabled"] in (True, False)
    # The sample's snapshot forecasts nothing, so no poll may queue a fit.
    assert sample_app.server.extensions[EXTENSION_KEY].runner.child_pids == []
