"""What callers hear while waiting, and which seats may ring, through the emulator over sockets."""

from cc112_pbx.emulator.core import events as ev
from cc112_pbx.harness import Switchboard
from tests.waiting import wait_until


def _playbacks(core):
    started: list[tuple[str, str, str]] = []

    def listen(event):
        if isinstance(event, ev.PlaybackEvent) and event.kind == "started":
            snap = event.snapshot
            started.append((snap["target_uri"], snap["media_uri"], snap["language"]))

    core.subscribe(listen)
    return started


async def _login(sb, *seats):
    controller = sb.controller
    for seat in seats:
        await controller.request(lambda s=seat: controller.seats.login(s))


async def test_a_waiting_caller_hears_the_greeting_in_indonesian_then_english_and_a_periodic_message(tmp_path):
    async with Switchboard(tmp_path, seats=1, queue={"hold_announcement_interval": 1}, sound_seconds=0.1) as sb:
        played = _playbacks(sb.emulator.core)
        call = sb.emulator.place_call(number="+6281233334444", patience=2.6)  # no seat logged in
        await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=6)
        await sb.settled()
        mine = [(media, lang) for target, media, lang in played if target == f"channel:{call.inbound_id}"]
        assert mine[:2] == [("sound:cc112/greeting", "id"), ("sound:cc112/silent-call", "id")]
        assert mine[2:4] == [("sound:cc112/greeting", "en"), ("sound:cc112/silent-call", "en")]
        periodic = [m for m in mine[4:] if m[0] == "sound:cc112/still-holding"]
        assert periodic[:2] == [("sound:cc112/still-holding", "id"), ("sound:cc112/still-holding", "en")]
        assert len(periodic) >= 2 * 2  # every second while waiting: about twice in 2.6 s
        [incident] = await sb.app.db.incidents.recent()
        [stored] = await sb.app.db.calls.for_incident(incident.id)
        assert stored.outcome == "abandoned" and stored.seat_id is None


async def test_an_unregistered_softphone_is_never_rung(tmp_path):
    async with Switchboard(tmp_path, seats=2, queue={"wrapup_time": 0}) as sb:
        sb.emulator.register_seat("seat01", False)  # seat01's softphone went offline
        await _login(sb, "seat01", "seat02")
        calls = [sb.emulator.place_call(number=f"+62812000000{n}", talk_time=0.3) for n in range(3)]
        await sb.emulator.timeline.wait_for(lambda: all(c.ended_at is not None for c in calls), timeout=10)
        assert {c.seat for c in calls} == {"seat02"}
        assert sb.emulator.timeline.rings_of("seat01") == []
        sb.emulator.register_seat("seat01", True)  # back online: rung again
        acd = sb.controller.acd
        await wait_until(lambda: acd.snapshot().seats[0].reachable, what="the controller sees seat01 reachable again")
        call = sb.emulator.place_call(number="+6281200000009", talk_time=0.3)
        await sb.emulator.timeline.wait_for(lambda: call.connected_at is not None, timeout=5)
        assert call.seat == "seat01"


async def test_a_caller_waiting_longer_than_overflow_after_is_offered_to_the_volunteer_seat(tmp_path):
    async with Switchboard(tmp_path, seats=2, overflow_seats=1, queue={"overflow_after": 1}) as sb:
        await _login(sb, "seat01", "seat02")  # seat02 is the volunteers' overflow position
        first = sb.emulator.place_call(number="+6281200000001", talk_time=3)
        await sb.emulator.timeline.wait_for(lambda: first.connected_at is not None, timeout=5)
        second = sb.emulator.place_call(number="+6281200000002", talk_time=0.3)
        await sb.emulator.timeline.wait_for(lambda: second.connected_at is not None, timeout=5)
        assert first.seat == "seat01" and second.seat == "seat02"
        assert second.connected_at - second.placed_at >= 1.0  # not before overflow_after


async def test_feature_codes_from_the_softphone_log_in_pause_unpause_and_log_out(tmp_path):
    async with Switchboard(tmp_path, seats=1) as sb:
        acd = sb.controller.acd

        def seat():
            return acd.snapshot().seats[0]

        async def dial(code, check):
            sb.dial_feature_code("seat01", code)
            await sb.emulator.timeline.wait_for(lambda: check(seat()), timeout=5)

        await dial("*11", lambda s: s.logged_in and s.pause_reason is None)
        await dial("*13", lambda s: s.pause_reason is not None)
        call = sb.emulator.place_call(number="+6281200000003", patience=0.8)
        await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        assert call.connected_at is None  # a paused seat is not rung
        await dial("*13", lambda s: s.pause_reason is None)
        await dial("*12", lambda s: not s.logged_in)
        await sb.settled()
        [stored] = await sb.app.db.seats.all()
        assert not stored.logged_in


