"""After a restart or a reconnect: callers found in the app are taken back as the calls a previous
run stored, a conversation found in its bridge goes on as it was, and stale bridges are removed."""

from __future__ import annotations

from datetime import timedelta

from structlog.testing import capture_logs

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import SeatStatus
from cc112_pbx.services import facts as f
from tests.services.fakes import Pbx, caller_entered

BRIDGE = "cc112-call-call-7"


def _recovered_caller(pbx: Pbx, channel_id: str = "caller-7", *, waited: float = 40.0, **extra) -> tel.CallEntered:
    return caller_entered(channel_id, at=pbx.clock.wall() - timedelta(seconds=waited), state=tel.ChannelState.UP,
                          recovered=True, **extra)


def _recovered_seat_leg(pbx: Pbx, channel_id: str = "seat-leg-7", *, seat: str = "seat01",
                        peers: tuple[str, ...] = ("caller-7",)) -> tel.CallEntered:
    return tel.CallEntered(at=pbx.clock.wall(), channel_id=channel_id, channel_name=f"PJSIP/{seat}-0007",
                           args=("seat", seat), caller_number=None, caller_name=None, state=tel.ChannelState.UP,
                           recovered=True, bridge_id=BRIDGE, bridge_peers=peers)


def _seed_call_7(pbx: Pbx, *, connected: bool = False) -> None:
    arrived = pbx.clock.wall() - timedelta(seconds=40)
    pbx.store.seed_call(call_id="call-7", channel_id="caller-7", arrived_at=arrived, incident_id=7,
                        recording_path="/var/spool/cc112-test/call-7.wav",
                        connected_at=arrived + timedelta(seconds=10) if connected else None,
                        seat_id="seat01" if connected else None, seat_leg="seat-leg-7" if connected else None)


async def test_a_recovered_caller_is_taken_back_as_the_stored_call_with_its_incident_and_recording(staffed: Pbx):
    _seed_call_7(staffed)

    staffed.send(_recovered_caller(staffed))
    await staffed.settle()

    [opened] = staffed.facts_of(f.CallOpened)
    assert (opened.call_id, opened.incident_id, opened.recording_id) == ("call-7", 7, 1)
    assert opened.adopted and opened.stored_call
    session = staffed.session("caller-7")
    assert (session.incident_id, session.recording_path) == (7, "/var/spool/cc112-test/call-7.wav")
    assert staffed.store.called("incidents.open_for_call") == []
    assert staffed.recorder.log == []  # its recording goes on: no second file


async def test_a_recovered_caller_is_not_answered_or_greeted_again_but_hears_music_and_rings_a_seat(staffed: Pbx):
    _seed_call_7(staffed)

    staffed.send(_recovered_caller(staffed))
    await staffed.settle()

    assert staffed.control.methods == ["ring_seat", "start_music", "detect_talking"]  # a free seat rings first
    assert staffed.control.prompts() == []
    assert staffed.facts_of(f.CallAnswered) == []


async def test_a_recovered_caller_keeps_its_place_its_wait_counts_from_its_arrival(pbx: Pbx):
    _seed_call_7(pbx)
    await pbx.caller_arrives("caller-new", number="0811111111")  # seen first, but arrived 40 s after caller-7
    pbx.send(_recovered_caller(pbx))
    await pbx.settle()
    await pbx.log_in("seat01")

    [ring] = pbx.control.rings()
    assert ring["caller_id"].startswith('"112 081234567890"')
    assert pbx.ctx.sessions.seat_legs[ring["channel_id"]].offer.call_id == "call-7"
    await pbx.advance(5)
    leg = await pbx.seat_answers("seat01")
    await pbx.gone(leg)
    [finished] = pbx.facts_of(f.CallFinished)
    assert (finished.call_id, finished.waited) == ("call-7", 45.0)


