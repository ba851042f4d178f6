"""A dispatch: one incident handed to one agency, and its lifecycle (issue 17). Standard library only.

    created ──▶ sent_to_agency ──▶ accepted ──▶ assigned ──▶ en_route ──▶ on_scene ──▶ resolved (report)
                     │                 │           │ ▲ (re-assign)
                     └──▶ rejected ◀───┘           └─┘          cancelled from any open status

The assigned officer acknowledges (accepts) the assignment on their phone: not a status (the
agency's `accepted` is the agency's), a stamp `acknowledged_at` on an `assigned` dispatch, cleared
when it is re-assigned; see `acknowledge`.

Each move stamps its time; a move the table does not allow is an `IllegalDispatchTransition`
(never a silent overwrite: an agency dispatcher and a call taker racing must see the conflict);
a move missing what it needs (an officer to assign, a reason to reject, a report to resolve) is
`InvalidDispatchChange` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class DispatchStatus(StrEnum):
    CREATED = "created"
    SENT_TO_AGENCY = "sent_to_agency"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


S = DispatchStatus
TRANSITIONS: dict[DispatchStatus, frozenset[DispatchStatus]] = {
    S.CREATED: frozenset({S.SENT_TO_AGENCY, S.CANCELLED}),
    S.SENT_TO_AGENCY: frozenset({S.ACCEPTED, S.REJECTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.ASSIGNED, S.REJECTED, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.ASSIGNED, S.EN_ROUTE, S.ON_SCENE, S.CANCELLED}),
    S.EN_ROUTE: frozenset({S.ON_SCENE, S.CANCELLED}),
    S.ON_SCENE: frozenset({S.RESOLVED, S.CANCELLED}),
    S.RESOLVED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REJECTED: frozenset(),
}
FINAL: frozenset[DispatchStatus] = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
OPEN: frozenset[DispatchStatus] = frozenset(DispatchStatus) - FINAL
WAITING_FOR_ACCEPT: frozenset[DispatchStatus] = frozenset({S.CREATED, S.SENT_TO_AGENCY})
# an officer with a dispatch in one of these is busy: never suggested for another
OFFICER_BUSY: frozenset[DispatchStatus] = frozenset({S.ASSIGNED, S.EN_ROUTE, S.ON_SCENE})
# the column stamped by each move
STAMP: dict[DispatchStatus, str] = {
    S.CREATED: "created_at", S.SENT_TO_AGENCY: "sent_at", S.ACCEPTED: "accepted_at", S.ASSIGNED: "assigned_at",
    S.EN_ROUTE: "en_route_at", S.ON_SCENE: "on_scene_at", S.RESOLVED: "resolved_at", S.CANCELLED: "cancelled_at",
    S.REJECTED: "rejected_at",
}
MAX_TEXT = 4000
MIN_PRIORITY, MAX_PRIORITY = 1, 5


class IllegalDispatchTransition(ValueError):
    def __init__(self, current: DispatchStatus, target: DispatchStatus) -> None:
        self.current = current
        self.target = target
        self.allowed = tuple(s.value for s in DispatchStatus if s in TRANSITIONS[current])
        where = ", ".join(self.allowed) or "nothing (final status)"
        super().__init__(f"dispatch status cannot change from {current.value!r} to {target.value!r}; "
                         f"allowed: {where}")


class InvalidDispatchChange(ValueError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, slots=True)
class Dispatch:
    incident_id: int
    agency_id: int
    status: DispatchStatus
    created_at: datetime
    created_by: str
    priority: int = 3
    instructions: str = ""
    id: int | None = None
    officer_id: int | None = None
    reason: str = ""
    report: str = ""
    sent_at: datetime | None = None
    accepted_at: datetime | None = None
    assigned_at: datetime | None = None
    en_route_at: datetime | None = None
    on_scene_at: datetime | None = None
    resolved_at: datetime | None = None
    cancelled_at: datetime | None = None
    rejected_at: datetime | None = None
    updated_at: datetime | None = None
    acknowledged_at: datetime | None = None  # the assigned officer accepted the assignment

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


def new_dispatch(incident_id: int, agency_id: int, at: datetime, actor: str, *, priority: int = 3,
                 instructions: str = "") -> Dispatch:
    if at.tzinfo is None:
        raise ValueError("a dispatch needs an aware datetime")
    if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        raise InvalidDispatchChange("priority", f"a whole number from {MIN_PRIORITY} (highest) to {MAX_PRIORITY}")
    if len(instructions) > MAX_TEXT:
        raise InvalidDispatchChange("instructions", f"at most {MAX_TEXT} characters")
    return Dispatch(incident_id=incident_id, agency_id=agency_id, status=S.CREATED, created_at=at, created_by=actor,
                    priority=priority, instructions=instructions, updated_at=at)


def allowed(status: DispatchStatus | str) -> tuple[DispatchStatus, ...]:
    current = DispatchStatus(status)
    return tuple(s for s in DispatchStatus if s in TRANSITIONS[current])


def transition(dispatch: Dispatch, target: DispatchStatus | str, at: datetime, *, officer_id: int | None = None,
               reason: str = "", report: str = "") -> Dispatch:
    """The dispatch moved to `target` at `at`; raises `IllegalDispatchTransition` or `InvalidDispatchChange`."""
    target = DispatchStatus(target)
    if at.tzinfo is None:
        raise ValueError("a dispatch move needs an aware datetime")
    if target not in TRANSITIONS[dispatch.status]:
        raise IllegalDispatchTransition(dispatch.status, target)
    changes: dict[str, object] = {"status": target, STAMP[target]: at, "updated_at": at}
    if target is S.ASSIGNED:
        if officer_id is None:
            raise InvalidDispatchChange("officer_id", "an officer to assign is required")
        if officer_id == dispatch.officer_id:
            raise InvalidDispatchChange("officer_id", "that officer is assigned already")
        changes["officer_id"] = officer_id
        changes["acknowledged_at"] = None  # the new officer has not accepted it yet
    if target is S.REJECTED:
        if not reason.strip():
            raise InvalidDispatchChange("reason", "a reason is required to reject a dispatch")
        changes["reason"] = reason.strip()[:MAX_TEXT]
    if target is S.CANCELLED and reason.strip():
        changes["reason"] = reason.strip()[:MAX_TEXT]
    if target is S.RESOLVED:
        if not report.strip():
            raise InvalidDispatchChange("report", "the officer's report is required to resolve a dispatch")
        if len(report) > MAX_TEXT:
            raise InvalidDispatchChange("report", f"at most {MAX_TEXT} characters")
        changes["report"] = report.strip()
    return replace(dispatch, **changes)  # type: ignore[arg-type]


class CannotAcknowledge(ValueError):
    """Only an `assigned` dispatch is acknowledged (before it, nobody is assigned; after it, the officer
    has moved on: going is acknowledging)."""

    def __init__(self, status: DispatchStatus) -> None:
        self.status = status
        super().__init__(f"only an assigned dispatch can be acknowledged; this one is {status.value!r}")


def acknowledge(dispatch: Dispatch, at: datetime) -> Dispatch:
    """The assigned officer accepted the assignment at `at`; once (a second one changes nothing)."""
    if at.tzinfo is None:
        raise ValueError("an acknowledgement needs an aware datetime")
    if dispatch.status is not S.ASSIGNED:
        raise CannotAcknowledge(dispatch.status)
    if dispatch.acknowledged_at is not None:
        return dispatch
    return replace(dispatch, acknowledged_at=at, updated_at=at)


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """Seconds from the dispatch being sent to its agency to each milestone (None: not reached)."""

    accept_s: float | None
    on_scene_s: float | None
    resolved_s: float | None


def response_times(dispatch: Dispatch) -> ResponseTimes:
    start = dispatch.sent_at or dispatch.created_at

    def since(at: datetime | None) -> float | None:
        return round((at - start).total_seconds(), 3) if at is not None else None

    return ResponseTimes(since(dispatch.accepted_at), since(dispatch.on_scene_at), since(dispatch.resolved_at))


def is_overdue(dispatch: Dispatch, now: datetime, accept_within: float) -> bool:
    """Sent (or created) and not accepted within `accept_within` seconds (0: never overdue)."""
    if accept_within <= 0 or dispatch.status not in WAITING_FOR_ACCEPT:
        return False
    start = dispatch.sent_at or dispatch.created_at
    return (now - start).total_seconds() >= accept_within
