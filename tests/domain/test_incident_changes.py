"""Call takers fill in the SOP's fields; every change is validated and leaves a timeline entry."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from cc112_pbx.domain.categories import Category
from cc112_pbx.domain.incident import (
    FieldError,
    Incident,
    InvalidChanges,
    LocationSource,
    Priority,
    Verification,
    apply_changes,
    transition,
)
from cc112_pbx.domain.incident_status import IllegalTransition, IncidentStatus
from cc112_pbx.domain.timeline import FieldChanged, StatusChanged, TimelineKind

T0 = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)
LATER = T0 + dt.timedelta(minutes=2)


def incident(**fields) -> Incident:
    return Incident(opened_at=T0, id=7, caller_number="+6281234567890", **fields)


def errors_of(changes, base=None) -> list[str]:
    with pytest.raises(InvalidChanges) as refused:
        apply_changes(base or incident(), changes, "seat01", LATER)
    return [str(e) for e in refused.value.errors]


def test_call_taker_records_the_sop_fields_and_each_change_is_on_the_timeline():
    changes = {
        "reporter_name": "  Budi Santoso ", "callback_number": "0812-9999-0000", "address": "Jl. Pemuda 12, Semarang",
        "latitude": -6.9823, "longitude": 110.4091, "location_source": "aml", "location_accuracy_m": 12,
        "category": "ambulance", "description": "Orang pingsan di trotoar", "priority": 1, "owner": "seat01",
    }
    updated, changed = apply_changes(incident(), changes, "seat01", LATER)
    assert updated.reporter_name == "Budi Santoso"
    assert updated.callback_number == "+6281299990000"
    assert updated.caller_number == "+6281234567890"  # what the network delivered stays
    assert (updated.latitude, updated.longitude, updated.location_source) == (-6.9823, 110.4091, LocationSource.AML)
    assert updated.location_accuracy_m == 12.0 and updated.has_position
    assert updated.category is Category.MEDICAL and updated.priority is Priority.CRITICAL
    assert [c.field for c in changed] == list(changes)
    assert changed[0] == FieldChanged("reporter_name", "", "Budi Santoso", "seat01", LATER)
    assert FieldChanged("category", None, "medical", "seat01", LATER) in changed
    assert FieldChanged("priority", None, 1, "seat01", LATER) in changed


def test_a_value_that_does_not_change_leaves_no_timeline_entry():
    base = incident(address="Jl. Pemuda 12")
    updated, changed = apply_changes(base, {"address": "Jl. Pemuda 12 ", "description": "kebakaran"}, "seat02", LATER)
    assert updated.address == "Jl. Pemuda 12"
    assert changed == [FieldChanged("description", "", "kebakaran", "seat02", LATER)]


def test_every_bad_field_is_reported_at_once_and_nothing_is_applied():
    errors = errors_of({
        "callback_number": "112", "latitude": 95, "longitude": "east", "category": "aliens",
        "priority": 7, "verification": "maybe", "status": "closed", "colour": "red", "owner": "seat 01",
        "reporter_name": "x" * 200,
    })
    assert errors == [
        "callback_number: '112' is not a number that can be called back",
        "latitude: must be between -90 and 90 (got 95)",
        "longitude: must be a number (got 'east')",
        "category: unknown category 'aliens' (one of: police, fire, medical, search_and_rescue, disaster, "
        "electricity, water, traffic, public_order, other)",
        "priority: must be 1 (critical) to 4 (low) (got 7)",
        "verification: must be one of unverified, verified, false_report, prank, ghost (got 'maybe')",
        "status: use a status transition",
        "colour: not an editable field",
        "owner: must be a seat or call-taker id (letters, digits, _ . @ -) (got 'seat 01')",
        "reporter_name: at most 128 characters (got 200)",
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"latitude": -6.98}, ["longitude: latitude and longitude go together"]),
        ({"latitude": -6.98, "longitude": 110.4}, ["location_source: required with a position"]),
        ({"location_accuracy_m": 50}, ["location_accuracy_m: only with a position"]),
        ({"location_accuracy_m": -1}, ["location_accuracy_m: must be between 0 and 1e+06 (got -1)"]),
        ({"latitude": float("nan")}, ["latitude: must be a number (got nan)"]),
        ({"latitude": True}, ["latitude: must be a number (got True)"]),
    ],
)
def test_a_position_needs_both_coordinates_in_range_and_its_source(changes, expected):
    assert errors_of(changes) == expected


def test_a_position_can_be_cleared_as_a_whole():
    base = incident(latitude=-6.98, longitude=110.4, location_source=LocationSource.MAP, location_accuracy_m=5.0)
    cleared, changed = apply_changes(
        base, {"latitude": None, "longitude": None, "location_source": None, "location_accuracy_m": None}, "sup", LATER
    )
    assert not cleared.has_position and len(changed) == 4


def test_the_callback_number_may_be_cleared_and_priority_given_by_name():
    base = incident(callback_number="+6281299990000")
    updated, _ = apply_changes(base, {"callback_number": "", "priority": "low"}, "seat01", LATER)
    assert updated.callback_number is None and updated.priority is Priority.LOW


def test_who_made_the_change_must_be_known():
    with pytest.raises(InvalidChanges) as refused:
        apply_changes(incident(), {"description": "x"}, "", LATER)
    assert refused.value.errors == (FieldError("actor", "who makes the change must be known"),)


def test_a_closed_incident_only_takes_a_late_verdict_or_a_corrected_description():
    closed = incident(status=IncidentStatus.CLOSED, closed_at=LATER)
    assert errors_of({"address": "elsewhere", "priority": 2}, closed) == [
        "address: the incident is closed", "priority: the incident is closed",
    ]
    judged, changed = apply_changes(closed, {"verification": "prank"}, "supervisor1", LATER)
    assert judged.verification is Verification.PRANK and changed[0].old == "unverified"


def test_a_dispatched_report_cannot_be_marked_a_prank_without_cancelling_it():
    assert errors_of({"verification": "prank"}, incident(status=IncidentStatus.DISPATCHED)) == [
        "verification: the incident is dispatched; cancel it first",
    ]


def test_verifying_sets_the_verification_and_records_both_changes():
    taken = incident(status=IncidentStatus.IN_PROGRESS)
    verified, entries = transition(taken, "verified", "seat01", LATER, "confirmed by a second caller")
    assert verified.status is IncidentStatus.VERIFIED and verified.verification is Verification.VERIFIED
    assert entries == [
        StatusChanged("in_progress", "verified", "seat01", LATER, "confirmed by a second caller"),
        FieldChanged("verification", "unverified", "verified", "seat01", LATER),
    ]
    assert entries[0].entry().kind is TimelineKind.STATUS_CHANGED


def test_an_illegal_transition_is_refused_not_overwritten():
    taken = incident(status=IncidentStatus.IN_PROGRESS)
    with pytest.raises(IllegalTransition, match="from 'in_progress' to 'dispatched'"):
        transition(taken, IncidentStatus.DISPATCHED, "seat01", LATER)


def test_a_prank_cannot_be_verified_but_can_be_cancelled_which_closes_it():
    prank = incident(status=IncidentStatus.IN_PROGRESS, verification=Verification.PRANK)
    with pytest.raises(IllegalTransition, match="the report is marked prank"):
        transition(prank, "verified", "seat01", LATER)
    cancelled, _ = transition(prank, "cancelled", "seat01", LATER)
    assert cancelled.closed_at == LATER and not cancelled.is_open


def test_field_changes_become_json_ready_timeline_entries():
    _, [changed] = apply_changes(incident(), {"location_source": "caller"}, "seat01", LATER)
    entry = changed.entry()
    assert entry.kind is TimelineKind.FIELD_CHANGED and entry.actor == "seat01" and entry.at == LATER
    assert dict(entry.details) == {"field": "location_source", "old": None, "new": "caller"}
    with pytest.raises(TypeError):
        entry.details["new"] = "x"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.actor = "someone else"  # type: ignore[misc]
