"""Seats: login, logout and pause by feature code, Asterisk's fallback queue kept in step, and
whether a seat's phone may be rung (device states and endpoint registration)."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import SeatStatus
from cc112_pbx.domain.telephony_errors import TelephonyUnavailable
from tests.services.fakes import Pbx


async def test_login_code_answers_confirms_in_the_first_language_and_hangs_up(pbx: Pbx):
    channel = await pbx.feature_code("seat01", "*11")

    assert [(c.method, c.args) for c in pbx.control.log] == [
        ("answer", {"channel_id": channel}),
        ("play_prompt", {"channel_id": channel, "prompt": "logged-in", "lang": "id"}),
        ("hang_up", {"channel_id": channel}),
    ]
    assert pbx.seat_status("seat01") is SeatStatus.AVAILABLE
    assert pbx.store.seats.rows["seat01"].logged_in


async def test_login_adds_the_seat_to_the_fallback_queue_unpaused(pbx: Pbx):
    await pbx.feature_code("seat01", "*11")

    assert [(c.method, c.args) for c in pbx.fallback.log] == [
        ("add", {"interface": "PJSIP/seat01", "seat_id": "seat01", "paused": False}),
        ("pause", {"interface": "PJSIP/seat01", "paused": False, "reason": ""}),
    ]
    assert pbx.fallback.members == {"PJSIP/seat01": False}


async def test_a_seat_already_in_the_fallback_queue_is_still_unpaused_at_login(pbx: Pbx):
    pbx.fallback.members["PJSIP/seat01"] = True  # left there, paused, by an earlier run

    with capture_logs() as logs:
        await pbx.feature_code("seat01", "*11")

    assert pbx.fallback.methods == ["add", "pause"]
    assert pbx.fallback.members == {"PJSIP/seat01": False}
    assert not [e for e in logs if e["event"] == "fallback_queue_sync_failed"]


async def test_logout_code_removes_the_seat_from_the_fallback_queue_and_confirms(pbx: Pbx):
    await pbx.log_in("seat01")
    pbx.control.log.clear()

    channel = await pbx.feature_code("seat01", "*12")

    assert pbx.control.prompts(channel) == [("logged-out", "id")]
    assert pbx.fallback.called("remove")[-1].args == {"interface": "PJSIP/seat01"}
    assert pbx.fallback.members == {}
    assert pbx.seat_status("seat01") is SeatStatus.LOGGED_OUT
    assert not pbx.store.seats.rows["seat01"].logged_in


async def test_removing_a_seat_that_is_not_a_fallback_member_counts_as_done(pbx: Pbx):
    await pbx.log_in("seat01")
    pbx.fallback.members.clear()  # Asterisk restarted without persistent members

    with capture_logs() as logs:
        await pbx.feature_code("seat01", "*12")

    assert pbx.fallback.methods[-1] == "remove"
    assert not [e for e in logs if e["event"] == "fallback_queue_sync_failed"]


async def test_a_failing_fallback_queue_is_logged_and_the_seat_still_logs_in(pbx: Pbx):
    pbx.fallback.fail("add", TelephonyUnavailable("AMI down"))

    with capture_logs() as logs:
        await pbx.feature_code("seat01", "*11")

    [failed] = [e for e in logs if e["event"] == "fallback_queue_sync_failed"]
    assert (failed["seat"], failed["member"], failed["error"]) == ("seat01", True, "AMI down")
    assert pbx.fallback.methods == ["add"]
    assert pbx.seat_status("seat01") is SeatStatus.AVAILABLE


async def test_pause_code_pauses_then_unpauses_with_the_matching_prompt_and_fallback_pause(pbx: Pbx):
    await pbx.log_in("seat01")

    first = await pbx.feature_code("seat01", "*13")
    assert pbx.seat_status("seat01") is SeatStatus.PAUSED
    assert pbx.fallback.called("pause")[-1].args == {"interface": "PJSIP/seat01", "paused": True, "reason": "cc112"}
    second = await pbx.feature_code("seat01", "*13")

    assert pbx.control.prompts(first) == [("paused", "id")]
    assert pbx.control.prompts(second) == [("unpaused", "id")]
    assert pbx.seat_status("seat01") is SeatStatus.AVAILABLE
    assert pbx.fallback.called("pause")[-1]["paused"] is False
    assert [c["reason"] for c in pbx.store.called("seats.set_paused")] == ["break", None]


async def test_pause_code_takes_an_auto_paused_seat_back(pbx: Pbx):
    await pbx.log_in("seat01")
    await pbx.caller_arrives()
    await pbx.advance(45)  # three missed offers: auto-paused
    assert pbx.seat_status("seat01") is SeatStatus.PAUSED

    channel = await pbx.feature_code("seat01", "*13")

    assert pbx.control.prompts(channel) == [("unpaused", "id")]
    assert len(pbx.control.rings("seat01")) == 4  # the waiting caller rings it again at once


async def test_pause_code_from_a_logged_out_seat_does_not_claim_the_seat_is_paused(pbx: Pbx):
    channel = await pbx.feature_code("seat01", "*13")

    assert pbx.seat_status("seat01") is SeatStatus.LOGGED_OUT
    assert ("paused", "id") not in pbx.control.prompts(channel)


@pytest.mark.parametrize(("seat", "code"), [("seat99", "*11"), ("seat01", "*99")])
async def test_an_unknown_seat_or_code_is_answered_and_hung_up_without_a_prompt_or_change(pbx: Pbx, seat, code):
    await pbx.feature_code(seat, code)

    assert pbx.control.methods == ["answer", "hang_up"]
    assert pbx.fallback.log == []
    assert pbx.seat_status("seat01") is SeatStatus.LOGGED_OUT


async def test_a_failing_confirmation_prompt_still_hangs_up_the_feature_call(pbx: Pbx):
    pbx.control.fail("play_prompt", TelephonyUnavailable("ARI down"))

    await pbx.feature_code("seat01", "*11")

    assert pbx.control.methods == ["answer", "play_prompt", "hang_up"]
    assert pbx.seat_status("seat01") is SeatStatus.AVAILABLE


async def test_a_registered_seat_is_rung_even_while_its_device_state_still_says_unavailable(pbx: Pbx):
    now = pbx.clock.wall()
    pbx.send(tel.DeviceStateChanged(at=now, device="PJSIP/seat01", state=tel.DeviceState.UNAVAILABLE))
    await pbx.log_in("seat01")
    await pbx.caller_arrives()
    assert pbx.seat_status("seat01") is SeatStatus.UNREACHABLE and pbx.control.rings() == []

    pbx.send(tel.EndpointReachability(at=now, endpoint="PJSIP/SEAT01", online=True))
    await pbx.settle()

    assert [r["seat_id"] for r in pbx.control.rings()] == ["seat01"]


async def test_an_offline_endpoint_is_unreachable_whatever_its_device_state_said(pbx: Pbx):
    now = pbx.clock.wall()
    await pbx.log_in("seat01")
    pbx.send(tel.DeviceStateChanged(at=now, device="PJSIP/seat01", state=tel.DeviceState.NOT_INUSE))

    pbx.send(tel.EndpointReachability(at=now, endpoint="PJSIP/seat01", online=False))
    pbx.send(tel.DeviceStateChanged(at=now, device="PJSIP/seat01", state=tel.DeviceState.NOT_INUSE))
    await pbx.caller_arrives()

    assert pbx.seat_status("seat01") is SeatStatus.UNREACHABLE
    assert pbx.control.rings() == []


async def test_a_seat_in_use_elsewhere_is_skipped_for_a_free_one(staffed: Pbx):
    staffed.send(tel.DeviceStateChanged(at=staffed.clock.wall(), device="PJSIP/seat01", state=tel.DeviceState.INUSE))

    await staffed.caller_arrives()

    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat02"]


async def test_device_states_of_unknown_devices_are_ignored(staffed: Pbx):
    staffed.send(tel.DeviceStateChanged(at=staffed.clock.wall(), device="PJSIP/lobby", state=tel.DeviceState.INUSE))
    staffed.send(tel.EndpointReachability(at=staffed.clock.wall(), endpoint="PJSIP/lobby", online=False))

    assert staffed.seat_status("seat01") is SeatStatus.AVAILABLE


async def test_an_ami_reconnect_resyncs_the_fallback_queue_and_reads_every_device_state(pbx: Pbx):
    await pbx.log_in("seat01")
    pbx.fallback.log.clear()
    pbx.devices.states = [tel.DeviceStateSnapshot("PJSIP/seat01", tel.DeviceState.INUSE)]

    pbx.send(tel.ConnectionChanged(at=pbx.clock.wall(), link="ami", connected=True))
    await pbx.settle()

    assert [(c.method, c.args.get("interface")) for c in pbx.fallback.log] == [
        ("list_members", None), ("add", "PJSIP/seat01"), ("pause", "PJSIP/seat01"), ("remove", "PJSIP/seat02")]
    assert pbx.devices.methods == ["device_state_list"]
    assert pbx.seat_status("seat01") is SeatStatus.UNREACHABLE
    assert pbx.notices.of("asterisk_link")[-1] == {"kind": "asterisk_link", "link": "ami", "connected": True}


async def test_a_seat_that_logged_in_through_the_dialplan_while_the_controller_was_away_stays_logged_in(pbx: Pbx):
    pbx.fallback.members["PJSIP/seat02"] = True  # *11 then *13 with no controller: AddQueueMember, paused

    pbx.send(tel.ConnectionChanged(at=pbx.clock.wall(), link="ami", connected=True))
    await pbx.settle()

    assert pbx.seat_status("seat02") is SeatStatus.PAUSED
    removed = [c["interface"] for c in pbx.fallback.log if c.method == "remove"]
    assert "PJSIP/seat02" not in removed and pbx.fallback.members == {"PJSIP/seat02": True}


async def test_device_states_unavailable_after_an_ami_reconnect_are_logged_and_change_nothing(pbx: Pbx):
    await pbx.log_in("seat01")
    pbx.devices.fail("device_state_list", TelephonyUnavailable("AMI down again"))

    with capture_logs() as logs:
        pbx.send(tel.ConnectionChanged(at=pbx.clock.wall(), link="ami", connected=True))
        await pbx.settle()

    assert [e["error"] for e in logs if e["event"] == "device_states_unavailable"] == ["AMI down again"]
    assert pbx.seat_status("seat01") is SeatStatus.AVAILABLE
