"""A seat answers: the caller's prompts stop, caller and seat share a bridge, the call is connected;
then one side hangs up and the other follows."""

from __future__ import annotations

from datetime import timedelta

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import SeatStatus
from cc112_pbx.services import facts as f
from tests.services.fakes import Pbx


async def test_seat_answering_while_the_greeting_plays_stops_the_prompts_before_bridging(staffed: Pbx):
    channel = await staffed.caller_arrives()
    playing = staffed.control.playbacks_on(channel)
    assert len(playing) == 4  # greeting and silent-call hint, in two languages
    staffed.control.log.clear()

    leg = await staffed.seat_answers("seat01")

    assert staffed.control.methods == ["stop_playback"] * 4 + ["stop_music", "create_bridge", "bridge_channels"]
    assert sorted(c["playback_id"] for c in staffed.control.called("stop_playback")) == sorted(playing)
    [bridge] = staffed.control.called("bridge_channels")
    assert bridge.args == {"bridge_id": f"cc112-call-{staffed.session(channel).call_id}", "channel_ids": [channel, leg]}
    assert staffed.control.called("create_bridge")[0]["bridge_id"] == bridge["bridge_id"]


async def test_call_connected_is_published_only_once_both_are_in_the_bridge_and_dates_from_then(staffed: Pbx):
    channel = await staffed.caller_arrives()
    await staffed.advance(4)
    staffed.control.on("bridge_channels", lambda args: staffed.clock.advance(2))  # bridging takes 2 s
    answered_at = staffed.clock.wall()

    await staffed.seat_answers("seat01", settle=False)
    assert staffed.facts_of(f.CallConnected) == []  # decided, not done: nothing published yet
    await staffed.settle()

    [connected] = staffed.facts_of(f.CallConnected)
    assert connected.at == answered_at + timedelta(seconds=2)
    assert connected.waited == 6.0
    assert (connected.seat_id, connected.seat_channel_id) == ("seat01", staffed.ringing_leg("seat01"))
    assert staffed.session(channel).connected_at == connected.at
    assert staffed.store.calls.rows[connected.call_id].connected_at == connected.at


async def test_the_connected_notice_carries_the_incident_the_store_opened(staffed: Pbx):
    await staffed.caller_arrives()

    await staffed.seat_answers("seat01")

    [notice] = staffed.notices.of("call_connected")
    assert notice["incident_id"] == 1 and notice["seat"] == "seat01" and notice["caller"] == "081234567890"


async def test_seat_hanging_up_hangs_up_the_caller_and_ends_the_call_as_answered(staffed: Pbx):
    channel = await staffed.caller_arrives()
    await staffed.advance(3)
    leg = await staffed.seat_answers("seat01")
    await staffed.advance(60)
    staffed.control.log.clear()

    await staffed.gone(leg)

    bridge_id = f"cc112-call-{staffed.facts_of(f.CallConnected)[0].call_id}"
    assert staffed.control.log[0].method == "hang_up" and staffed.control.log[0]["channel_id"] == channel
    assert ("destroy_bridge", bridge_id) in [(c.method, c.args.get("bridge_id")) for c in staffed.control.log]
    [finished] = staffed.facts_of(f.CallFinished)
    assert (finished.outcome, finished.seat_id, finished.waited) == ("answered", "seat01", 3.0)
    assert staffed.facts_of(f.SeatLegEnded) == [f.SeatLegEnded(leg, staffed.clock.wall())]
    assert staffed.seat_status("seat01") is SeatStatus.WRAP_UP


async def test_caller_hanging_up_while_connected_hangs_up_the_seat_leg(staffed: Pbx):
    channel = await staffed.caller_arrives()
    leg = await staffed.seat_answers("seat01")
    staffed.control.log.clear()

    await staffed.gone(channel)
    await staffed.gone(leg)  # the seat leg's end follows

    assert [c["channel_id"] for c in staffed.control.called("hang_up")] == [leg]
    [finished] = staffed.facts_of(f.CallFinished)
    assert finished.outcome == "dropped"  # the report was still being taken: the line dropped
    assert len(staffed.facts_of(f.SeatLegEnded)) == 1
    assert staffed.store.calls.rows[leg].outcome == "answered"  # the seat's own call row ended too


async def test_a_seat_answering_after_its_offer_timed_out_is_hung_up_and_not_bridged(staffed: Pbx):
    await staffed.caller_arrives()
    late = staffed.ringing_leg("seat01")
    await staffed.advance(15)
    staffed.control.log.clear()

    staffed.send(tel.CallEntered(at=staffed.clock.wall(), channel_id=late, channel_name="PJSIP/seat01-0009",
                                 args=("seat", "seat01"), caller_number=None, caller_name=None,
                                 state=tel.ChannelState.UP))
    await staffed.settle()

    assert staffed.control.methods == ["hang_up"]
    assert staffed.control.log[0]["channel_id"] == late
    assert staffed.facts_of(f.CallConnected) == []


async def test_prompt_ends_after_bridging_do_not_restart_hold_music(staffed: Pbx):
    channel = await staffed.caller_arrives()
    playing = staffed.control.playbacks_on(channel)
    await staffed.seat_answers("seat01")
    staffed.control.log.clear()

    for playback_id in playing:
        staffed.send(tel.PlaybackEnded(at=staffed.clock.wall(), playback_id=playback_id,
                                       target_uri=f"channel:{channel}", failed=False))
    await staffed.settle()

    assert staffed.control.called("start_music") == []


async def test_hold_announcement_due_after_the_call_connected_plays_nothing(staffed: Pbx):
    channel = await staffed.caller_arrives()
    await staffed.prompts_end(channel)  # music on: the hold announcement timer runs
    await staffed.seat_answers("seat01")
    staffed.send(tel.TalkingChanged(at=staffed.clock.wall(), channel_id=channel, talking=True))  # not silent
    staffed.control.log.clear()

    await staffed.advance(30)

    assert staffed.control.called("play_prompt") == []
