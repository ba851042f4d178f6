"""A call through the emulator, seen through the API: the screen pop on the WebSocket before the
seat answers, the incident, the recording (range requests) and the metrics."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


async def _answered_call(api, number="+6281234500001"):
    await api.json("POST", "/api/seats/seat01/login", api.taker)
    call = api.sb.emulator.place_call(number=number, talk_time=0.3)
    await api.sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=8)
    await api.sb.settled()
    return call


async def test_the_screen_pop_reaches_the_call_takers_websocket_before_the_seat_answers(api):
    await api.json("POST", "/api/seats/seat01/login", api.taker)
    timeline = api.sb.emulator.timeline
    async with api.http.ws_connect(api.url + "/api/events", headers={"Authorization": f"Bearer {api.taker}"}) as mine, \
            api.http.ws_connect(api.url + f"/api/events?access_token={api.other_taker}") as theirs:
        assert (await mine.receive_json(timeout=5))["kind"] == "hello"
        assert (await theirs.receive_json(timeout=5))["user"]["seat"] == "seat02"
        call = api.sb.emulator.place_call(number="+6281234500009", talk_time=0.3)
        while True:
            notice = await mine.receive_json(timeout=5)
            if notice["kind"] == "seat_ringing":
                break
        legs = timeline.rings_of("seat01")
        assert all(leg.answered_at is None for leg in legs)  # the phone has not been answered yet (or even rung)
        assert call.connected_at is None
        assert notice["seat"] == "seat01" and notice["caller"] == "+6281234500009"
        assert notice["no_callback"] is False and notice["caller_kind"] == "normal" and notice["dialled"] == "112"
        assert "incident_id" in notice and notice["call_id"]
        await timeline.wait_for(lambda: call.ended_at is not None, timeout=8)
        kinds = []
        while True:  # the other call taker got the general queue events, never seat01's ring
            try:
                kinds.append((await theirs.receive_json(timeout=0.5))["kind"])
            except TimeoutError:
                break
        assert "call_arrived" in kinds and "seat_ringing" not in kinds and "call_connected" not in kinds


async def test_a_recording_downloads_with_a_range_request(api):
    await _answered_call(api)
    [recording] = await api.json("GET", "/api/recordings", api.supervisor)
    assert "path" not in recording and recording["audio_url"].endswith("/audio")
    async with api.request("GET", recording["audio_url"], api.supervisor, headers={"Range": "bytes=0-43"}) as r:
        assert r.status == 206, await r.text()
        assert r.headers["Content-Range"].startswith("bytes 0-43/")
        assert len(await r.read()) == 44
    async with api.request("GET", recording["audio_url"], api.taker) as r:  # seat01 had the call
        assert r.status == 200 and (await r.read())[:4] == b"RIFF"
    await api.json("GET", recording["audio_url"], api.other_taker, expect=403)


async def test_the_incident_is_read_and_edited_by_its_call_taker_with_422_and_409_errors(api):
    await _answered_call(api, number="+6281234500002")
    page = await api.json("GET", "/api/incidents?status=in_progress", api.supervisor)  # answered: being taken
    assert page["total"] == 1
    incident_id = page["items"][0]["id"]
    assert (await api.json("GET", "/api/incidents", api.taker))["total"] == 1
    assert (await api.json("GET", "/api/incidents", api.other_taker))["total"] == 0
    await api.json("GET", f"/api/incidents/{incident_id}", api.other_taker, expect=403)
    full = await api.json("GET", f"/api/incidents/{incident_id}", api.taker)
    assert full["timeline"][0]["kind"] == "arrived" and full["calls"]
    bad = await api.json("PATCH", f"/api/incidents/{incident_id}", api.taker, expect=422,
                         json={"latitude": 500, "priority": "urgent-ish", "status": "closed"})
    assert {f["field"] for f in bad["error"]["fields"]} >= {"latitude", "priority", "status"}
    changed = await api.json("PATCH", f"/api/incidents/{incident_id}", api.taker,
                             json={"reporter_name": "Budi", "description": "banjir di Jalan Pemuda"})
    assert changed["incident"]["reporter_name"] == "Budi" and len(changed["timeline"]) == 2
    await api.json("POST", f"/api/incidents/{incident_id}/status", api.taker, json={"status": "closed"})
    illegal = await api.json("POST", f"/api/incidents/{incident_id}/status", api.taker, expect=409,
                             json={"status": "dispatched"})
    assert illegal["error"]["allowed"] == [] and illegal["error"]["current"] == "closed"
    await api.json("POST", f"/api/incidents/{incident_id}/status", api.taker, expect=422, json={"status": "x"})
    await api.json("GET", "/api/incidents?from=yesterday", api.supervisor, expect=422)


async def test_metrics_parse_with_the_prometheus_parser(api):
    await _answered_call(api)
    async with api.request("GET", "/metrics", api.supervisor) as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
        text = await r.text()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples}
    assert samples[("cc112_calls_answered_total", ())] == 1
    assert samples[("cc112_calls_answered_within_total", (("seconds", "10"),))] == 1
    assert samples[("cc112_calls_waiting", ())] == 0
    assert samples[("cc112_link_up", (("link", "ari"),))] == 1
    assert samples[("cc112_link_up", (("link", "database"),))] == 1
    assert samples[("cc112_seats", (("state", "available"),))] == 1
    assert samples[("cc112_offer_latency_seconds_count", ())] == 1
    assert {"cc112_longest_wait_seconds", "cc112_calls_abandoned", "cc112_callback_attempts"} <= set(families)
    level = await api.json("GET", "/api/service-level", api.supervisor)
    assert level["calls"] == 1 and level["answered"] == 1 and level["service_level"]["10s"] == 1.0


async def test_healthz_is_degraded_not_failing_when_the_database_is_down(api):
    async def down() -> None:
        raise ConnectionError("database down")

    api.sb.app.api.health.db_ping = down
    report = await api.json("GET", "/healthz", None)
    assert report["status"] == "degraded" and report["database"]["state"] == "disconnected"
    assert report["ari"]["state"] == "connected"
    api.sb.app.health.ari.state = type(api.sb.app.health.ari.state)("reconnecting")
    await api.json("GET", "/healthz", None, expect=503)


async def test_an_admin_creates_updates_and_deletes_a_seat_but_not_one_on_a_call(api):
    bad = await api.json("POST", "/api/seats", api.admin, expect=422, json={"id": "Seat 9", "dial_string": "x"})
    assert {f["field"] for f in bad["error"]["fields"]} >= {"id", "dial_string"}
    created = await api.json("POST", "/api/seats", api.admin, expect=201,
                             json={"id": "seat09", "name": "Meja 9", "dial_string": "PJSIP/seat09"})
    assert created["id"] == "seat09"
    await api.json("POST", "/api/seats", api.admin, expect=409,
                   json={"id": "seat09", "name": "again", "dial_string": "PJSIP/seat09"})
    changed = await api.json("PATCH", "/api/seats/seat09", api.admin, json={"name": "Relawan 9", "overflow": True})
    assert changed["name"] == "Relawan 9" and changed["overflow"] is True
    assert "seat09" in {s.seat_id for s in api.sb.controller.acd.snapshot().seats}  # the ACD knows it at once
    await api.json("POST", "/api/seats/seat01/login", api.taker)
    call = api.sb.emulator.place_call(number="+6281234500077")  # talks until the seat hangs up
    await api.sb.emulator.timeline.wait_for(lambda: call.connected_at is not None, timeout=8)
    await api.json("DELETE", "/api/seats/seat01", api.admin, expect=409)  # on a call: refused
    api.sb.emulator.hang_up(call)
    await api.json("DELETE", "/api/seats/seat09", api.admin, expect=204)
    assert not api.sb.controller.acd.config.has_seat("seat09")
    assert "seat09" not in {s["id"] for s in await api.json("GET", "/api/seats", api.admin)}
    audit = [e["action"] for e in await api.json("GET", "/api/audit", api.admin)]
    assert {"seat.created", "seat.updated", "seat.deleted"} <= set(audit)
