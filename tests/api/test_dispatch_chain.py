"""The whole chain of issue 17 through the emulator and HTTP: a citizen calls 112, the call taker
places the incident and dispatches it, the agency accepts and assigns its nearest officer, the
officer (their own token) goes, arrives, reports with a photo; the call taker tells the reporter
(and queues a callback), and closes. The incident's timeline shows every step in order; the
closing rule refuses an early close but a supervisor's override."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.api.test_dispatch_api import NEAR, SCENE, _incident, _next, _osmand

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def world(tmp_path):
    import aiohttp

    from tests.api.conftest import Api
    from tests.api.test_dispatch_api import FakeOsrm, Switchboard, _make_world  # the same set-up, router down

    async with FakeOsrm() as osrm:
        osrm.down = True
        async with Switchboard(tmp_path, seats=2, api=True, queue={"wrapup_time": 0},
                               callback={"enabled": True, "first_delay": 3600},
                               dispatch={"routing_url": osrm.url, "photo_max_bytes": 1000}) as sb:
            async with aiohttp.ClientSession() as http:
                api = Api(sb, http, admin=await sb.api_token("adi", "admin"),
                          supervisor=await sb.api_token("sri", "supervisor"),
                          taker=await sb.api_token("tono", "call_taker", seat="seat01"),
                          other_taker=await sb.api_token("tini", "call_taker", seat="seat02"))
                yield await _make_world(api, osrm)


async def test_the_timeline_shows_the_whole_chain_from_the_call_to_the_resolved_report(world):
    w, api, o = world, world.api, world.officers
    officer_token = await api.sb.api_token("budi", "officer")
    await api.json("PATCH", f"/api/officers/{o['near']['id']}", api.admin, json={"username": "budi"})
    await _osmand(api, o["near"], NEAR)
    incident_id = await _incident(api, "+6281234500201")
    await api.json("POST", f"/api/incidents/{incident_id}/status", api.taker, json={"status": "verified"})
    suggested = await api.json("GET", f"/api/incidents/{incident_id}/dispatch-suggestions", api.taker)
    nearest = suggested["officers"][0]
    assert nearest["officer_id"] == o["near"]["id"] and nearest["estimate"] is True
    async with api.http.ws_connect(api.url + f"/api/events?access_token={officer_token}") as officer_ws:
        assert (await officer_ws.receive_json(timeout=5))["user"]["officer_id"] == o["near"]["id"]
        [d] = (await api.json("POST", f"/api/incidents/{incident_id}/dispatches", api.taker, expect=201, json={
            "agency_id": w.police["id"], "instructions": "Tabrakan di Simpang Lima, 2 korban"}))["dispatches"]
        path = f"/api/dispatches/{d['id']}/transition"
        await api.json("POST", path, api.supervisor, json={"status": "accepted"})
        assigned = await api.json("POST", path, api.supervisor, json={"status": "assigned",
                                                                     "officer_id": nearest["officer_id"]})
        assert assigned["eta_s"] == pytest.approx(nearest["eta_s"], abs=1) and assigned["eta_estimate"] is True
        notice = await _next(officer_ws, "dispatch_changed", status="assigned")  # the officer's phone hears it
        assert notice["dispatch"]["scene"]["lat"] == SCENE[0]
        await api.json("PATCH", f"/api/officers/{o['far']['id']}", officer_token, expect=403,
                       json={"available": False})  # not their own
        await api.json("PATCH", f"/api/officers/{o['near']['id']}", officer_token, expect=403,
                       json={"name": "Superman"})  # only the availability
        [mine] = await api.json("GET", "/api/officer/assignments", officer_token)
        assert mine["id"] == d["id"] and mine["instructions"].startswith("Tabrakan")
        await api.json("POST", path, officer_token, expect=403, json={"status": "cancelled"})
        ack = f"/api/dispatches/{d['id']}/acknowledge"
        await api.json("POST", ack, api.supervisor, expect=403)  # only the assigned officer accepts
        assert mine["acknowledged_at"] is None
        accepted = await api.json("POST", ack, officer_token)
        assert accepted["acknowledged_at"] and accepted["status"] == "assigned"
        assert (await api.json("POST", ack, officer_token))["acknowledged_at"] == accepted["acknowledged_at"]
        await api.json("POST", path, officer_token, json={"status": "en_route"})
        refused = await api.json("POST", ack, officer_token, expect=409)
        assert "assigned" in refused["error"]["message"] and refused["error"]["message_id"]
        await api.json("POST", path, officer_token, json={"status": "on_scene"})
        async with api.request("PUT", f"/api/dispatches/{d['id']}/photo", officer_token, data=PNG,
                               headers={"Content-Type": "image/png"}) as response:
            assert response.status == 200 and (await response.json())["has_photo"] is True
        async with api.request("PUT", f"/api/dispatches/{d['id']}/photo", officer_token, data=b"GIF89a" + b"0" * 9,
                               headers={"Content-Type": "image/gif"}) as response:
            assert response.status == 422
        async with api.request("PUT", f"/api/dispatches/{d['id']}/photo", officer_token, data=PNG * 20,
                               headers={"Content-Type": "image/png"}) as response:
            assert response.status in (413, 422)  # over [dispatch] photo_max_bytes
        early = await api.json("POST", f"/api/incidents/{incident_id}/status", api.taker, expect=409,
                               json={"status": "closed"})
        assert "open dispatch" in early["error"]["message"] and early["error"]["message_id"]
        resolved = await api.json("POST", path, officer_token, json={
            "status": "resolved", "report": "Korban dibawa ke RSUP Kariadi, lalu lintas normal kembali"})
        assert resolved["resolved_at"] and resolved["allowed_transitions"] == []
    off_duty = await api.json("PATCH", f"/api/officers/{o['near']['id']}", officer_token, json={"available": False})
    assert off_duty["state"] == "unavailable"
    async with api.request("GET", f"/api/dispatches/{d['id']}/photo", api.supervisor) as response:
        assert response.status == 200 and await response.read() == PNG
    informed = await api.json("POST", f"/api/incidents/{incident_id}/reporter-informed", api.taker, expect=201,
                              json={"note": "pelapor diberi tahu", "callback": True})
    assert informed["callback_id"]
    callbacks = await api.json("GET", "/api/callbacks", api.supervisor)
    assert any(c["id"] == informed["callback_id"] and c["reason"] == "inform_reporter" for c in callbacks)
    incident = (await api.json("GET", f"/api/incidents/{incident_id}", api.taker))["incident"]
    assert incident["status"] == "resolved"  # it followed its dispatch: verified -> dispatched -> resolved
    await api.json("POST", f"/api/incidents/{incident_id}/status", api.taker, json={"status": "closed"})
    timeline = (await api.json("GET", f"/api/incidents/{incident_id}", api.supervisor))["timeline"]
    kinds = [e["kind"] for e in timeline]
    assert kinds[0] == "arrived" and "answered_by_seat" in kinds
    chain = [e["details"].get("status", "acknowledged") for e in timeline
             if e["details"].get("event") in ("dispatch", "dispatch_acknowledged")]
    assert chain == ["created", "sent_to_agency", "accepted", "assigned", "acknowledged", "en_route", "on_scene",
                     "resolved"]
    report = next(e for e in timeline if e["details"].get("status") == "resolved")
    assert report["details"]["report"].startswith("Korban") and report["actor"] == "budi"
    told = [e for e in timeline if e["details"].get("event") == "reporter_informed"]
    assert told and told[0]["details"]["callback_id"] == informed["callback_id"]
    statuses = [e["details"]["new"] for e in timeline if e["kind"] == "status_changed"]
    assert statuses == ["in_progress", "verified", "dispatched", "resolved", "closed"]  # answered: in progress
    assert timeline[-1]["kind"] == "status_changed" and timeline[-1]["details"]["new"] == "closed"
    times = [datetime.fromisoformat(e["at"]) for e in timeline]
    assert times == sorted(times) and all(t.tzinfo is not None and t <= datetime.now(UTC) for t in times)


async def test_a_supervisor_closes_despite_an_open_dispatch_only_with_override(world):
    w, api = world, world.api
    incident_id = await _incident(api, "+6281234500202")
    await api.json("POST", f"/api/incidents/{incident_id}/dispatches", api.taker, expect=201,
                   json={"agency_id": w.health["id"]})
    await api.json("POST", f"/api/incidents/{incident_id}/status", api.taker, expect=409,
                   json={"status": "closed", "override": True})  # a call taker may not override
    await api.json("POST", f"/api/incidents/{incident_id}/status", api.supervisor, expect=409,
                   json={"status": "closed"})
    closed = await api.json("POST", f"/api/incidents/{incident_id}/status", api.supervisor,
                            json={"status": "closed", "override": True, "reason": "duplikat"})
    assert closed["incident"]["status"] == "closed"
    # as docs/contracts.md says: the closing status change's reason records the override, nothing else does
    assert closed["timeline"][-1]["details"]["reason"] == "duplikat [supervisor override: 1 dispatch(es) still open]"
    full = await api.json("GET", f"/api/incidents/{incident_id}", api.supervisor)
    overrides = [e for e in full["timeline"] if "override" in str(e["details"])]
    assert [(e["kind"], e["details"]["new"]) for e in overrides] == [("status_changed", "closed")]


async def test_response_times_per_agency_reach_the_service_level_and_metrics(world):
    w, api, o = world, world.api, world.officers
    await _osmand(api, o["medic"], NEAR)
    incident_id = await _incident(api, "+6281234500203", category="medical")
    [d] = (await api.json("POST", f"/api/incidents/{incident_id}/dispatches", api.taker, expect=201,
                          json={"agency_id": w.health["id"]}))["dispatches"]
    for move in ({"status": "accepted"}, {"status": "assigned", "officer_id": o["medic"]["id"]},
                 {"status": "on_scene"}, {"status": "resolved", "report": "pasien stabil"}):
        await api.json("POST", f"/api/dispatches/{d['id']}/transition", api.supervisor, json=move)
    figures = (await api.json("GET", "/api/service-level", api.supervisor))["dispatch"]["dinkes"]
    assert figures["dispatches"] == 1
    assert 0 <= figures["accept_s"] <= figures["on_scene_s"] <= figures["resolved_s"] < 60
    async with api.request("GET", "/metrics", api.supervisor) as response:
        text = await response.text()
    for stage in ("accept", "on_scene", "resolved"):
        assert f'cc112_dispatch_response_seconds_count{{agency="dinkes",stage="{stage}"}} 1.0' in text
    assert 'cc112_dispatches{status="resolved"} 1.0' in text


async def test_a_closed_incident_is_not_dispatched(world):
    w, api = world, world.api
    incident_id = await _incident(api, "+6281234500204")
    await api.json("POST", f"/api/incidents/{incident_id}/status", api.supervisor, json={"status": "cancelled"})
    refused = await api.json("POST", f"/api/incidents/{incident_id}/dispatches", api.taker, expect=409,
                             json={"agency_id": w.police["id"]})
    assert "nothing to dispatch" in refused["error"]["message"] and refused["error"]["message_id"]
