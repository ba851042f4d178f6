"""Advanced Mobile Location over HTTP (issue 19): an operator's AML post and an SMS gateway's text
attach the handset's position to its caller's incident, before or after the call arrives; bad
messages and unknown senders are refused and store nothing; unmatched positions are deleted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from cc112_pbx.harness import Switchboard
from tests.waiting import wait_until

OPERATOR_TOKEN = "operator-token-" + "a" * 40
GATEWAY_TOKEN = "gateway-token-" + "b" * 40
RETENTION = 600


def sender(name: str, token: str) -> str:
    return f"{name}:{hashlib.sha256(token.encode()).hexdigest()}"


@dataclass
class Aml:
    sb: Switchboard
    http: aiohttp.ClientSession
    admin: str

    async def post(self, path: str, token: str | None = OPERATOR_TOKEN, expect: int = 202, **kwargs) -> dict:
        headers = {**kwargs.pop("headers", {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        async with self.http.post(self.sb.api_url + path, headers=headers, **kwargs) as response:
            body = await response.json(content_type=None)
            assert response.status == expect, (response.status, body)
            return body

    async def incident(self, incident_id: int) -> dict:
        async with self.http.get(self.sb.api_url + f"/api/incidents/{incident_id}",
                                 headers={"Authorization": f"Bearer {self.admin}"}) as response:
            assert response.status == 200
            return await response.json()

    async def incident_of_waiting_call(self, number: str) -> int:
        def linked() -> int | None:
            return next((s.incident_id for s in self.sb.controller.ctx.sessions.calls.values()
                         if s.caller_number == number and s.incident_id), None)

        return await wait_until(linked, timeout=8, what=f"the call from {number} has its incident")


@pytest.fixture
async def aml(tmp_path):
    settings = {"senders": (sender("operator", OPERATOR_TOKEN), sender("gateway", GATEWAY_TOKEN)),
                "match_window": 300, "unmatched_retention": RETENTION}
    async with Switchboard(tmp_path, seats=2, api=True, queue={"wrapup_time": 0}, aml=settings) as sb:
        async with aiohttp.ClientSession() as http:
            yield Aml(sb, http, await sb.api_token("adi", "admin"))


def top(seconds_ago: float = 5) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds_ago)).strftime("%Y%m%d%H%M%S")


def form(number: str, msg: int = 1, **changes: str) -> dict[str, str]:
    return {"v": "1", "thisMsgNum": str(msg), "msisdn": number, "lt": "-6.98123", "lg": "110.40912", "rd": "14",
            "top": top(), "lc": "68", "pm": "G", "si": "510100000000000", "ei": "355458061005220", "mcc": "510",
            "mnc": "10", "ml": "150", **changes}


def sms(**changes: str) -> str:
    fields = {"lt": "-6.99001", "lg": "+110.42002", "rd": "25", "top": top(), "lc": "68", "pm": "W",
              "si": "510100000000000", "ei": "355458061005220", "mcc": "510", "mnc": "10", "ml": "124", **changes}
    return 'A"ML=1;' + ";".join(f"{k}={v}" for k, v in fields.items())


async def test_an_aml_post_for_a_waiting_caller_locates_their_incident_and_the_console_is_told(aml):
    number = "+6281234560001"
    async with aml.http.ws_connect(aml.sb.api_url + "/api/events",
                                   headers={"Authorization": f"Bearer {aml.admin}"}) as events:
        call = aml.sb.emulator.place_call(number=number)  # no seat logged in: the caller waits
        incident_id = await aml.incident_of_waiting_call(number)
        result = await aml.post("/api/aml", data=form("0812-3456-0001"))
        assert result["matched"] is True and result["incident_id"] == incident_id and not result["duplicate"]
        while (notice := await events.receive_json(timeout=5))["kind"] != "aml_location":
            pass
        assert notice["incident_id"] == incident_id
        assert notice["location"] == {"latitude": -6.98123, "longitude": 110.40912, "accuracy_m": 14.0,
                                      "method": "gnss", "confidence": 68, "source": "aml",
                                      "positioned_at": notice["location"]["positioned_at"]}
        aml.sb.emulator.hang_up(call)
    full = await aml.incident(incident_id)
    incident = full["incident"]
    assert (incident["latitude"], incident["longitude"], incident["location_accuracy_m"],
            incident["location_source"]) == (-6.98123, 110.40912, 14.0, "aml")
    assert any(e["kind"] == "note" and e["actor"] == "aml" and e["details"]["method"] == "gnss"
               for e in full["timeline"])
    assert any(e["kind"] == "field_changed" and e["actor"] == "aml" and e["details"]["field"] == "latitude"
               for e in full["timeline"])
    # the same message again: answered 200, no second row
    again = await aml.post("/api/aml", data=form("0812-3456-0001"), expect=200)
    assert again["duplicate"] is True and again["id"] == result["id"] and again["incident_id"] == incident_id
    assert aml.sb.app.api.aml.counts.matched == 1 and aml.sb.app.api.aml.counts.duplicates == 1


async def test_an_aml_sms_from_a_gateway_locates_the_waiting_callers_incident(aml):
    number = "+6281234560002"
    call = aml.sb.emulator.place_call(number=number)
    incident_id = await aml.incident_of_waiting_call(number)
    result = await aml.post("/api/aml/sms?msisdn=081234560002", token=GATEWAY_TOKEN, data=sms(),
                            headers={"Content-Type": "text/plain"})
    assert result["matched"] is True and result["incident_id"] == incident_id
    aml.sb.emulator.hang_up(call)
    incident = (await aml.incident(incident_id))["incident"]
    assert (incident["latitude"], incident["longitude"], incident["location_accuracy_m"],
            incident["location_source"]) == (-6.99001, 110.42002, 25.0, "aml")


async def test_a_position_arriving_before_the_call_is_attached_when_the_call_arrives_and_pops_with_it(aml):
    number = "+6281234560003"
    early = await aml.post("/api/aml", data=form(number))
    assert early["matched"] is False and early["incident_id"] is None
    async with aml.http.ws_connect(aml.sb.api_url + "/api/events",
                                   headers={"Authorization": f"Bearer {aml.admin}"}) as events:
        call = aml.sb.emulator.place_call(number=number)
        while (notice := await events.receive_json(timeout=8))["kind"] != "aml_location":
            pass
        incident_id = notice["incident_id"]
        assert notice["location"]["latitude"] == -6.98123
        await aml.sb.controller.request(lambda: aml.sb.controller.seats.login("seat01"))
        while (ring := await events.receive_json(timeout=8))["kind"] != "seat_ringing":
            pass
        assert ring["incident_id"] == incident_id
        assert ring["location"]["accuracy_m"] == 14.0 and ring["location"]["method"] == "gnss"
        await aml.sb.emulator.timeline.wait_for(lambda: call.connected_at is not None, timeout=8)
        aml.sb.emulator.hang_up(call)
    incident = (await aml.incident(incident_id))["incident"]
    assert incident["location_source"] == "aml" and incident["latitude"] == -6.98123
    assert (await aml.sb.app.db.aml.get(early["id"])).incident_id == incident_id


async def test_malformed_aml_and_unknown_senders_are_refused_and_nothing_is_stored(aml):
    number = "+6281234560004"
    bad = await aml.post("/api/aml", data=form(number, lt="-91.5", lg="200"), expect=422)
    assert {f["field"] for f in bad["error"]["fields"]} == {"lt", "lg"}
    missing = await aml.post("/api/aml", data={"v": "1", "msisdn": number}, expect=422)
    assert {"thisMsgNum", "lt", "lg", "rd", "top", "lc", "pm"} <= {f["field"] for f in missing["error"]["fields"]}
    not_aml = await aml.post("/api/aml/sms?msisdn=" + number, token=GATEWAY_TOKEN, data="hello", expect=422)
    assert not_aml["error"]["fields"][0]["field"] == 'A"ML'
    await aml.post("/api/aml", token="not-a-sender", data=form(number), expect=401)
    await aml.post("/api/aml", token=None, data=form(number), expect=401)
    await aml.post("/api/aml", token=aml.admin, data=form(number), expect=401)  # a user's token is not a sender's
    await aml.post("/api/aml/sms", token="nobody", data=sms(), expect=401)
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    assert await aml.sb.app.db.aml.unmatched_for_number(number, epoch) == []
    assert aml.sb.app.api.aml.counts.refused == 3 and aml.sb.app.api.aml.counts.received == 0


async def test_unmatched_positions_are_deleted_after_the_retention_time(aml):
    unmatched = await aml.post("/api/aml", data=form("+6281234560005"))
    service, db = aml.sb.app.api.aml, aml.sb.app.db
    stored = await db.aml.get(unmatched["id"])
    assert await service.purge_unmatched(now=stored.received_at + timedelta(seconds=RETENTION - 1)) == 0
    assert await service.purge_unmatched(now=stored.received_at + timedelta(seconds=RETENTION + 1)) == 1
    assert await db.aml.get(unmatched["id"]) is None
    assert service.counts.unmatched == 1
    async with aml.http.get(aml.sb.api_url + "/metrics", headers={"Authorization": f"Bearer {aml.admin}"}) as r:
        text = await r.text()
    assert 'cc112_aml_positions_total{result="unmatched"} 1.0' in text
