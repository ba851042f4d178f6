"""Every error a port can raise: the call is never refused, it goes on with what still works."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import SeatStatus
from cc112_pbx.domain.telephony_errors import (
    EndpointUnreachable,
    TargetGone,
    TelephonyError,
    TelephonyUnavailable,
)
from cc112_pbx.services import facts as f
from cc112_pbx.services.controller import HoldAnnouncement
from tests.services.fakes import Pbx


def _events(logs: list[dict], name: str) -> list[dict]:
    return [e for e in logs if e["event"] == name]


async def test_a_caller_whose_answer_fails_is_still_recorded_greeted_and_rung(staffed: Pbx):
    staffed.control.fail("answer", TelephonyUnavailable("ARI timed out"))

    with capture_logs() as logs:
        channel = await staffed.caller_arrives()

    assert _events(logs, "answer_failed")[0]["error"] == "ARI timed out"
    assert staffed.facts_of(f.CallAnswered) == []
    assert len(staffed.recorder.called("start")) == 1
    assert len(staffed.control.prompts(channel)) == 4
    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01"]


async def test_a_caller_gone_before_the_answer_is_neither_recorded_nor_greeted(pbx: Pbx):
    pbx.control.fail("answer", TargetGone("channel not found"))

    channel = await pbx.caller_arrives()

    assert pbx.control.methods == ["answer", "detect_talking"]  # nothing more for a caller gone
    assert pbx.recorder.log == []
    await pbx.gone(channel)
    assert pbx.facts_of(f.CallFinished)[0].outcome == "abandoned"


async def test_a_recording_that_fails_to_start_never_stops_the_call(staffed: Pbx):
    staffed.recorder.fail("start", TelephonyUnavailable("AMI down"))

    with capture_logs() as logs:
        channel = await staffed.caller_arrives()
        leg = await staffed.seat_answers("seat01")
        await staffed.gone(leg)

    assert len(_events(logs, "recording_not_started")) == 1
    assert staffed.facts_of(f.RecordingBegan) == []
    assert len(staffed.control.prompts(channel)) == 4
    assert len(staffed.facts_of(f.CallConnected)) == 1
    assert staffed.facts_of(f.CallFinished)[0].recording_path is None
    assert staffed.store.called("recordings.add") == []


async def test_a_recorder_failing_with_any_error_never_stops_the_call(pbx: Pbx):
    pbx.recorder.fail("start", OSError("spool directory not writable"))

    channel = await pbx.caller_arrives()

    assert len(pbx.control.prompts(channel)) == 4


async def test_a_prompt_that_fails_is_skipped_and_the_rest_of_the_greeting_plays(pbx: Pbx):
    pbx.control.fail("play_prompt", TelephonyError("sound not found"), when=lambda a: a["lang"] == "id")

    with capture_logs() as logs:
        channel = await pbx.caller_arrives()

    assert [(e["prompt"], e["lang"]) for e in _events(logs, "prompt_failed")] == [("greeting", "id"),
                                                                                   ("silent-call", "id")]
    assert len(pbx.control.playbacks_on(channel)) == 2
    await pbx.prompts_end(channel)
    assert len(pbx.control.called("start_music")) == 1


async def test_when_no_prompt_can_be_played_the_caller_gets_music_at_once(pbx: Pbx):
    pbx.control.fail("play_prompt", TelephonyUnavailable("ARI down"))

    channel = await pbx.caller_arrives()

    assert pbx.control.methods[-2:] == ["start_music", "detect_talking"]
    assert pbx.control.log[-1]["channel_id"] == channel


async def test_hold_music_that_fails_is_logged_and_the_hold_announcement_still_comes(pbx: Pbx):
    pbx.control.fail("start_music", TelephonyError("no music class"))

    with capture_logs() as logs:
        channel = await pbx.caller_arrives()
        await pbx.prompts_end(channel)

    assert len(_events(logs, "hold_music_failed")) == 1
    assert HoldAnnouncement(pbx.session(channel).call_id) in pbx.timers.due
    await pbx.advance(30)
    assert pbx.control.prompts(channel)[-2:] == [("still-holding", "id"), ("still-holding", "en")]


async def test_a_seat_whose_endpoint_is_unreachable_is_marked_so_and_the_next_seat_is_rung(staffed: Pbx):
    staffed.control.fail("ring_seat", EndpointUnreachable("PJSIP/seat01 not registered"),
                         when=lambda a: a["seat_id"] == "seat01")

    await staffed.caller_arrives()

    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01", "seat02"]
    assert staffed.seat_status("seat01") is SeatStatus.UNREACHABLE
    assert staffed.seat_status("seat02") is SeatStatus.OFFERED
    assert staffed.controller.acd.snapshot().seats[0].missed_in_a_row == 0


async def test_a_seat_that_cannot_be_originated_counts_a_missed_offer_and_the_next_seat_is_rung(staffed: Pbx):
    staffed.control.fail("ring_seat", TelephonyUnavailable("ARI 500"), times=1)

    with capture_logs() as logs:
        await staffed.caller_arrives()

    assert _events(logs, "seat_originate_failed")[0]["error"] == "ARI 500"
    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01", "seat02"]
    assert staffed.controller.acd.snapshot().seats[0].missed_in_a_row == 1
    assert staffed.seat_status("seat01") is SeatStatus.AVAILABLE


@pytest.mark.parametrize("method", ["create_bridge", "bridge_channels"])
async def test_a_bridge_that_fails_releases_the_seat_leg_and_the_caller_waits_for_the_next_seat(
        staffed: Pbx, method: str):
    staffed.control.fail(method, TargetGone("channel not found"), times=1)

    with capture_logs() as logs:
        channel = await staffed.caller_arrives()
        leg = await staffed.seat_answers("seat01")

    assert _events(logs, "bridge_failed_seat_leg_released")[0]["error"] == "channel not found"
    assert staffed.facts_of(f.CallConnected) == []
    assert staffed.notices.of("call_connected") == []
    assert staffed.store.called("calls.mark_connected") == []
    assert leg in [c["channel_id"] for c in staffed.control.called("hang_up")]
    await staffed.gone(leg)  # Asterisk reports the released leg gone: the caller is offered again
    assert channel not in [c["channel_id"] for c in staffed.control.called("hang_up")]
    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01", "seat02"]


async def test_prompts_that_cannot_be_stopped_do_not_keep_caller_and_seat_apart(staffed: Pbx):
    staffed.control.fail("stop_playback", TargetGone("playback not found"))
    staffed.control.fail("stop_music", TelephonyError("not playing"))

    await staffed.caller_arrives()
    await staffed.seat_answers("seat01")

    assert len(staffed.control.called("bridge_channels")) == 1
    assert len(staffed.facts_of(f.CallConnected)) == 1


async def test_a_caller_hang_up_that_fails_still_ends_the_call_and_frees_the_seat_for_wrap_up(staffed: Pbx):
    staffed.control.fail("hang_up", TelephonyUnavailable("ARI down"))

    with capture_logs() as logs:
        await staffed.caller_arrives()
        leg = await staffed.seat_answers("seat01")
        await staffed.gone(leg)

    assert [e["job"] for e in _events(logs, "lane_job_failed")] == ["hangup_caller"]
    assert staffed.facts_of(f.CallFinished)[0].outcome == "answered"
    assert staffed.seat_status("seat01") is SeatStatus.WRAP_UP


async def test_a_failing_request_in_one_calls_lane_does_not_hold_back_another_call(staffed: Pbx):
    first = await staffed.caller_arrives()
    staffed.control.fail("answer", TelephonyUnavailable("ARI slow"), when=lambda a: a["channel_id"] == first)

    second = await staffed.caller_arrives()

    assert len(staffed.control.prompts(second)) == 4
    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01", "seat02"]


async def test_a_seat_leg_that_ends_before_it_was_bridged_leaves_the_caller_waiting_for_the_next_seat(staffed: Pbx):
    channel = await staffed.caller_arrives()
    staffed.control.fail("bridge_channels", TargetGone("channel not found"))
    leg = await staffed.seat_answers("seat01", settle=False)

    await staffed.gone(leg)

    assert channel not in [c["channel_id"] for c in staffed.control.called("hang_up")]
    assert staffed.facts_of(f.CallFinished) == []
    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01", "seat02"]


async def test_an_event_for_a_channel_nobody_knows_changes_nothing(staffed: Pbx):
    staffed.facts.clear()
    staffed.send(tel.ChannelGone(at=staffed.clock.wall(), channel_id="nobody", reason=tel.HangupCause.BUSY))
    staffed.send(tel.PlaybackEnded(at=staffed.clock.wall(), playback_id="pb-x", target_uri="channel:nobody",
                                   failed=False))
    staffed.send(tel.DtmfReceived(at=staffed.clock.wall(), channel_id="nobody", digit="5"))
    await staffed.settle()

    assert staffed.control.log == [] and staffed.facts == []
