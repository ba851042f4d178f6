"""Call tags over HTTP (issue 19): a call taker tags their own call prank, abusive, ghost or silent;
a ghost call is tagged by the system; a number with repeated pranks is flagged on the screen pop
and the live view, and its calls are still queued and answered; the reports count the tags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from cc112_pbx.harness import Switchboard
from tests.api.conftest import Api
from tests.waiting import wait_until


@pytest.fixture
async def api(tmp_path):
    incident = {"prank_flag_after": 2, "prank_flag_window": 3600, "ghost_call_threshold": 5}
    async with Switchboard(tmp_path, seats=3, api=True, queue={"wrapup_time": 0}, incident=incident) as sb:
        async with aiohttp.ClientSession() as http:
            yield Api(sb, http, admin=await sb.api_token("adi", "admin"),
                      supervisor=await sb.api_token("sri", "supervisor"),
                      taker=await sb.api_token("tono", "call_taker", seat="seat01"),
                      other_taker=await sb.api_token("tini", "call_taker", seat="seat02"))


async def connected_call(api: Api, number: str) -> tuple[object, str]:
    """A citizen's call from `number`, answered at seat01: (the emulator's call, the call id)."""
    call = api.sb.emulator.place_call(number=number)

    def at_seat01() -> str | None:
        return next((s.call_id for s in api.sb.controller.ctx.sessions.calls.values()
                     if s.caller_number == number and s.seat_id == "seat01" and s.connected_at is not None), None)

    return call, await wait_until(at_seat01, timeout=8, what=f"the call from {number} is connected at seat01")


async def log_in_seat01(api: Api) -> None:
    await api.json("POST", "/api/seats/seat01/login", api.taker)


async def test_a_call_taker_tags_their_own_call_once_and_only_their_own(api):
    await log_in_seat01(api)
    call, call_id = await connected_call(api, "+6281100000001")
    tagged = await api.json("POST", f"/api/calls/{call_id}/tags", api.taker, expect=201, json={"tag": "abusive"})
    assert tagged["created"] is True and tagged["tags"] == ["abusive"] and tagged["prank_flag"] is None
    assert tagged["tag"]["actor"] == "tono" and tagged["tag"]["number"] == "+6281100000001"
    again = await api.json("POST", f"/api/calls/{call_id}/tags", api.taker, expect=200, json={"tag": "abusive"})
    assert again["created"] is False and again["tag"]["id"] == tagged["tag"]["id"]
    await api.json("POST", f"/api/calls/{call_id}/tags", api.other_taker, expect=403, json={"tag": "prank"})
    bad = await api.json("POST", f"/api/calls/{call_id}/tags", api.taker, expect=422, json={"tag": "spam"})
    assert [f["field"] for f in bad["error"]["fields"]] == ["tag"]
    assert bad["error"]["message_id"]  # Bahasa Indonesia too
    await api.json("POST", "/api/calls/no-such-call/tags", api.taker, expect=404, json={"tag": "prank"})
    await api.json("POST", f"/api/calls/{call_id}/tags", api.taker, expect=201, json={"tag": "silent"})
    removed = await api.json("DELETE", f"/api/calls/{call_id}/tags/silent", api.taker)
    assert removed["tags"] == ["abusive"]
    await api.json("DELETE", f"/api/calls/{call_id}/tags/silent", api.taker, expect=404)
    api.sb.emulator.hang_up(call)
    incident_id = tagged["tag"]["incident_id"]
    full = await api.json("GET", f"/api/incidents/{incident_id}", api.taker)
    assert any(e["kind"] == "note" and e["details"].get("tag") == "abusive" and e["actor"] == "tono"
               for e in full["timeline"])
    # once ended, the stored call is still the call taker's to tag
    await wait_until(lambda: not api.sb.controller.ctx.sessions.calls, timeout=8, what="the call ended")
    await api.json("POST", f"/api/calls/{call_id}/tags", api.taker, expect=201, json={"tag": "prank"})
    await api.json("POST", f"/api/calls/{call_id}/tags", api.other_taker, expect=403, json={"tag": "ghost"})


async def test_a_ghost_call_is_tagged_by_the_system(api):
    call = api.sb.emulator.place_call(number="+6281100000002")  # no seat logged in: it waits
    await wait_until(lambda: any(s.incident_id for s in api.sb.controller.ctx.sessions.calls.values()),
                     timeout=8, what="the call has its incident")
    call_id = next(iter(api.sb.controller.ctx.sessions.calls))
    api.sb.emulator.hang_up(call)  # well within ghost_call_threshold, never reached a seat

    async def ghost_tag():
        return next(iter(await api.sb.app.db.call_tags.for_call(call_id)), None)

    tag = await wait_until(ghost_tag, timeout=8, what="the ghost call is tagged")
    assert (tag.tag, tag.actor, tag.number) == ("ghost", "system", "+6281100000002")
    listed = await api.json("GET", f"/api/calls/{call_id}/tags", api.supervisor)
    assert [t["tag"] for t in listed["tags"]] == ["ghost"]


async def test_a_repeat_prank_number_is_flagged_on_the_screen_pop_and_still_answered(api):
    number = "+6281100000003"
    await log_in_seat01(api)
    for _ in range(2):
        call, call_id = await connected_call(api, number)
        result = await api.json("POST", f"/api/calls/{call_id}/tags", api.taker, expect=201, json={"tag": "prank"})
        api.sb.emulator.hang_up(call)
        await wait_until(lambda: not api.sb.controller.ctx.sessions.calls, timeout=8, what="the call ended")
    assert result["prank_flag"]["pranks"] == 2  # the second prank flags the number
    async with api.http.ws_connect(api.url + "/api/events", headers={"Authorization": f"Bearer {api.taker}"}) as ws:
        await api.json("POST", "/api/seats/seat01/pause", api.taker, json={"reason": "break"})
        call = api.sb.emulator.place_call(number=number)
        while (arrived := await ws.receive_json(timeout=8))["kind"] != "call_arrived":
            pass
        assert arrived["prank_flag"]["pranks"] == 2 and arrived["prank_flag"]["number"] == number
        live = await api.json("GET", "/api/live", api.supervisor)
        waiting = [c for c in live["waiting"] if c["caller"] == number]
        assert waiting and waiting[0]["prank_flag"]["pranks"] == 2  # the wallboard's view: queued, flagged
        await api.json("POST", "/api/seats/seat01/unpause", api.taker)
        while (ring := await ws.receive_json(timeout=8))["kind"] != "seat_ringing":
            pass
        assert ring["seat"] == "seat01" and ring["prank_flag"]["pranks"] == 2  # the screen pop
    await api.sb.emulator.timeline.wait_for(lambda: call.connected_at is not None, timeout=8)  # answered
    api.sb.emulator.hang_up(call)
    # another number is not flagged
    other, _ = await connected_call(api, "+6281100000004")
    live = await api.json("GET", "/api/live", api.supervisor)
    assert [c["prank_flag"] for c in live["connected"]] == [None]
    api.sb.emulator.hang_up(other)


async def test_the_tag_report_counts_by_tag_day_hour_and_number_in_the_centres_time_zone(api):
    db, now = api.sb.app.db, datetime.now(UTC)
    at = now - timedelta(hours=2)
    for n, (tag, number) in enumerate((("prank", "+628111"), ("prank", "+628111"), ("ghost", "+628222"),
                                       ("abusive", "+628111"), ("silent", None))):
        await db.call_tags.add(call_id=f"c{n}", tag=tag, actor="system", at=at, number=number)
    await db.call_tags.add(call_id="old", tag="prank", actor="system", at=now - timedelta(days=30), number="+628111")
    report = await api.json("GET", "/api/reports/call-tags", api.supervisor)
    assert report["total"] == 5 and report["time_zone"] == "Asia/Jakarta"
    assert report["by_tag"] == {"prank": 2, "abusive": 1, "ghost": 1, "silent": 1}
    local = at.astimezone(ZoneInfo("Asia/Jakarta"))
    assert [(d["day"], d["total"]) for d in report["by_day"]] == [(local.date().isoformat(), 5)]
    assert report["by_hour"][local.hour] == {"hour": local.hour, "total": 5, "prank": 2, "abusive": 1, "ghost": 1,
                                             "silent": 1}
    assert report["by_number"][0] == {"number": "+628111", "total": 3, "prank": 2, "abusive": 1, "ghost": 0,
                                      "silent": 0}
    older = await api.json("GET", "/api/reports/call-tags", api.admin,
                           params={"from": (now - timedelta(days=31)).isoformat(), "to": now.isoformat()})
    assert older["total"] == 6
    await api.json("GET", "/api/reports/call-tags", api.taker, expect=403)
    bad = await api.json("GET", "/api/reports/call-tags", api.admin, expect=422, params={"from": "yesterday"})
    assert [f["field"] for f in bad["error"]["fields"]] == ["from"]


async def test_the_flags_survive_a_restart_of_the_controller(api):
    number, db = "+6281100000005", api.sb.app.db
    for n in range(2):
        await db.call_tags.add(call_id=f"earlier-{n}", tag="abusive", actor="tono", number=number,
                               at=datetime.now(UTC) - timedelta(minutes=10 + n))
    await api.sb.stop_controller()
    await api.sb.start_controller()  # reads the prank/abusive tags of the last hour back
    await wait_until(lambda: api.sb.controller.ctx.nuisance.flag(number, datetime.now(UTC)) is not None,
                     timeout=5, what="the flags read back")
    api.sb.emulator.place_call(number=number)
    session = await wait_until(lambda: next((s for s in api.sb.controller.ctx.sessions.calls.values()
                                             if s.caller_number == number), None), timeout=8, what="the call")
    assert session.prank_flag["pranks"] == 2
