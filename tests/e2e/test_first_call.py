import wave

from cc112_pbx.harness import Switchboard


async def test_a_112_call_rings_a_logged_in_seat_is_bridged_recorded_and_stored(tmp_path):
    async with Switchboard(tmp_path, seats=2, queue={"wrapup_time": 1}) as sb:
        await sb.login_all()
        emu = sb.emulator
        call = emu.place_call(number="+6281234567890", dialled="112", talk_time=1.0)
        await emu.timeline.wait_for(lambda: call.connected_at is not None, timeout=5)
        await emu.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        assert call.seat in ("seat01", "seat02")
        await sb.settled()
        db = sb.app.db
        incidents = await db.incidents.recent()
        assert len(incidents) == 1 and incidents[0].caller_number == "+6281234567890"
        calls = await db.calls.for_incident(incidents[0].id)
        inbound = [c for c in calls if c.direction == "inbound"]
        assert inbound[0].outcome == "dropped" and inbound[0].seat_id == call.seat
        recordings = await db.recordings.for_call(inbound[0].id)
        assert len(recordings) == 1
    with wave.open(recordings[0].path) as wav:
        assert wav.getframerate() == 8000 and wav.getnchannels() == 1
        assert wav.getnframes() / 8000 > 0.5
