"""What the controller learns reaches the store through the journal: in order, linked by ids,
and never at the cost of a call when the database is down."""

from __future__ import annotations

from cc112_pbx.services import facts as f
from tests.services.fakes import Pbx

CALL_WRITES = ["incidents.open_for_call", "calls.mark_answered", "recordings.add", "calls.add",
               "calls.mark_connected", "recordings.set_seat", "calls.end", "recordings.finish"]


async def _connected_call_that_ends(pbx: Pbx, *, journal: bool = True) -> tuple[str, str]:
    channel = await pbx.caller_arrives(settle=False)
    await pbx.settle(journal=journal)
    leg = await pbx.seat_answers("seat01", settle=False)
    await pbx.settle(journal=journal)
    await pbx.gone(channel, settle=False)
    await pbx.gone(leg, settle=False)
    await pbx.settle(journal=journal)
    return channel, leg


async def test_a_calls_writes_reach_the_store_in_order_open_answered_recording_connected_ended(staffed: Pbx):
    staffed.store.log.clear()

    _channel, leg = await _connected_call_that_ends(staffed)

    assert [m for m in staffed.store.writes if m in CALL_WRITES] == [*CALL_WRITES, "calls.end"]  # seat leg last
    assert staffed.store.log[-1]["call_id"] == leg


async def test_the_incident_is_opened_with_what_is_known_of_the_caller(pbx: Pbx):
    channel = await pbx.caller_arrives(number="anonymous", dialled="110")

    [opened] = pbx.store.called("incidents.open_for_call")
    session = pbx.session(channel)
    assert opened.args == {
        "call_id": session.call_id, "channel_id": channel, "channel_name": f"PJSIP/trunk-{channel}",
        "arrived_at": pbx.clock.wall(), "dialled": "110", "caller_number": "anonymous", "caller_kind": "anonymous",
        "category_hint": "police", "no_callback": True,
    }


async def test_the_stores_incident_id_is_linked_back_to_the_live_call_and_announced(pbx: Pbx):
    channel = await pbx.caller_arrives()

    assert pbx.session(channel).incident_id == 1
    assert pbx.notices.of("incident_opened") == [
        {"kind": "incident_opened", "call_id": pbx.session(channel).call_id, "incident_id": 1}]


async def test_a_later_offer_shows_the_seat_the_incident_id(staffed: Pbx):
    await staffed.caller_arrives()
    await staffed.advance(15)  # seat01 did not answer: seat02 rings, the incident is known by now

    first, second = staffed.notices.of("seat_ringing")
    assert (first["seat"], first["incident_id"]) == ("seat01", None)  # offered before the store answered
    assert (second["seat"], second["incident_id"]) == ("seat02", 1)


async def test_the_connected_call_is_stored_with_its_seat_leg_and_recording(staffed: Pbx):
    _channel, leg = await _connected_call_that_ends(staffed)

    call_id = staffed.facts_of(f.CallOpened)[0].call_id
    caller_row, seat_row = staffed.store.calls.rows[call_id], staffed.store.calls.rows[leg]
    # the caller hung up while the report was being taken: a dropped line (called back)
    assert (caller_row.seat_id, caller_row.peer_call_id, caller_row.outcome) == ("seat01", leg, "dropped")
    assert (seat_row.direction, seat_row.peer_call_id, seat_row.incident_id) == ("seat", call_id, 1)
    assert staffed.store.recordings.rows[1].seat_id == "seat01"


async def test_a_database_down_for_the_whole_call_delays_every_write_but_not_the_call(staffed: Pbx):
    staffed.store.log.clear()
    staffed.store.fail("*", ConnectionError("database unavailable"))

    channel, leg = await _connected_call_that_ends(staffed, journal=False)

    assert staffed.control.called("bridge_channels")[0]["channel_ids"] == [channel, leg]
    assert len(staffed.facts_of(f.CallConnected)) == 1 and len(staffed.facts_of(f.CallFinished)) == 1
    assert staffed.store.calls.rows == {}
    assert staffed.journal.failures > 0

    staffed.store.heal()
    await staffed.settle()

    assert [m for m in staffed.store.writes if m in CALL_WRITES] == [*CALL_WRITES, "calls.end"]
    assert staffed.store.calls.rows[staffed.facts_of(f.CallOpened)[0].call_id].outcome == "dropped"
    assert staffed.journal.backlog == 0


async def test_a_write_that_fails_a_few_times_is_retried_until_it_lands_once(pbx: Pbx):
    pbx.store.fail("incidents.open_for_call", ConnectionError("database restarting"), times=3)

    channel = await pbx.caller_arrives()

    assert len(pbx.store.called("incidents.open_for_call")) == 4
    assert list(pbx.store.incidents.rows) == [1]
    assert pbx.session(channel).incident_id == 1
    assert pbx.journal.failures == 3


async def test_a_caller_is_greeted_and_rung_while_the_database_is_down(staffed: Pbx):
    staffed.store.fail("*", ConnectionError("database unavailable"))

    channel = await staffed.caller_arrives(settle=False)
    await staffed.settle(journal=False)

    assert len(staffed.control.prompts(channel)) == 4
    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01"]
    assert staffed.session(channel).incident_id is None


async def test_seat_login_and_pause_are_stored(pbx: Pbx):
    await pbx.log_in("seat01")
    pbx.controller.seats.pause("seat01", "lunch")
    await pbx.settle()

    assert [(c.method, c.args.get("logged_in", c.args.get("reason"))) for c in pbx.store.log] == [
        ("seats.set_logged_in", True), ("seats.set_paused", "lunch")]
    assert pbx.store.seats.rows["seat01"].paused_reason == "lunch"


async def test_a_broken_notice_listener_never_stops_a_call(staffed: Pbx):
    def broken(kind, **fields):
        raise RuntimeError("screen gone")

    staffed.notices.publish = broken  # type: ignore[method-assign]

    await staffed.caller_arrives()
    await staffed.seat_answers("seat01")

    assert len(staffed.facts_of(f.CallConnected)) == 1
    assert "calls.mark_connected" in staffed.store.writes
