"""AML feeds the dispatch ranking (issues 17 and 19), end to end over HTTP: a caller waits with only
the operator's cell location on their incident, officers are suggested nearest to that point; their
handset's AML position arrives, and the suggestions are ranked from the handset's position instead."""

from __future__ import annotations

import aiohttp
import pytest

from cc112_pbx.harness import Switchboard
from tests.api.conftest import Api
from tests.api.test_aml_over_http import OPERATOR_TOKEN, Aml, form, sender
from tests.api.test_dispatch_api import _osmand

CELL = (-6.9700, 110.4200)  # the operator's cell location: north of Simpang Lima
HANDSET = (-7.0100, 110.4200)  # where the handset really is (GNSS): ~4.4 km south of the cell
NORTH = (-6.9720, 110.4200)  # an officer ~220 m from the cell, ~4.2 km from the handset
SOUTH = (-7.0130, 110.4200)  # an officer ~330 m from the handset, ~4.7 km from the cell


@pytest.fixture
async def switchboard(tmp_path):
    async with Switchboard(tmp_path, seats=2, api=True, queue={"wrapup_time": 0},
                           aml={"senders": (sender("operator", OPERATOR_TOKEN),), "match_window": 300},
                           dispatch={"routing_url": "", "stale_after": 600}) as sb:  # no router: haversine
        async with aiohttp.ClientSession() as http:
            api = Api(sb, http, admin=await sb.api_token("adi", "admin"),
                      supervisor=await sb.api_token("sri", "supervisor"),
                      taker=await sb.api_token("tono", "call_taker", seat="seat01"),
                      other_taker=await sb.api_token("tini", "call_taker", seat="seat02"))
            yield api, Aml(sb, http, api.admin)


async def _suggested(api: Api, incident_id: int) -> dict:
    return await api.json("GET", f"/api/incidents/{incident_id}/dispatch-suggestions", api.supervisor)


async def test_the_aml_position_of_a_waiting_caller_ranks_the_officer_nearest_to_the_handset_first(switchboard):
    api, aml = switchboard
    police = await api.json("POST", "/api/agencies", api.admin, expect=201, json={
        "code": "polrestabes", "name": "Polrestabes Semarang", "kind": "police", "categories": ["police"]})
    north, south = [await api.json("POST", "/api/officers", api.admin, expect=201, json={
        "agency_id": police["id"], "name": f"Officer {name}", "callsign": name.upper(), "device_id": f"dev-{name}"})
        for name in ("north", "south")]
    await _osmand(api, north, NORTH)
    await _osmand(api, south, SOUTH)

    number = "+6281234562001"
    call = aml.sb.emulator.place_call(number=number)  # no seat logged in: the caller waits
    incident_id = await aml.incident_of_waiting_call(number)
    await api.json("PATCH", f"/api/incidents/{incident_id}", api.supervisor, json={
        "category": "police", "latitude": CELL[0], "longitude": CELL[1], "location_source": "network"})
    before = await _suggested(api, incident_id)
    assert (before["scene"]["source"], before["scene"]["lat"]) == ("network", CELL[0])
    assert [o["officer_id"] for o in before["officers"]] == [north["id"], south["id"]]
    [dispatch] = (await api.json("POST", f"/api/incidents/{incident_id}/dispatches", api.supervisor, expect=201,
                                 json={"agency_id": police["id"]}))["dispatches"]
    assert dispatch["scene"]["source"] == "network"

    result = await aml.post("/api/aml", data=form(number, lt=str(HANDSET[0]), lg=str(HANDSET[1]), rd="12"))
    assert result["matched"] is True and result["incident_id"] == incident_id
    # the dispatch sent before the position arrived leads its officer to the handset's position
    sent = await api.json("GET", f"/api/dispatches/{dispatch['id']}", api.supervisor)
    assert sent["scene"]["source"] == "aml" and (sent["scene"]["lat"], sent["scene"]["lon"]) == HANDSET

    after = await _suggested(api, incident_id)
    assert after["scene"]["source"] == "aml"
    assert (after["scene"]["lat"], after["scene"]["lon"]) == HANDSET
    ranked = [(o["officer_id"], o["source"]) for o in after["officers"]]
    assert ranked == [(south["id"], "haversine"), (north["id"], "haversine")]
    assert 250 < after["officers"][0]["distance_m"] < 420  # measured from the handset, not from the cell
    # the dispatch sent before the position arrived: the agency assigns the nearest, whose ETA and
    # navigation (the dispatch's scene) are the handset's position too
    path = f"/api/dispatches/{dispatch['id']}/transition"
    await api.json("POST", path, api.supervisor, json={"status": "accepted"})
    assigned = await api.json("POST", path, api.supervisor, json={"status": "assigned", "officer_id": south["id"]})
    assert assigned["scene"]["source"] == "aml" and (assigned["scene"]["lat"], assigned["scene"]["lon"]) == HANDSET
    assert assigned["eta_s"] == pytest.approx(after["officers"][0]["eta_s"], abs=1) and assigned["eta_estimate"]
    aml.sb.emulator.hang_up(call)
