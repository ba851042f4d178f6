"""The controller restarts while a caller waits in its Stasis app: the caller is adopted, not lost."""

from cc112_pbx.emulator.timeline import SimulatedCall
from cc112_pbx.harness import Switchboard
from tests.waiting import wait_until


async def _taken_in(sb: Switchboard, call: SimulatedCall) -> bool:
    """The controller stored the waiting caller's call and the recording it started."""
    row = await sb.app.db.calls.by_channel(call.inbound_id)
    return row is not None and bool(await sb.app.db.recordings.for_call(row.id))


async def test_a_caller_waiting_across_a_controller_restart_is_adopted_and_connected(tmp_path):
    async with Switchboard(tmp_path, seats=1) as sb:
        emu = sb.emulator
        call = emu.place_call(number="+6281266660001", talk_time=0.3)  # nobody logged in: it waits
        await emu.timeline.wait_for(lambda: call.answered_at is not None, timeout=5)
        await wait_until(lambda: _taken_in(sb, call), what="the waiting call and its recording are stored")
        await sb.stop_controller()  # crash or upgrade: the caller stays in the Stasis app
        await sb.start_controller()
        controller = sb.controller
        await controller.request(lambda: controller.seats.login("seat01"))
        await emu.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        assert call.connected_at is not None and call.seat == "seat01"
        await sb.settled()
        # still one recording for the call: the MixMonitor started before the restart goes on
        assert len(emu.timeline.recordings) == 1
        stored = []
        for incident in await sb.app.db.incidents.recent():
            stored += [c for c in await sb.app.db.calls.for_incident(incident.id) if c.direction == "inbound"]
        # the same stored call and incident, now ended, with its one recording
        [row] = [c for c in stored if c.channel_id == call.inbound_id]
        assert row.outcome == "dropped" and row.seat_id == "seat01"
        [recording] = await sb.app.db.recordings.for_call(row.id)
        assert recording.path == emu.timeline.recordings[0] and recording.ended_at is not None


async def test_a_call_that_ended_while_the_controller_was_down_is_closed_at_the_next_start(tmp_path):
    async with Switchboard(tmp_path, seats=1) as sb:
        emu = sb.emulator
        call = emu.place_call(number="+6281266660002")
        await emu.timeline.wait_for(lambda: call.answered_at is not None, timeout=5)
        await wait_until(lambda: _taken_in(sb, call), what="the waiting call and its recording are stored")
        await sb.stop_controller()
        emu.hang_up(call)  # nobody is watching
        await emu.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        await sb.start_controller()
        await sb.settled()
        [incident] = await sb.app.db.incidents.recent()
        [row] = [c for c in await sb.app.db.calls.for_incident(incident.id) if c.direction == "inbound"]
        assert row.ended_at is not None and row.hangup_cause == "ended while the controller was down"
        assert await sb.app.db.calls.active() == []
