"""The dispatch services with fakes of their ports (issue 17): no sockets, no sleeps; time moves by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from cc112_pbx.domain.dispatch import OPEN, DispatchStatus, IllegalDispatchTransition
from cc112_pbx.services.access import Principal, Role
from cc112_pbx.services.api_errors import Conflict, Forbidden, Invalid, Unauthenticated
from cc112_pbx.services.dispatching import Dispatching, DispatchPolicy, MemoryPhotos
from tests.services.fakes import FakeClock, FakeNotices

ADMIN = Principal(1, "adi", Role.ADMIN)
TAKER = Principal(2, "tono", Role.CALL_TAKER, seat_id="seat01")
SCENE = (-6.99, 110.42)


@dataclass
class Row:
    id: int
    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        return self.__dict__["values"].get(name)  # a nullable column never written is None


class Table:
    def __init__(self) -> None:
        self.rows: dict[int, Row] = {}

    async def all(self) -> list[Row]:
        return list(self.rows.values())

    async def get(self, row_id: int) -> Row | None:
        return self.rows.get(row_id)

    async def add(self, *, at: datetime | None = None, fields: dict | None = None, **values: Any) -> Row:
        row_id = len(self.rows) + 1
        row = Row(row_id, {"id": row_id, "created_at": at, "updated_at": at, **(fields or {}), **values})
        self.rows[row_id] = row
        return row

    async def update(self, row_id: int, *args: Any) -> Row:
        changes = args[-2] if isinstance(args[-1], datetime) else args[-1]
        expected = args[0] if len(args) == 2 and isinstance(args[0], str) else None
        row = self.rows[row_id]
        if expected is not None and "status" in changes and str(row.status) != expected:
            raise IllegalDispatchTransition(DispatchStatus(row.status), DispatchStatus(changes["status"]))
        row.values.update(changes)
        return row


class Agencies(Table):
    async def dispatchers(self) -> list[Any]:
        return []


class Dispatches(Table):
    async def listing(self, *, incident_id=None, agency_id=None, officer_id=None, statuses=(), open_only=False,
                      limit=200, offset=0) -> list[Row]:
        rows = [r for r in self.rows.values()
                if (incident_id is None or r.incident_id == incident_id)
                and (agency_id is None or r.agency_id == agency_id)
                and (officer_id is None or r.officer_id == officer_id)
                and (not statuses or str(r.status) in statuses)
                and (not open_only or DispatchStatus(r.status) in OPEN)]
        return sorted(rows, key=lambda r: -r.id)[offset:offset + limit]

    async def open_for_incident(self, incident_id: int) -> list[Row]:
        return await self.listing(incident_id=incident_id, open_only=True)


class Positions(Table):
    async def add(self, *, officer_id: int, received_at: datetime, **values: Any) -> Row:  # type: ignore[override]
        row_id = len(self.rows) + 1  # `at` here is the fix's time, not a creation time
        self.rows[row_id] = Row(row_id, {"id": row_id, "officer_id": officer_id, "received_at": received_at,
                                         **values})
        return self.rows[row_id]

    async def latest(self) -> list[Row]:
        return []

    async def delete_before(self, cutoff: datetime) -> int:
        old = [k for k, r in self.rows.items() if r.received_at < cutoff]
        for k in old:
            del self.rows[k]
        return len(old)


@dataclass
class Incident:
    id: int
    latitude: float | None = SCENE[0]
    longitude: float | None = SCENE[1]
    location_source: str | None = "caller"
    category: str | None = "fire"
    category_hint: str | None = None
    status: str = "verified"


@dataclass
class FakeDispatchStore:
    agencies: Agencies = field(default_factory=Agencies)
    officers: Table = field(default_factory=Table)
    dispatches: Dispatches = field(default_factory=Dispatches)
    positions: Positions = field(default_factory=Positions)
    incidents_by_id: dict[int, Incident] = field(default_factory=lambda: {1: Incident(1)})
    entries: list[tuple[int, Any]] = field(default_factory=list)

    @property
    def incidents(self) -> FakeDispatchStore:
        return self

    @property
    def timeline(self) -> FakeDispatchStore:
        return self

    @property
    def api_users(self) -> FakeDispatchStore:
        return self

    async def get(self, incident_id: int) -> Incident | None:
        return self.incidents_by_id.get(incident_id)

    async def transition(self, incident_id: int, target: str, *, actor: str, at: datetime, reason: str = "") -> None:
        self.incidents_by_id[incident_id].status = str(target)

    async def append(self, incident_id: int, entries: Any, *, key: str | None = None) -> None:
        self.entries.extend((incident_id, e) for e in entries)

    async def by_username(self, username: str) -> None:
        return None


@pytest.fixture
async def bundle():
    clock, notices, store = FakeClock(), FakeNotices(), FakeDispatchStore()
    d = Dispatching(store, clock, notices, MemoryPhotos(), policy=DispatchPolicy(accept_within=300, stale_after=600))
    fire = await d.directory.create_agency(ADMIN, {"code": "damkar", "name": "Damkar", "kind": "fire"})
    officer = await d.directory.create_officer(ADMIN, {"agency_id": fire["id"], "name": "Tim 1", "device_id": "f1"})
    return d, clock, notices, store, fire, officer


def osmand(officer: dict, clock: FakeClock, lat: float = -6.995, **extra: Any) -> dict:
    return {"id": officer["device_id"], "lat": str(lat), "lon": "110.42",
            "timestamp": str(clock.wall().timestamp()), **extra}


async def test_a_position_is_kept_as_the_latest_and_published_and_a_bad_one_stores_nothing(bundle):
    d, clock, notices, store, fire, officer = bundle
    await d.positions.receive_osmand(osmand(officer, clock), officer["device_token"])
    [notice] = notices.of("officer_position")
    assert notice["officer_id"] == officer["id"] and notice["agency_id"] == fire["id"]
    assert d.directory.officer_dict(d.directory.officers[officer["id"]])["state"] == "available"
    with pytest.raises(Invalid) as refused:
        await d.positions.receive_osmand(osmand(officer, clock, lat=-91), officer["device_token"])
    assert [p.field for p in refused.value.fields] == ["lat"]
    with pytest.raises(Unauthenticated):
        await d.positions.receive_osmand(osmand(officer, clock), "not-the-token")
    assert len(store.positions.rows) == 1 and d.positions.counts.refused == 1 and d.positions.counts.unauthorized == 1
    clock.advance(601)  # not heard of for longer than stale_after
    assert d.directory.officer_dict(d.directory.officers[officer["id"]])["state"] == "stale"
    suggested = await d.service.suggestions(TAKER, 1, {})
    assert suggested["officers"] == [] and [a["code"] for a in suggested["agencies"]] == ["damkar"]


async def test_an_unaccepted_dispatch_is_flagged_overdue_once(bundle):
    d, clock, notices, _store, fire, _officer = bundle
    [created] = (await d.service.create(TAKER, 1, {"agency_id": fire["id"]}))["dispatches"]
    clock.advance(299)
    assert d.service.check_overdue() == []
    clock.advance(1)
    assert d.service.check_overdue() == [created["id"]]
    assert d.service.check_overdue() == []  # told once
    [overdue] = notices.of("dispatch_overdue")
    assert overdue["waiting_s"] == 300 and overdue["agency_id"] == fire["id"]
    await d.service.move(ADMIN, created["id"], {"status": "accepted"})
    assert created["id"] not in d.service.waiting and d.service.figures.observed[("damkar", "accept")] == [300.0]


async def test_an_officer_is_busy_while_assigned_and_free_again_when_resolved(bundle):
    d, clock, notices, store, fire, officer = bundle
    await d.positions.receive_osmand(osmand(officer, clock), officer["device_token"])
    [created] = (await d.service.create(TAKER, 1, {"agency_id": fire["id"]}))["dispatches"]
    assert store.incidents_by_id[1].status == "dispatched"
    await d.service.move(ADMIN, created["id"], {"status": "accepted"})
    with pytest.raises(Forbidden):
        await d.service.move(TAKER, created["id"], {"status": "assigned", "officer_id": officer["id"]})
    assigned = await d.service.move(ADMIN, created["id"], {"status": "assigned", "officer_id": officer["id"]})
    assert assigned["eta_s"] == pytest.approx(66.7, abs=1) and assigned["eta_estimate"] is True
    assert (await d.service.suggestions(TAKER, 1, {}))["officers"] == []  # busy: not suggested elsewhere
    for status in ("en_route", "on_scene"):
        await d.service.move(ADMIN, created["id"], {"status": status})
    await d.service.move(ADMIN, created["id"], {"status": "resolved", "report": "api padam"})
    assert [o["officer_id"] for o in (await d.service.suggestions(TAKER, 1, {}))["officers"]] == [officer["id"]]
    chain = [e.details["status"] for _, e in store.entries if e.details.get("event") == "dispatch"]
    assert chain == ["created", "sent_to_agency", "accepted", "assigned", "en_route", "on_scene", "resolved"]
    assert [n["status"] for n in notices.of("dispatch_changed")] == chain
    assert store.incidents_by_id[1].status == "resolved"  # verified -> dispatched -> resolved with its dispatch


async def test_old_positions_are_pruned_after_the_retention(bundle):
    d, clock, _notices, store, _fire, officer = bundle
    await d.positions.receive_osmand(osmand(officer, clock), officer["device_token"])
    clock.advance(6 * 86400)
    assert await d.positions.prune() == 0  # within the 7 days
    clock.advance(2 * 86400)
    assert await d.positions.prune() == 1 and store.positions.rows == {} and d.positions.counts.pruned == 1


async def test_only_the_assigned_officer_acknowledges_their_assignment_once_and_it_is_on_the_timeline(bundle):
    d, clock, notices, store, fire, officer = bundle
    other = await d.directory.create_officer(ADMIN, {"agency_id": fire["id"], "name": "Tim 2", "device_id": "f2"})
    me = Principal(9, "budi", Role.OFFICER, agency_id=fire["id"], officer_id=officer["id"])
    not_me = Principal(10, "joko", Role.OFFICER, agency_id=fire["id"], officer_id=other["id"])
    [created] = (await d.service.create(TAKER, 1, {"agency_id": fire["id"]}))["dispatches"]
    await d.service.move(ADMIN, created["id"], {"status": "accepted"})
    with pytest.raises(Forbidden):  # not assigned to anyone yet
        await d.service.acknowledge(me, created["id"])
    await d.service.move(ADMIN, created["id"], {"status": "assigned", "officer_id": officer["id"]})
    for someone in (not_me, ADMIN, TAKER):
        with pytest.raises(Forbidden):
            await d.service.acknowledge(someone, created["id"])
    clock.advance(30)
    acked = await d.service.acknowledge(me, created["id"])
    assert acked["status"] == "assigned" and acked["acknowledged_at"] == clock.wall().isoformat()
    assert notices.of("dispatch_changed")[-1]["dispatch"]["acknowledged_at"] == acked["acknowledged_at"]
    again = await d.service.acknowledge(me, created["id"])
    assert again["acknowledged_at"] == acked["acknowledged_at"]
    notes = [e.details for _, e in store.entries if e.details.get("event") == "dispatch_acknowledged"]
    assert notes == [{"event": "dispatch_acknowledged", "dispatch_id": created["id"], "agency_id": fire["id"],
                      "officer_id": officer["id"], "officer": "Tim 1"}]
    await d.service.move(me, created["id"], {"status": "en_route"})
    with pytest.raises(Conflict):
        await d.service.acknowledge(me, created["id"])