async def test_a_live_change_of_the_ring_timeout_applies_to_the_next_offer(tmp_path):
    import dataclasses

    from cc112_pbx.emulator.parties import SeatBehaviour

    never = {"seat01": SeatBehaviour("seat01", actions=("never",))}
    async with Switchboard(tmp_path, seats=2, seat_behaviours=never, queue={"ring_timeout": 30}) as sb:
        await _login(sb, "seat01", "seat02")  # seat01 idles longest: offered first, never answers
        controller = sb.controller
        config = dataclasses.replace(controller.acd.config, ring_timeout=1.0)
        await controller.request(lambda: controller.reconfigure(config))
        call = sb.emulator.place_call(number="+6281200000004", talk_time=0.3)
        await sb.emulator.timeline.wait_for(lambda: call.connected_at is not None, timeout=5)
        [ring] = sb.emulator.timeline.rings_of("seat01")
        assert call.seat == "seat02"
        assert 0.9 <= ring.ended_at - ring.rang_at < 3  # rang for the new 1 s, not the configured 30 s


async def test_a_caller_who_presses_5_5_is_flagged_as_a_silent_call_on_the_incident(tmp_path):
    async with Switchboard(tmp_path, seats=1) as sb:
        silent: list[dict] = []
        sb.notifier.subscribe(lambda e: silent.append(e) if e["kind"] == "silent_call" else None)
        await _login(sb, "seat01")
        call = sb.emulator.place_call(number="+6281200000005", dtmf="55", talk_time=1.0)
        await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        await sb.settled()
        [incident] = await sb.app.db.incidents.recent()
        notes = [e.details.get("text", "") for e in await sb.app.db.timeline.for_incident(incident.id)]
        assert len(silent) == 1 and incident.priority == 1 and any("5 5" in text for text in notes)


async def test_a_seat_reached_through_a_local_dial_string_is_rung_and_bridged_like_a_softphone(tmp_path):
    local = {"seat01": "Local/seat01@seats-sim"}  # any Asterisk dial string works per seat
    async with Switchboard(tmp_path, seats=1, dial_strings=local) as sb:
        await _login(sb, "seat01")
        call = sb.emulator.place_call(number="+6281200000006", talk_time=0.5)
        await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        assert call.connected_at is not None
        await sb.settled()
        [incident] = await sb.app.db.incidents.recent()
        [stored] = [c for c in await sb.app.db.calls.for_incident(incident.id) if c.direction == "inbound"]
        assert stored.outcome == "dropped" and stored.seat_id == "seat01"


async def test_the_music_comes_back_after_every_still_holding_announcement(tmp_path):
    async with Switchboard(tmp_path, seats=1, queue={"hold_announcement_interval": 1}, sound_seconds=0.05) as sb:
        finished: list[str] = []

        def listen(event):
            if isinstance(event, ev.PlaybackEvent) and event.kind == "finished":
                finished.append(event.snapshot["media_uri"])

        sb.emulator.core.subscribe(listen)
        call = sb.emulator.place_call(number="+6281200000007")  # nobody logged in: it waits
        music = sb.emulator.ari.media.channel_music
        await sb.emulator.timeline.wait_for(lambda: finished.count("sound:cc112/still-holding") >= 4, timeout=5)
        # the second round of announcements ended a moment ago and the next is 1 s away: within half
        # of that the caller hears music again, not silence
        await wait_until(lambda: music.get(call.inbound_id) is not None, timeout=0.5,
                         what="the music is on again after the still-holding announcement")
        sb.emulator.hang_up(call)


async def test_a_silent_caller_is_asked_to_press_5_5_and_pressing_it_makes_a_critical_silent_emergency(tmp_path):
    async with Switchboard(tmp_path, seats=1, incident={"silent_caller_prompt_after": 1}, sound_seconds=0.1,
                           queue={"wrapup_time": 0}) as sb:
        played = _playbacks(sb.emulator.core)
        notices = []
        sb.notifier.subscribe(notices.append)
        await _login(sb, "seat01")
        talker = sb.emulator.place_call(number="+6281233335550", talk_time=2.5)  # says what happened
        silent = sb.emulator.place_call(number="+6281233335551", silent=True)  # cannot speak
        await sb.emulator.timeline.wait_for(lambda: talker.ended_at is not None, timeout=8)
        await sb.emulator.timeline.wait_for(lambda: silent.connected_at is not None, timeout=8)

        def asked(call) -> list[str]:
            return [lang for target, media, lang in played
                    if target == f"channel:{call.inbound_id}" and media == "sound:cc112/silent-call"]

        await wait_until(lambda: len(asked(silent)) == 4, what="the silent caller asked (greeting, then after 1 s)")
        assert len(asked(talker)) <= 2  # the greeting's own lines only (cut short by the seat): it was heard
        assert any(n["kind"] == "caller_silent" and n["seat"] == "seat01" for n in notices)
        await sb.emulator.core.send_dtmf(silent.channel_id, "55")
        await wait_until(lambda: any(n["kind"] == "silent_call" for n in notices), what="the 5 5 was understood")
        sb.emulator.hang_up(silent)
        await sb.emulator.timeline.wait_for(lambda: silent.ended_at is not None, timeout=5)
        await sb.settled()
        incidents = await sb.app.db.incidents.recent()
        [incident] = [i for i in incidents if i.caller_number == "+6281233335551"]
        assert incident.priority == 1
        notes = [e.details.get("text", "") for e in await sb.app.db.timeline.for_incident(incident.id)]
        assert any("Silent emergency" in text for text in notes) and any("not spoken" in text for text in notes)
