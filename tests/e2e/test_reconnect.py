"""The controller loses its ARI WebSocket: what happened in the gap is recovered, nothing is lost."""

from cc112_pbx.harness import Switchboard
from tests.waiting import wait_until


async def _drop_controller_websocket(emu) -> None:
    await emu.drop_ari_connections()  # Asterisk restarts its HTTP server, or the network blips


async def test_a_caller_who_hangs_up_while_the_controller_is_disconnected_is_ended_exactly_once(tmp_path):
    async with Switchboard(tmp_path, seats=1, queue={"wrapup_time": 0}) as sb:
        emu = sb.emulator
        waiting = emu.place_call(number="+6281255550001")  # nobody logged in: the caller waits
        await emu.timeline.wait_for(lambda: waiting.answered_at is not None, timeout=5)
        await wait_until(lambda: sb.app.db.calls.by_channel(waiting.inbound_id),
                         what="the controller has taken the waiting caller in and stored the call")
        ended: list[dict] = []
        sb.notifier.subscribe(lambda e: ended.append(e) if e["kind"] == "call_ended" else None)
        await _drop_controller_websocket(emu)
        emu.hang_up(waiting)  # during the gap: Asterisk will never tell the controller
        await wait_until(lambda: ended, what="the controller ends the call that hung up in the gap")
        assert [e["outcome"] for e in ended] == ["abandoned"]
        # the controller is connected again and handles the next caller as usual
        controller = sb.controller
        await controller.request(lambda: controller.seats.login("seat01"))
        nxt = emu.place_call(number="+6281255550002", talk_time=0.3)
        await emu.timeline.wait_for(lambda: nxt.ended_at is not None, timeout=5)
        await wait_until(lambda: len(ended) >= 2, what="the controller ends the next call")
        await sb.settled()
        assert len(ended) == 2 and ended[1]["outcome"] == "dropped"
        outcomes = []
        for incident in await sb.app.db.incidents.recent():
            outcomes += [c.outcome for c in await sb.app.db.calls.for_incident(incident.id) if c.direction == "inbound"]
        assert sorted(outcomes) == ["abandoned", "dropped"]
