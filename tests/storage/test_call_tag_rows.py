"""Call tags in the database: once per call and tag, removable, listed by time for the reports."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, StatementError

from cc112_pbx.domain.call_tags import CallTag


async def test_a_tag_is_stored_once_per_call_and_can_be_removed(db, at):
    incident = await db.incidents.open_draft(opened_at=at(0), dialled="112", caller_number="+6281234567890")
    first, created = await db.call_tags.add(call_id="c1", tag="prank", actor="budi", at=at(1),
                                            incident_id=incident.id, number="+6281234567890")
    again, created_again = await db.call_tags.add(call_id="c1", tag=CallTag.PRANK, actor="ani", at=at(2))
    assert created and not created_again
    assert again.id == first.id and again.actor == "budi" and again.tag is CallTag.PRANK
    other, created = await db.call_tags.add(call_id="c1", tag="silent", actor="budi", at=at(3))
    assert created and other.number is None
    assert [t.tag for t in await db.call_tags.for_call("c1")] == [CallTag.PRANK, CallTag.SILENT]
    removed = await db.call_tags.remove("c1", "prank")
    assert removed is not None and removed.id == first.id
    assert await db.call_tags.remove("c1", "prank") is None
    assert [t.tag for t in await db.call_tags.for_call("c1")] == [CallTag.SILENT]


async def test_tags_are_listed_by_time_and_kind(db, at):
    for n, tag in enumerate(("prank", "ghost", "abusive", "prank")):
        await db.call_tags.add(call_id=f"c{n}", tag=tag, actor="system", at=at(n * 60), number="+628111")
    assert [t.call_id for t in await db.call_tags.between(at(0), at(180))] == ["c0", "c1", "c2"]
    nuisance = await db.call_tags.between(at(0), at(600), tags=("prank", "abusive"))
    assert [t.call_id for t in nuisance] == ["c0", "c2", "c3"]


async def test_an_unknown_tag_is_refused(db, at):
    with pytest.raises((ValueError, IntegrityError, StatementError)):
        await db.call_tags.add(call_id="c1", tag="spam", actor="x", at=at(0))