async def test_the_adopted_calls_later_writes_use_its_stored_ids(staffed: Pbx):
    _seed_call_7(staffed)
    staffed.send(_recovered_caller(staffed))
    await staffed.settle()
    staffed.store.log.clear()

    leg = await staffed.seat_answers("seat01")
    await staffed.gone(leg)

    call_writes = {"calls.add", "calls.mark_connected", "recordings.set_seat", "calls.end", "recordings.finish",
                   "incidents.transition"}
    assert [(c.method, c.args.get("call_id", c.args.get("recording_id", c.args.get("incident_id"))))
            for c in staffed.store.log if c.method in call_writes] == [
        ("calls.add", leg), ("calls.mark_connected", "call-7"), ("recordings.set_seat", 1),
        ("incidents.transition", 7), ("calls.end", "call-7"), ("recordings.finish", 1), ("calls.end", leg)]


async def test_a_recovered_caller_the_store_does_not_know_keeps_the_recording_mixmonitor_is_writing(pbx: Pbx):
    pbx.recorder.paths["caller-7"] = "/var/spool/cc112-test/earlier.wav"

    pbx.send(_recovered_caller(pbx))
    await pbx.settle()

    assert pbx.recorder.methods == ["current_path"]
    assert pbx.session("caller-7").recording_path == "/var/spool/cc112-test/earlier.wav"
    assert len(pbx.store.called("incidents.open_for_call")) == 1  # a new record: nothing was stored
    [stored] = pbx.store.called("recordings.add")  # the running recording gets its row
    assert stored["path"] == "/var/spool/cc112-test/earlier.wav"
    assert pbx.control.prompts() == []


async def test_a_recovered_caller_is_adopted_as_new_when_the_store_cannot_be_asked(staffed: Pbx):
    staffed.store.fail("calls.by_channel", ConnectionError("database unavailable"))

    with capture_logs() as logs:
        staffed.send(_recovered_caller(staffed))
        await staffed.settle()

    assert [e["channel"] for e in logs if e["event"] == "adopt_lookup_failed"] == ["caller-7"]
    session = staffed.session("caller-7")
    assert session.adopted and session.call_id != "call-7"
    assert session.arrived_at == staffed.clock.wall() - timedelta(seconds=40)  # its channel's creation
    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01"]


async def test_a_caller_reported_again_by_a_resync_is_not_opened_twice(staffed: Pbx):
    channel = await staffed.caller_arrives()

    staffed.send(caller_entered(channel, at=staffed.clock.wall(), recovered=True, state=tel.ChannelState.UP))
    await staffed.settle()

    assert len(staffed.facts_of(f.CallOpened)) == 1
    assert len(staffed.control.rings()) == 1


async def test_a_caller_found_bridged_with_its_seat_leg_is_resumed_as_connected_without_a_ring(staffed: Pbx):
    _seed_call_7(staffed, connected=True)

    staffed.send(_recovered_seat_leg(staffed))
    staffed.send(_recovered_caller(staffed, bridge_id=BRIDGE, bridge_peers=("seat-leg-7",)))
    await staffed.settle()

    assert staffed.control.log == []  # no ring, no greeting, no music, the bridge stays
    assert staffed.seat_status("seat01") is SeatStatus.ON_CALL
    session = staffed.session("caller-7")
    assert (session.seat_id, session.seat_channel_id, session.bridge_id) == ("seat01", "seat-leg-7", BRIDGE)
    assert "seat-leg-7" in staffed.watched


async def test_the_seat_leg_may_be_reported_after_its_caller_the_call_is_still_resumed(staffed: Pbx):
    _seed_call_7(staffed, connected=True)

    staffed.send(_recovered_caller(staffed, bridge_id=BRIDGE, bridge_peers=("seat-leg-7",)))
    staffed.send(_recovered_seat_leg(staffed))  # while the store is being asked about the caller
    await staffed.settle()

    assert staffed.control.rings() == []
    assert staffed.seat_status("seat01") is SeatStatus.ON_CALL


