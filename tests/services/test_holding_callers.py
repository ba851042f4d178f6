"""A caller waiting for a seat: answered, recorded, greeted in every language, music on hold,
the periodic still-holding announcement, and the silent-call code 5 5."""

from __future__ import annotations

from cc112_pbx.domain import telephony as tel
from cc112_pbx.services import facts as f
from cc112_pbx.services.controller import HoldAnnouncement
from tests.services.fakes import Pbx, build_pbx, default_options


async def test_a_caller_is_answered_then_recorded_then_greeted_in_each_language_in_order(pbx: Pbx):
    channel = await pbx.caller_arrives()
    call_id = pbx.session(channel).call_id

    assert pbx.control.methods == ["answer"] + ["play_prompt"] * 4 + ["detect_talking"]
    assert pbx.control.log[0]["channel_id"] == channel
    assert pbx.recorder.log[0].args == {"channel_name": f"PJSIP/trunk-{channel}",
                                        "path": f"/var/spool/cc112-test/{call_id}.wav"}
    assert pbx.control.prompts(channel) == [("greeting", "id"), ("silent-call", "id"),
                                            ("greeting", "en"), ("silent-call", "en")]
    assert [type(x).__name__ for x in pbx.facts[:3]] == ["CallOpened", "CallAnswered", "RecordingBegan"]


async def test_the_greeting_follows_the_configured_languages():
    pbx = await build_pbx(options=default_options(languages=("en", "id", "jv")))
    try:
        channel = await pbx.caller_arrives()
        assert [lang for prompt, lang in pbx.control.prompts(channel) if prompt == "greeting"] == ["en", "id", "jv"]
    finally:
        await pbx.close()


async def test_music_on_hold_starts_only_when_the_last_greeting_prompt_ended(pbx: Pbx):
    channel = await pbx.caller_arrives()
    first = pbx.control.playbacks_on(channel)[0]
    pbx.control.playing.pop(first)

    pbx.send(tel.PlaybackEnded(at=pbx.clock.wall(), playback_id=first, target_uri=f"channel:{channel}",
                               failed=False))
    await pbx.settle()
    assert pbx.control.called("start_music") == []

    await pbx.prompts_end(channel)

    assert [c["channel_id"] for c in pbx.control.called("start_music")] == [channel]


async def test_a_waiting_caller_hears_still_holding_every_interval_and_music_again_after_it(pbx: Pbx):
    channel = await pbx.caller_arrives()
    await pbx.prompts_end(channel)
    pbx.control.log.clear()

    await pbx.advance(29.9)
    assert pbx.control.log == []
    await pbx.advance(0.1)

    assert pbx.control.prompts(channel) == [("still-holding", "id"), ("still-holding", "en")]
    assert pbx.control.called("start_music") == []  # not over the announcement
    await pbx.prompts_end(channel)
    assert pbx.control.methods == ["play_prompt", "play_prompt", "start_music"]

    await pbx.advance(30)
    assert pbx.control.prompts(channel)[-2:] == [("still-holding", "id"), ("still-holding", "en")]
    assert len(pbx.control.called("play_prompt")) == 4


async def test_the_hold_announcement_stops_when_the_caller_hangs_up(pbx: Pbx):
    channel = await pbx.caller_arrives()
    await pbx.prompts_end(channel)
    call_id = pbx.session(channel).call_id
    assert HoldAnnouncement(call_id) in pbx.timers.due

    await pbx.gone(channel)

    assert HoldAnnouncement(call_id) not in pbx.timers.due
    pbx.control.log.clear()
    await pbx.advance(120)
    assert pbx.control.log == []


async def test_no_hold_announcement_when_the_interval_is_zero():
    pbx = await build_pbx(options=default_options(hold_announcement_interval=0))
    try:
        channel = await pbx.caller_arrives()
        await pbx.prompts_end(channel)
        await pbx.advance(300)
        assert [p for p, _ in pbx.control.prompts(channel)].count("still-holding") == 0
    finally:
        await pbx.close()


async def test_pressing_5_5_while_waiting_marks_a_silent_emergency_critical_on_its_incident(pbx: Pbx):
    channel = await pbx.caller_arrives()

    for digit in "555":  # a third 5 is not a second confirmation
        pbx.send(tel.DtmfReceived(at=pbx.clock.wall(), channel_id=channel, digit=digit))
    await pbx.settle()

    [silent] = pbx.facts_of(f.SilentCallConfirmed)
    assert silent.incident_id == 1
    assert pbx.store.incidents.rows[1].fields["priority"] == 1
    [(incident_id, note)] = [(i, e) for i, e in pbx.store.timeline.entries if e.kind.value == "note"]
    assert incident_id == 1 and "Silent emergency" in note.details["text"]
    assert pbx.notices.of("silent_call") == [{"kind": "silent_call", "call_id": silent.call_id, "incident_id": 1}]


async def test_5_then_another_digit_then_5_is_not_a_silent_call(pbx: Pbx):
    channel = await pbx.caller_arrives()

    for digit in "535":
        pbx.send(tel.DtmfReceived(at=pbx.clock.wall(), channel_id=channel, digit=digit))
    await pbx.settle()

    assert pbx.facts_of(f.SilentCallConfirmed) == []
    assert pbx.store.called("incidents.update") == []


async def test_recording_start_and_end_are_published_and_stored_with_the_call(staffed: Pbx):
    channel = await staffed.caller_arrives()
    call_id = staffed.session(channel).call_id
    leg = await staffed.seat_answers("seat01")
    await staffed.advance(90)

    await staffed.gone(leg)

    [began] = staffed.facts_of(f.RecordingBegan)
    [finished] = staffed.facts_of(f.CallFinished)
    assert began.path == finished.recording_path == f"/var/spool/cc112-test/{call_id}.wav"
    [row] = staffed.store.recordings.rows.values()
    assert (row.call_id, row.path, row.seat_id) == (call_id, began.path, "seat01")
    assert (row.started_at, row.ended_at) == (began.at, finished.at)


async def test_a_connected_caller_not_heard_is_asked_to_press_5_5_and_the_call_taker_alerted(staffed: Pbx):
    channel = await staffed.caller_arrives()
    await staffed.seat_answers("seat01")
    staffed.control.log.clear()

    await staffed.advance(staffed.ctx.options.silent_caller_prompt_after)

    assert staffed.control.prompts(channel) == [("silent-call", "id"), ("silent-call", "en")]
    [silent] = staffed.facts_of(f.CallerSilent)
    assert silent.seat_id == "seat01" and staffed.notices.of("caller_silent")[0]["seat"] == "seat01"
    await staffed.advance(staffed.ctx.options.silent_caller_prompt_after)  # asked once only
    assert len(staffed.control.prompts(channel)) == 2


async def test_a_caller_who_talks_is_never_asked_to_press_5_5(staffed: Pbx):
    channel = await staffed.caller_arrives()
    await staffed.seat_answers("seat01")
    staffed.send(tel.TalkingChanged(at=staffed.clock.wall(), channel_id=channel, talking=True))
    staffed.control.log.clear()

    await staffed.advance(staffed.ctx.options.silent_caller_prompt_after + 1)

    assert staffed.control.prompts(channel) == [] and staffed.facts_of(f.CallerSilent) == []
