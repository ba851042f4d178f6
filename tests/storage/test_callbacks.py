import pytest

from cc112_pbx.storage import RecordNotFound
from cc112_pbx.storage.records import CallbackOutcome, CallbackReason, CallbackStatus


async def dropped_call(db, at, number="081234567890", dialable=True, due=60):
    incident = await db.incidents.open_draft(opened_at=at(0), dialled="112", caller_number=number)
    await db.calls.add(call_id=f"c-{incident.id}", incident_id=incident.id, direction="inbound",
                       channel_id=f"1.{incident.id}", channel_name="PJSIP/telco", arrived_at=at(0))
    return await db.callbacks.schedule(
        incident_id=incident.id, call_id=f"c-{incident.id}", reason="dropped", created_at=at(30),
        due_at=at(due), number=number, seat_id="seat01", dialable=dialable,
    )


async def test_dropped_call_schedules_a_pending_callback_for_the_same_incident(db, at):
    callback = await dropped_call(db, at)
    assert callback.status is CallbackStatus.PENDING
    assert callback.reason is CallbackReason.DROPPED
    assert callback.attempts == 0 and callback.seat_id == "seat01"
    assert await db.callbacks.get(callback.id) == callback
    assert await db.callbacks.for_incident(callback.incident_id) == [callback]


async def test_caller_that_cannot_be_dialled_goes_to_the_supervisors_list(db, at):
    anonymous = await dropped_call(db, at, number="anonymous", dialable=False)
    no_number = await dropped_call(db, at, number=None)
    assert anonymous.status is CallbackStatus.SUPERVISOR and no_number.status is CallbackStatus.SUPERVISOR
    assert await db.callbacks.due(at(3600)) == []
    assert [c.id for c in await db.callbacks.with_status("supervisor")] == [anonymous.id, no_number.id]


async def test_only_callbacks_whose_time_has_come_are_due_oldest_first(db, at):
    late = await dropped_call(db, at, due=120)
    early = await dropped_call(db, at, due=60)
    assert await db.callbacks.due(at(59)) == []
    assert [c.id for c in await db.callbacks.due(at(60))] == [early.id]
    assert [c.id for c in await db.callbacks.due(at(500))] == [early.id, late.id]


async def test_attempts_are_numbered_and_counted_until_the_caller_is_reached(db, at):
    callback = await dropped_call(db, at)
    first = await db.callbacks.start_attempt(callback.id, at(60), seat_id="seat01")
    assert first.attempt_no == 1
    assert (await db.callbacks.get(callback.id)).status is CallbackStatus.IN_PROGRESS
    assert await db.callbacks.due(at(61)) == []
    await db.callbacks.update_attempt(first.id, call_id="cb-leg-1")
    await db.callbacks.finish_attempt(first.id, at(90), CallbackOutcome.NO_ANSWER)
    await db.callbacks.reschedule(callback.id, at(210))
    assert [c.id for c in await db.callbacks.due(at(210))] == [callback.id]
    second = await db.callbacks.start_attempt(callback.id, at(210), seat_id="seat02", call_id="cb-leg-2")
    await db.callbacks.finish_attempt(second.id, at(240), "connected")
    done = await db.callbacks.close(callback.id, "done", at(300))
    assert done.status is CallbackStatus.DONE and done.attempts == 2 and done.closed_at == at(300)
    attempts = await db.callbacks.attempts(callback.id)
    assert [(a.attempt_no, a.seat_id, a.call_id, a.outcome) for a in attempts] == [
        (1, "seat01", "cb-leg-1", CallbackOutcome.NO_ANSWER),
        (2, "seat02", "cb-leg-2", CallbackOutcome.CONNECTED),
    ]
    assert attempts[0].ended_at == at(90)


async def test_a_closed_callback_takes_no_more_attempts(db, at):
    callback = await dropped_call(db, at)
    await db.callbacks.close(callback.id, CallbackStatus.EXHAUSTED, at(100))
    with pytest.raises(ValueError, match="is exhausted"):
        await db.callbacks.start_attempt(callback.id, at(101))


async def test_closing_needs_a_final_status(db, at):
    callback = await dropped_call(db, at)
    with pytest.raises(ValueError, match="final status"):
        await db.callbacks.close(callback.id, "pending", at(100))


async def test_open_callbacks_survive_for_a_restart(db, at):
    waiting = await dropped_call(db, at)
    running = await dropped_call(db, at)
    await db.callbacks.start_attempt(running.id, at(60))
    finished = await dropped_call(db, at)
    await db.callbacks.close(finished.id, "cancelled", at(61))
    open_ids = [c.id for c in await db.callbacks.with_status("pending", "in_progress")]
    assert sorted(open_ids) == sorted([waiting.id, running.id])


async def test_unknown_callback_raises_record_not_found(db, at):
    with pytest.raises(RecordNotFound):
        await db.callbacks.start_attempt(404, at(0))
    with pytest.raises(RecordNotFound):
        await db.callbacks.finish_attempt(404, at(0), "failed")


async def test_scheduling_the_same_dropped_call_twice_keeps_one_callback(db, at):
    callback = await dropped_call(db, at)
    again = await db.callbacks.schedule(
        incident_id=callback.incident_id, call_id=callback.call_id, reason="dropped", created_at=at(31),
        due_at=at(61), number=callback.number,
    )
    assert again == callback
    assert len(await db.callbacks.for_incident(callback.incident_id)) == 1
