"""AML positions in the database: stored once per message, attached, and the unmatched purged."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cc112_pbx.domain.aml import AmlMessage, PositioningMethod

T0 = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)


def message(number: str = "+6281234567890", msg: int | None = 1, **changes) -> AmlMessage:
    base = AmlMessage(number=number, latitude=-6.98, longitude=110.41, radius_m=12.0, positioned_at=T0,
                      confidence=68, method=PositioningMethod.GNSS, message_number=msg)
    return dataclasses.replace(base, **changes)


async def test_a_message_is_stored_once_even_when_sent_twice(db, at):
    first, created = await db.aml.add(message(), sender="telkomsel", raw="v=1&...", received_at=at(0))
    again, created_again = await db.aml.add(message(), sender="telkomsel", raw="v=1&...", received_at=at(5))
    assert created and not created_again
    assert again.id == first.id and again.received_at == at(0)
    assert first.method is PositioningMethod.GNSS and first.incident_id is None
    second, created = await db.aml.add(message(msg=2), sender="telkomsel", raw="", received_at=at(6))
    assert created and second.id != first.id


async def test_positions_are_attached_once_and_listed_per_incident(db, at):
    incident = await db.incidents.open_draft(opened_at=at(0), dialled="112", caller_number="+6281234567890",
                                             category_hint=None)
    position, _ = await db.aml.add(message(), sender="s", raw="", received_at=at(0))
    other, _ = await db.aml.add(message(number="+6281111111111"), sender="s", raw="", received_at=at(0))
    assert [p.id for p in await db.aml.unmatched_for_number("+6281234567890", at(-60), at(60))] == [position.id]
    assert await db.aml.attach([position.id], incident.id, at(3)) == 1
    assert await db.aml.attach([position.id], incident.id, at(4)) == 0
    assert [p.id for p in await db.aml.for_incident(incident.id)] == [position.id]
    assert await db.aml.unmatched_for_number("+6281234567890", at(-60)) == []
    assert (await db.aml.get(other.id)).incident_id is None


async def test_only_unmatched_positions_older_than_the_cutoff_are_deleted(db, at):
    incident = await db.incidents.open_draft(opened_at=at(0), dialled="112", caller_number=None, category_hint=None)
    old, _ = await db.aml.add(message(msg=1), sender="s", raw="", received_at=at(0))
    matched, _ = await db.aml.add(message(msg=2), sender="s", raw="", received_at=at(0))
    recent, _ = await db.aml.add(message(msg=3), sender="s", raw="", received_at=at(100))
    await db.aml.attach([matched.id], incident.id, at(1))
    assert await db.aml.delete_unmatched_before(at(50)) == 1
    assert await db.aml.get(old.id) is None
    assert await db.aml.get(matched.id) is not None and await db.aml.get(recent.id) is not None
