"""Dispatch to the agencies in the database (issue 17), on SQLite and PostgreSQL: the directory seeded
by code and device id, dispatches moved only from the status they are in, positions' latest per
officer, trails and retention."""

from __future__ import annotations

import pytest

from cc112_pbx.domain.dispatch import DispatchStatus, IllegalDispatchTransition
from cc112_pbx.storage.records import DispatchRecord

POLICE = {"code": "polrestabes", "name": "Polrestabes Semarang", "kind": "police", "categories": ["police"],
          "contacts": [{"label": "SPKT", "number": "110"}], "area": {"lat": -6.99, "lon": 110.42}}


async def _world(db, at):
    ids = await db.agencies.seed([POLICE], at(0))
    await db.officers.seed([{"agency_id": ids["polrestabes"], "name": "Bripka Adi", "callsign": "P-1",
                             "kind": "officer", "device_id": "pol-1", "token_sha256": "0" * 64}], at(0))
    [officer] = await db.officers.all()
    incident = await db.incidents.open_draft(opened_at=at(0), dialled="110", caller_number="+6281234567890",
                                             category_hint="police")
    return ids["polrestabes"], officer, incident


async def test_seeding_twice_updates_by_code_and_device_id(db, at):
    agency_id, officer, _ = await _world(db, at)
    again = await db.agencies.seed([{**POLICE, "name": "Polrestabes Kota Semarang"}], at(5))
    assert again == {"polrestabes": agency_id}
    await db.officers.seed([{"agency_id": agency_id, "name": "Aiptu Adi", "callsign": "P-1", "kind": "officer",
                             "device_id": "pol-1", "token_sha256": "1" * 64}], at(5))
    [agency] = await db.agencies.all()
    [renamed] = await db.officers.all()
    assert agency.name == "Polrestabes Kota Semarang" and agency.origin == "settings"
    assert agency.contacts[0]["number"] == "110" and agency.kind == "police"
    assert renamed.id == officer.id and renamed.name == "Aiptu Adi" and renamed.available


async def test_a_dispatch_moves_only_from_the_status_it_is_in(db, at):
    agency_id, officer, incident = await _world(db, at)
    record = await db.dispatches.add(fields={"incident_id": incident.id, "agency_id": agency_id, "status": "created",
                                             "priority": 2, "instructions": "", "created_by": "tono", "reason": "",
                                             "report": "", "created_at": at(1), "updated_at": at(1)})
    assert isinstance(record, DispatchRecord) and record.status is DispatchStatus.CREATED
    sent = await db.dispatches.update(record.id, "created", {"status": "sent_to_agency", "sent_at": at(2)})
    assert sent.sent_at == at(2)
    with pytest.raises(IllegalDispatchTransition) as raced:  # someone moved it meanwhile
        await db.dispatches.update(record.id, "created", {"status": "cancelled", "cancelled_at": at(3)})
    assert raced.value.current is DispatchStatus.SENT_TO_AGENCY
    await db.dispatches.update(record.id, "sent_to_agency", {"status": "accepted", "accepted_at": at(4)})
    assert [d.id for d in await db.dispatches.open_for_incident(incident.id)] == [record.id]
    assert await db.dispatches.status_counts() == {"accepted": 1}
    assert [d.id for d in await db.dispatches.listing(agency_id=agency_id, statuses=("accepted",))] == [record.id]
    assert await db.dispatches.listing(officer_id=officer.id) == []
    assert [d.id for d in await db.dispatches.created_between(at(0), at(10))] == [record.id]


async def test_latest_position_per_officer_trail_and_retention(db, at):
    _, officer, _ = await _world(db, at)
    for seconds, lat in ((10, -6.991), (20, -6.992), (15, -6.9915)):  # the third arrives late, fixed earlier
        await db.positions.add(officer_id=officer.id, received_at=at(seconds + 1), lat=lat, lon=110.42,
                               at=at(seconds), source="osmand", speed_kmh=20.0)
    [latest] = await db.positions.latest()
    assert latest.lat == -6.992 and latest.at == at(20)
    assert [p.lat for p in await db.positions.trail(officer.id, at(12))] == [-6.9915, -6.992]
    assert await db.positions.delete_before(at(12)) == 1
    assert await db.positions.count() == 2
