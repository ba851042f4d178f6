"""Offering callers to seats: who is rung, with what, and what happens when nobody answers."""

from __future__ import annotations

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import AUTO_PAUSE_REASON, RingTimer, SeatAutoPaused, SeatStatus
from cc112_pbx.services import facts as f
from tests.services.fakes import Pbx


async def test_a_caller_rings_the_free_seat_with_its_dial_string_and_the_callers_number(staffed: Pbx):
    await staffed.caller_arrives(number="081234567890")

    [ring] = staffed.control.rings()
    assert ring.args == {
        "dial_string": "PJSIP/seat01", "seat_id": "seat01", "caller_id": '"112 081234567890" <081234567890>',
        "timeout": 20, "channel_id": ring["channel_id"],
    }
    assert ring["channel_id"] in staffed.watched  # reported even if it vanishes while the stream is down
    assert staffed.seat_status("seat01") is SeatStatus.OFFERED


async def test_a_caller_without_a_number_rings_the_seat_as_112_without_number(staffed: Pbx):
    await staffed.caller_arrives(number=None)

    [ring] = staffed.control.rings()
    assert ring["caller_id"] == '"112 TANPA NOMOR" <112>'
    [ringing] = staffed.facts_of(f.SeatRinging)
    assert ringing.no_callback and ringing.caller_number is None


async def test_nobody_is_rung_while_no_seat_is_logged_in_and_the_caller_is_rung_once_one_logs_in(pbx: Pbx):
    await pbx.caller_arrives()
    assert pbx.control.rings() == []

    await pbx.log_in("seat02")

    assert [r["seat_id"] for r in pbx.control.rings()] == ["seat02"]


async def test_ring_timeout_hangs_up_the_seat_leg_and_offers_the_caller_to_the_other_seat(staffed: Pbx):
    await staffed.caller_arrives()
    first = staffed.ringing_leg("seat01")

    await staffed.advance(14.9)
    assert len(staffed.control.rings()) == 1  # not before the ring timeout

    await staffed.advance(0.1)

    assert [c["channel_id"] for c in staffed.control.called("hang_up")] == [first]
    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01", "seat02"]
    assert staffed.seat_status("seat01") is SeatStatus.AVAILABLE


async def test_the_hung_up_leg_of_a_timed_out_offer_reporting_its_end_changes_nothing(staffed: Pbx):
    await staffed.caller_arrives()
    first = staffed.ringing_leg("seat01")
    await staffed.advance(15)

    await staffed.gone(first, tel.HangupCause.NORMAL)

    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01", "seat02"]
    assert staffed.seat_status("seat02") is SeatStatus.OFFERED
    assert staffed.seat_status("seat01") is SeatStatus.AVAILABLE


async def test_a_busy_seat_is_marked_unreachable_and_the_caller_tried_on_the_next_seat_at_once(staffed: Pbx):
    await staffed.caller_arrives()

    await staffed.gone(staffed.ringing_leg("seat01"), tel.HangupCause.BUSY)

    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01", "seat02"]
    assert staffed.seat_status("seat01") is SeatStatus.UNREACHABLE
    assert staffed.controller.acd.snapshot().seats[0].missed_in_a_row == 0  # busy is not a missed offer


async def test_an_unreachable_seat_leg_makes_the_seat_unreachable_until_its_device_is_idle_again(staffed: Pbx):
    await staffed.caller_arrives()
    await staffed.gone(staffed.ringing_leg("seat01"), tel.HangupCause.UNREACHABLE)
    assert staffed.seat_status("seat01") is SeatStatus.UNREACHABLE

    staffed.send(tel.DeviceStateChanged(at=staffed.clock.wall(), device="PJSIP/seat01",
                                        state=tel.DeviceState.NOT_INUSE))

    assert staffed.seat_status("seat01") is SeatStatus.AVAILABLE


async def test_a_seat_that_rejects_the_offer_counts_a_missed_offer_and_the_caller_goes_to_the_next_seat(
        staffed: Pbx):
    await staffed.caller_arrives()

    await staffed.gone(staffed.ringing_leg("seat01"), tel.HangupCause.REJECTED)

    assert [r["seat_id"] for r in staffed.control.rings()] == ["seat01", "seat02"]
    assert staffed.controller.acd.snapshot().seats[0].missed_in_a_row == 1
    assert staffed.seat_status("seat01") is SeatStatus.AVAILABLE


async def test_a_caller_hanging_up_while_waiting_is_abandoned_and_never_rings_a_seat(pbx: Pbx):
    channel = await pbx.caller_arrives()

    await pbx.gone(channel)

    [finished] = pbx.facts_of(f.CallFinished)
    assert (finished.outcome, finished.seat_id) == ("abandoned", None)
    assert len(pbx.ctx.sessions) == 0
    await pbx.log_in("seat01")
    assert pbx.control.rings() == []


async def test_a_caller_hanging_up_while_a_seat_rings_cancels_the_ring_and_frees_the_seat(staffed: Pbx):
    channel = await staffed.caller_arrives()
    leg = staffed.ringing_leg("seat01")
    assert len(staffed.timers.keys_of(RingTimer)) == 1

    await staffed.gone(channel)

    assert [c["channel_id"] for c in staffed.control.called("hang_up")] == [leg]
    assert staffed.timers.keys_of(RingTimer) == []
    [finished] = staffed.facts_of(f.CallFinished)
    assert finished.outcome == "abandoned"
    assert staffed.seat_status("seat01") is SeatStatus.AVAILABLE


async def test_a_caller_reported_gone_twice_ends_once(staffed: Pbx):
    channel = await staffed.caller_arrives()

    staffed.send(tel.CallLeft(at=staffed.clock.wall(), channel_id=channel))
    await staffed.gone(channel)

    assert len(staffed.facts_of(f.CallFinished)) == 1
    assert staffed.store.writes.count("calls.end") == 1


async def test_three_missed_offers_in_a_row_auto_pause_the_seat_and_pause_it_in_the_fallback_queue(pbx: Pbx):
    await pbx.log_in("seat01")
    await pbx.caller_arrives()

    await pbx.advance(15 * 3)

    assert len(pbx.control.rings("seat01")) == 3
    assert pbx.facts_of(SeatAutoPaused) == [SeatAutoPaused("seat01", AUTO_PAUSE_REASON, 3)]
    assert pbx.seat_status("seat01") is SeatStatus.PAUSED
    assert pbx.fallback.called("pause")[-1].args == {"interface": "PJSIP/seat01", "paused": True, "reason": "cc112"}
    assert pbx.store.audit.entries[-1]["details"] == {"seat": "seat01", "missed": 3}
    assert pbx.store.seats.rows["seat01"].paused_reason == AUTO_PAUSE_REASON
    await pbx.advance(60)
    assert len(pbx.control.rings("seat01")) == 3  # a paused seat is not rung again


async def test_after_the_seat_hangs_up_it_wraps_up_before_it_is_offered_the_next_caller(pbx: Pbx):
    await pbx.log_in("seat01")
    await pbx.caller_arrives()
    leg = await pbx.seat_answers("seat01")
    await pbx.caller_arrives()  # the next caller waits: seat01 is talking
    await pbx.gone(leg)
    assert pbx.seat_status("seat01") is SeatStatus.WRAP_UP

    await pbx.advance(9.9)
    assert len(pbx.control.rings()) == 1
    await pbx.advance(0.1)

    assert len(pbx.control.rings("seat01")) == 2