async def test_a_resumed_call_ends_normally_when_the_seat_hangs_up(staffed: Pbx):
    _seed_call_7(staffed, connected=True)
    staffed.send(_recovered_seat_leg(staffed))
    staffed.send(_recovered_caller(staffed, bridge_id=BRIDGE, bridge_peers=("seat-leg-7",)))
    await staffed.settle()

    await staffed.gone("seat-leg-7")

    assert [(c.method, c.args) for c in staffed.control.log] == [
        ("hang_up", {"channel_id": "caller-7"}), ("destroy_bridge", {"bridge_id": BRIDGE})]
    [finished] = staffed.facts_of(f.CallFinished)
    assert (finished.call_id, finished.outcome, finished.seat_id, finished.waited) == ("call-7", "answered",
                                                                                        "seat01", 10.0)
    assert staffed.seat_status("seat01") is SeatStatus.WRAP_UP
    rows = staffed.store.calls.rows
    assert (rows["call-7"].outcome, rows["seat-leg-7"].outcome) == ("answered", "answered")
    assert staffed.journal.abandoned == 0


async def test_a_caller_found_in_a_bridge_its_seat_left_gets_the_bridge_destroyed_and_waits_again(staffed: Pbx):
    _seed_call_7(staffed, connected=True)

    staffed.send(_recovered_caller(staffed, bridge_id=BRIDGE, bridge_peers=()))
    await staffed.settle()

    assert staffed.control.methods == ["destroy_bridge", "ring_seat", "start_music", "detect_talking"]
    assert staffed.control.log[0]["bridge_id"] == BRIDGE
    assert staffed.control.prompts() == []


async def test_a_seat_leg_found_in_a_bridge_without_its_caller_is_hung_up(staffed: Pbx):
    staffed.send(_recovered_seat_leg(staffed, peers=()))
    await staffed.settle()

    assert [(c.method, c.args) for c in staffed.control.log] == [("hang_up", {"channel_id": "seat-leg-7"})]


async def test_a_seat_leg_that_ends_before_its_caller_is_adopted_leaves_the_caller_waiting_for_a_seat(staffed: Pbx):
    _seed_call_7(staffed, connected=True)
    staffed.send(_recovered_caller(staffed, bridge_id=BRIDGE, bridge_peers=("seat-leg-7",)))
    staffed.send(_recovered_seat_leg(staffed))

    await staffed.gone("seat-leg-7", settle=False)  # still looking the caller up in the store
    await staffed.settle()

    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01"]
    assert staffed.control.called("destroy_bridge")[0]["bridge_id"] == BRIDGE


async def test_a_caller_missing_after_a_resync_ends_its_call(staffed: Pbx):
    gone = await staffed.caller_arrives()
    kept = await staffed.caller_arrives()

    staffed.send(tel.StreamResynced(at=staffed.clock.wall(), present_channel_ids=frozenset({kept})))
    await staffed.settle()

    [finished] = staffed.facts_of(f.CallFinished)
    assert finished.call_id != staffed.session(kept).call_id and finished.outcome == "abandoned"
    assert staffed.ctx.sessions.by_caller_channel(gone) is None


async def test_a_resumed_call_whose_recording_was_never_stored_gets_its_row(staffed: Pbx):
    _seed_call_7(staffed, connected=True)
    staffed.store.recordings.rows.clear()  # killed before its recording's write landed
    staffed.recorder.paths["caller-7"] = "/var/spool/cc112-test/call-7.wav"
    staffed.send(_recovered_seat_leg(staffed))
    staffed.send(_recovered_caller(staffed, bridge_id=BRIDGE, bridge_peers=("seat-leg-7",)))
    await staffed.settle()

    [stored] = staffed.store.called("recordings.add")
    assert (stored["call_id"], stored["path"]) == ("call-7", "/var/spool/cc112-test/call-7.wav")
    assert staffed.control.rings() == []  # still resumed, not offered
