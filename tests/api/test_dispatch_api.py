"""Dispatch to the agencies over HTTP (issue 17): the directory, officers' positions from their
phones (OsmAnd, OwnTracks), suggestions ranked by a fake OSRM router (and the straight line when it
is down), the dispatch lifecycle with its refusals, the agency dispatcher's scope, the closing rule."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from cc112_pbx.harness import Switchboard
from tests.api.conftest import Api

EXAMPLE_AGENCIES = Path(__file__).resolve().parents[2] / "config" / "agencies.example.toml"
SCENE = (-6.9900, 110.4200)  # Simpang Lima, Semarang
NEAR = (-6.9950, 110.4200)  # ~550 m south of the scene
FAR = (-7.0300, 110.4200)  # ~4.4 km south


class FakeOsrm:
    """An OSRM `/table/v1/driving` stand-in: seconds per source from `durations` (keyed by the source's
    "lon,lat" as sent), or 500 while `down`."""

    def __init__(self) -> None:
        self.durations: dict[str, float] = {}
        self.down = False
        self.asked: list[str] = []
        self.app = web.Application()
        self.app.router.add_get("/table/v1/driving/{coordinates}", self.table)
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def table(self, request: web.Request) -> web.Response:
        self.asked.append(request.path)
        if self.down:
            return web.json_response({"code": "Error"}, status=500)
        points = request.match_info["coordinates"].split(";")
        sources = [int(i) for i in request.query["sources"].split(";")]
        rows = [[self.durations.get(points[i])] for i in sources]
        return web.json_response({"code": "Ok", "durations": rows})

    async def __aenter__(self) -> FakeOsrm:
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


def key(point: tuple[float, float]) -> str:
    return f"{point[1]:.6f},{point[0]:.6f}"


@dataclass
class World:
    api: Api
    osrm: FakeOsrm
    police: dict
    health: dict
    officers: dict[str, dict]  # name -> the officer as created (with its device token)


async def _make_world(api: Api, osrm: FakeOsrm) -> World:
    police = await api.json("POST", "/api/agencies", api.admin, expect=201, json={
        "code": "polrestabes", "name": "Polrestabes Semarang", "kind": "police", "categories": ["police", "traffic"],
        "contacts": [{"label": "SPKT", "number": "110"}], "area": {"description": "Kota Semarang", "lat": -6.99,
                                                                      "lon": 110.42, "radius_km": 15}})
    health = await api.json("POST", "/api/agencies", api.admin, expect=201, json={
        "code": "dinkes", "name": "Dinkes / Ambulans 118", "kind": "health"})
    officers = {}
    for name, agency in (("near", police), ("far", police), ("off", police), ("stale", police),
                         ("medic", health)):
        officers[name] = await api.json("POST", "/api/officers", api.admin, expect=201, json={
            "agency_id": agency["id"], "name": f"Officer {name}", "callsign": name.upper(), "device_id": f"dev-{name}"})
        assert officers[name]["device_token"] and officers[name]["state"] == "stale"  # never seen yet
    return World(api, osrm, police, health, officers)


async def _osmand(api: Api, officer: dict, point: tuple[float, float], *, at: datetime | None = None,
                  expect: int = 200, **extra: str) -> dict:
    query = {"id": officer["device_id"], "lat": str(point[0]), "lon": str(point[1]),
             "timestamp": str(int((at or datetime.now(UTC)).timestamp())), "speed": "10", "batt": "80",
             "token": officer["device_token"], **extra}
    return await api.json("GET", "/api/positions/osmand", None, expect=expect, params=query)


async def _incident(api: Api, number: str, category: str = "police", where: tuple[float, float] = SCENE) -> int:
    await api.json("POST", "/api/seats/seat01/login", api.taker)
    call = api.sb.emulator.place_call(number=number, talk_time=0.3)
    await api.sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=8)
    await api.sb.settled()
    page = await api.json("GET", "/api/incidents", api.supervisor)
    incident_id = max(i["id"] for i in page["items"])
    await api.json("PATCH", f"/api/incidents/{incident_id}", api.taker,
                   json={"category": category, "latitude": where[0], "longitude": where[1],
                         "location_source": "caller"})
    return incident_id


@pytest.fixture
async def world(tmp_path):
    async with FakeOsrm() as osrm:
        async with Switchboard(tmp_path, seats=2, api=True, queue={"wrapup_time": 0},
                               dispatch={"routing_url": osrm.url, "stale_after": 600, "accept_within": 300}) as sb:
            async with aiohttp.ClientSession() as http:
                api = Api(sb, http, admin=await sb.api_token("adi", "admin"),
                          supervisor=await sb.api_token("sri", "supervisor"),
                          taker=await sb.api_token("tono", "call_taker", seat="seat01"),
                          other_taker=await sb.api_token("tini", "call_taker", seat="seat02"))
                yield await _make_world(api, osrm)


async def _place_everyone(w: World) -> None:
    api, o = w.api, w.officers
    await _osmand(api, o["near"], NEAR)
    await _osmand(api, o["far"], FAR)
    await _osmand(api, o["off"], SCENE)  # at the scene, but not available
    await api.json("PATCH", f"/api/officers/{o['off']['id']}", api.admin, json={"available": False})
    await _osmand(api, o["stale"], SCENE, at=datetime.now(UTC) - timedelta(minutes=20))  # last seen 20 min ago
    await _osmand(api, o["medic"], NEAR)


async def test_the_router_ranks_the_nearest_by_road_first_never_the_unavailable_or_stale(world):
    w, api, o = world, world.api, world.officers
    await _place_everyone(w)
    incident_id = await _incident(api, "+6281234500101")
    # by road the far officer is quicker (a toll road); the near one is stuck behind the river
    w.osrm.durations = {key(NEAR): 900.0, key(FAR): 240.0}
    answer = await api.json("GET", f"/api/incidents/{incident_id}/dispatch-suggestions", api.taker)
    assert [a["code"] for a in answer["agencies"]] == ["polrestabes"]
    assert answer["scene"]["lat"] == SCENE[0]
    ranked = [(s["officer_id"], s["eta_s"], s["source"], s["estimate"]) for s in answer["officers"]]
    assert ranked == [(o["far"]["id"], 240.0, "osrm", False), (o["near"]["id"], 900.0, "osrm", False)]
    assert w.osrm.asked  # the router was asked
    officers = {x["id"]: x["state"] for x in await api.json("GET", "/api/officers", api.supervisor)}
    assert officers[o["off"]["id"]] == "unavailable" and officers[o["stale"]["id"]] == "stale"


async def test_without_the_router_the_straight_line_ranks_them_marked_as_an_estimate(world):
    w, api, o = world, world.api, world.officers
    await _place_everyone(w)
    incident_id = await _incident(api, "+6281234500102")
    w.osrm.down = True
    answer = await api.json("GET", f"/api/incidents/{incident_id}/dispatch-suggestions", api.taker)
    ranked = [s["officer_id"] for s in answer["officers"]]
    assert ranked == [o["near"]["id"], o["far"]["id"]]  # the stale and the unavailable are never listed
    assert all(s["estimate"] and s["source"] == "haversine" for s in answer["officers"])
    near = answer["officers"][0]
    assert 500 < near["distance_m"] < 620 and near["eta_s"] == pytest.approx(near["distance_m"] / (30 / 3.6), abs=1)


async def test_illegal_and_incomplete_moves_are_refused_with_409_and_422(world):
    w, api, o = world, world.api, world.officers
    await _place_everyone(w)
    incident_id = await _incident(api, "+6281234500103")
    body = {"agency_id": w.police["id"], "instructions": "kecelakaan", "priority": 1}
    [d] = (await api.json("POST", f"/api/incidents/{incident_id}/dispatches", api.taker, expect=201,
                          json=body))["dispatches"]
    assert d["status"] == "sent_to_agency" and d["sent_at"] and d["created_at"]
    path = f"/api/dispatches/{d['id']}/transition"
    refused = await api.json("POST", path, api.supervisor, expect=409, json={"status": "on_scene"})
    assert refused["error"]["current"] == "sent_to_agency"
    assert refused["error"]["allowed"] == ["accepted", "cancelled", "rejected"]
    missing = await api.json("POST", path, api.supervisor, expect=422, json={"status": "rejected"})
    assert missing["error"]["fields"][0]["field"] == "reason" and missing["error"]["message_id"]
    await api.json("POST", path, api.taker, expect=403, json={"status": "accepted"})  # the agency accepts
    await api.json("POST", path, api.supervisor, json={"status": "accepted"})
    no_officer = await api.json("POST", path, api.supervisor, expect=422, json={"status": "assigned"})
    assert no_officer["error"]["fields"][0]["field"] == "officer_id"
    other_agency = await api.json("POST", path, api.supervisor, expect=422,
                                  json={"status": "assigned", "officer_id": o["medic"]["id"]})
    assert other_agency["error"]["fields"][0]["field"] == "officer_id"
    await api.json("POST", path, api.supervisor, json={"status": "assigned", "officer_id": o["near"]["id"]})
    await api.json("POST", path, api.supervisor, json={"status": "en_route"})
    await api.json("POST", path, api.supervisor, json={"status": "on_scene"})
    no_report = await api.json("POST", path, api.supervisor, expect=422, json={"status": "resolved"})
    assert no_report["error"]["fields"][0]["field"] == "report"
    bad = await api.json("POST", path, api.supervisor, expect=422, json={"status": "teleported"})
    assert bad["error"]["fields"][0]["field"] == "status"


async def test_an_agency_dispatcher_sees_only_their_agency(world):
    w, api, o = world, world.api, world.officers
    await _place_everyone(w)
    incident_id = await _incident(api, "+6281234500104")
    created = (await api.json("POST", f"/api/incidents/{incident_id}/dispatches", api.taker, expect=201, json={
        "dispatches": [{"agency_id": w.police["id"]}, {"agency_id": w.health["id"]}]}))["dispatches"]
    police_d, health_d = created
    liaison = await api.sb.api_token("lia", "agency_dispatcher")
    await api.json("POST", f"/api/agencies/{w.health['id']}/dispatchers", api.admin, json={"username": "lia"})
    me = await api.json("GET", "/api/me", liaison)
    assert me["role"] == "agency_dispatcher" and me["agency_id"] == w.health["id"]
    login = await api.json("POST", "/api/login", None, json={"username": "lia", "password": "harness-password"})
    assert login["user"]["agency_id"] == w.health["id"]
    mine = await api.json("GET", "/api/dispatches", liaison)
    assert [d["id"] for d in mine] == [health_d["id"]]
    await api.json("GET", f"/api/dispatches/{police_d['id']}", liaison, expect=403)
    await api.json("POST", f"/api/dispatches/{police_d['id']}/transition", liaison, expect=403,
                   json={"status": "accepted"})
    await api.json("GET", f"/api/officers/{o['near']['id']}", liaison, expect=403)
    await api.json("GET", f"/api/officers/{o['near']['id']}/trail", liaison, expect=403)
    await api.json("GET", f"/api/dispatches?agency_id={w.police['id']}", liaison, expect=403)
    await api.json("GET", f"/api/incidents/{incident_id}", liaison, expect=403)  # not the call centre's records
    positions = await api.json("GET", "/api/positions/latest", liaison)
    assert {p["officer_id"] for p in positions} == {o["medic"]["id"]}
    assert [x["id"] for x in await api.json("GET", "/api/officers", liaison)] == [o["medic"]["id"]]
    # their own: accept and assign their officer
    await api.json("POST", f"/api/dispatches/{health_d['id']}/transition", liaison, json={"status": "accepted"})
    moved = await api.json("POST", f"/api/dispatches/{health_d['id']}/transition", liaison,
                           json={"status": "assigned", "officer_id": o["medic"]["id"]})
    assert moved["officer_id"] == o["medic"]["id"] and moved["eta_s"] is not None


async def test_osmand_and_owntracks_positions_reach_the_websocket_and_malformed_ones_store_nothing(world):
    api, o = world.api, world.officers
    db = api.sb.app.db
    async with api.http.ws_connect(api.url + f"/api/events?access_token={api.supervisor}") as ws:
        assert (await ws.receive_json(timeout=5))["kind"] == "hello"
        await _osmand(api, o["near"], NEAR)
        notice = await _next(ws, "officer_position")
        assert notice["officer_id"] == o["near"]["id"] and notice["position"]["lat"] == NEAR[0]
        assert notice["position"]["source"] == "osmand" and notice["position"]["speed_kmh"] == pytest.approx(18.52)
        basic = base64.b64encode(f"{o['far']['device_id']}:{o['far']['device_token']}".encode()).decode()
        message = {"_type": "location", "lat": FAR[0], "lon": FAR[1], "tst": int(datetime.now(UTC).timestamp()),
                   "acc": 12, "vel": 35, "batt": 64, "tid": "FR"}
        assert await api.json("POST", "/api/positions/owntracks", None, json=message,
                              headers={"Authorization": f"Basic {basic}"}) == []
        notice = await _next(ws, "officer_position")
        assert notice["officer_id"] == o["far"]["id"] and notice["position"]["source"] == "owntracks"
        assert notice["position"]["accuracy_m"] == 12 and notice["position"]["speed_kmh"] == 35
        traccar = {"device_id": o["medic"]["device_id"], "location": {
            "timestamp": datetime.now(UTC).isoformat(), "coords": {"latitude": SCENE[0], "longitude": SCENE[1],
                                                                   "speed": 5, "heading": 90, "accuracy": 6},
            "battery": {"level": 0.42}}}
        medic_basic = base64.b64encode(f"{o['medic']['device_id']}:{o['medic']['device_token']}".encode()).decode()
        await api.json("POST", "/api/positions/osmand", None, json=traccar,
                       headers={"Authorization": f"Basic {medic_basic}"})
        notice = await _next(ws, "officer_position", officer_id=o["medic"]["id"])
        assert notice["position"]["speed_kmh"] == 18.0 and notice["position"]["battery"] == 42.0
        # OwnTracks naming its device in X-Limit-D, the token in the query
        await api.json("POST", "/api/positions/owntracks", None, json={**message, "lat": NEAR[0]},
                       params={"token": o["far"]["device_token"]}, headers={"X-Limit-D": o["far"]["device_id"]})
        assert (await _next(ws, "officer_position", officer_id=o["far"]["id"]))["position"]["lat"] == NEAR[0]
        trail = await api.json("GET", f"/api/officers/{o['far']['id']}/trail", api.supervisor)
        assert [p["lat"] for p in trail["points"]] == [FAR[0], NEAR[0]] and trail["minutes"] == 60
        stored = await db.positions.count()
        # malformed, out of range, far future, too old: 422 naming the field; a bad token: 401
        bad_lat = await _osmand(api, o["near"], (95.0, 110.42), expect=422)
        assert [f["field"] for f in bad_lat["error"]["fields"]] == ["lat"]
        future = await _osmand(api, o["near"], NEAR, at=datetime.now(UTC) + timedelta(hours=2), expect=422)
        assert future["error"]["fields"][0]["field"] == "timestamp"
        old = await _osmand(api, o["near"], NEAR, at=datetime.now(UTC) - timedelta(days=3), expect=422)
        assert old["error"]["fields"][0]["field"] == "timestamp"
        words = await _osmand(api, o["near"], NEAR, expect=422, lon="east")
        assert words["error"]["fields"][0]["field"] == "lon"
        await _osmand(api, {**o["near"], "device_token": "wrong"}, NEAR, expect=401)
        no_lat = {**message}
        del no_lat["lat"]
        refused = await api.json("POST", "/api/positions/owntracks", None, json=no_lat, expect=422,
                                 headers={"Authorization": f"Basic {basic}"})
        assert refused["error"]["fields"][0]["field"] == "lat"
        async with api.request("POST", "/api/positions/owntracks", None, data=b"{not json",
                               headers={"Authorization": f"Basic {basic}"}) as response:
            assert response.status == 400
        assert await db.positions.count() == stored  # nothing of them was stored
        assert api.sb.app.api.dispatch.positions.counts.refused == 5
    async with api.request("GET", "/metrics", api.supervisor) as response:
        text = await response.text()
    assert 'cc112_officer_positions_total{result="refused"} 5.0' in text


async def _next(ws, kind: str, **match) -> dict:
    while True:
        notice = await ws.receive_json(timeout=5)
        if notice["kind"] == kind and all(notice.get(k) == v for k, v in match.items()):
            return notice


async def test_the_agencies_file_is_seeded_at_start_and_its_devices_post_with_their_tokens(tmp_path):
    example = EXAMPLE_AGENCIES
    async with Switchboard(tmp_path, seats=1, api=True, dispatch={"agencies_file": str(example)}) as sb:
        async with aiohttp.ClientSession() as http:
            api = Api(sb, http, admin=await sb.api_token("adi", "admin"), supervisor="", taker="", other_taker="")
            agencies = await api.json("GET", "/api/agencies", api.admin)
            assert [a["code"] for a in agencies][:2] == ["polrestabes", "damkar"]
            assert all(a["origin"] == "settings" for a in agencies)
            officer = next(o for o in await api.json("GET", "/api/officers", api.admin) if o["device_id"] == "pol-01")
            # the example's token_sha256 is the SHA-256 of "1"
            await _osmand(api, {**officer, "device_token": "1"}, NEAR)
            await _osmand(api, {**officer, "device_token": "2"}, NEAR, expect=401)
            assert (await api.json("GET", f"/api/officers/{officer['id']}", api.admin))["position"]["lat"] == NEAR[0]


async def test_a_dispatch_not_accepted_in_time_is_flagged_to_supervisors_on_the_websocket(tmp_path):
    async with Switchboard(tmp_path, seats=1, api=True, queue={"wrapup_time": 0},
                           dispatch={"accept_within": 1}) as sb:
        async with aiohttp.ClientSession() as http:
            api = Api(sb, http, admin=await sb.api_token("adi", "admin"),
                      supervisor=await sb.api_token("sri", "supervisor"),
                      taker=await sb.api_token("tono", "call_taker", seat="seat01"), other_taker="")
            agency = await api.json("POST", "/api/agencies", api.admin, expect=201,
                                    json={"code": "bpbd", "name": "BPBD Kota Semarang", "kind": "disaster"})
            incident_id = await _incident(api, "+6281234500105", category="disaster")
            async with api.http.ws_connect(api.url + f"/api/events?access_token={api.supervisor}") as ws:
                assert (await ws.receive_json(timeout=5))["kind"] == "hello"
                [d] = (await api.json("POST", f"/api/incidents/{incident_id}/dispatches", api.taker, expect=201,
                                      json={"agency_id": agency["id"]}))["dispatches"]
                overdue = await _next(ws, "dispatch_overdue")  # within about two seconds: the watch runs every 1 s
                assert overdue["dispatch_id"] == d["id"] and overdue["waiting_s"] >= 1
                assert overdue["agency"] == "BPBD Kota Semarang"
            assert (await api.json("GET", f"/api/dispatches/{d['id']}", api.supervisor))["overdue"] is True
