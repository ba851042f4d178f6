"""The incident's status lifecycle: the allowed transitions are data, and one function enforces them.

An illegal move is an `IllegalTransition`, never a silent overwrite: two call takers (or a call
taker and a supervisor) racing on one incident must see the conflict, not lose a dispatch.

    new ──▶ in_progress ──▶ verified ──▶ dispatched ──▶ resolved ──▶ closed
     │           │             │             │             │
     └───────────┴─────────────┴─────────────┴──▶ cancelled └──▶ dispatched (it flared up again)

`closed` and `cancelled` are final: a later call about the same emergency opens (or links to)
another incident, so the record of what was decided stays as it was. Standard library only.
"""

from __future__ import annotations

from enum import StrEnum


class IncidentStatus(StrEnum):
    NEW = "new"  # written when the call arrived; nobody has worked on it yet
    IN_PROGRESS = "in_progress"  # a call taker is taking the report (SOP step 1)
    VERIFIED = "verified"  # the report was checked and is real (SOP step 2)
    DISPATCHED = "dispatched"  # handed to the responding agency
    RESOLVED = "resolved"  # the agency reports the emergency handled
    CLOSED = "closed"  # finished: nothing more to do (also information-only calls)
    CANCELLED = "cancelled"  # no response needed: false report, prank, ghost, duplicate


TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.NEW: frozenset(
        {IncidentStatus.IN_PROGRESS, IncidentStatus.VERIFIED, IncidentStatus.CLOSED, IncidentStatus.CANCELLED}
    ),
    IncidentStatus.IN_PROGRESS: frozenset(
        {IncidentStatus.VERIFIED, IncidentStatus.CLOSED, IncidentStatus.CANCELLED}
    ),
    IncidentStatus.VERIFIED: frozenset(
        {IncidentStatus.DISPATCHED, IncidentStatus.RESOLVED, IncidentStatus.CLOSED, IncidentStatus.CANCELLED}
    ),
    IncidentStatus.DISPATCHED: frozenset({IncidentStatus.RESOLVED, IncidentStatus.CANCELLED}),
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.CLOSED, IncidentStatus.DISPATCHED}),
    IncidentStatus.CLOSED: frozenset(),
    IncidentStatus.CANCELLED: frozenset(),
}

FINAL_STATUSES: frozenset[IncidentStatus] = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
# Still being taken on the phone: a caller leg that ends now has dropped (see call_end).
INTAKE_STATUSES: frozenset[IncidentStatus] = frozenset({IncidentStatus.NEW, IncidentStatus.IN_PROGRESS})


class IllegalTransition(ValueError):
    """The status cannot move from `current` to `target`; `allowed` lists where it could go."""

    def __init__(self, current: IncidentStatus, target: IncidentStatus, reason: str = "") -> None:
        self.current = current
        self.target = target
        self.allowed = tuple(sorted(TRANSITIONS[current]))
        where = ", ".join(self.allowed) if self.allowed else "nothing (final status)"
        why = f": {reason}" if reason else ""
        super().__init__(
            f"incident status cannot change from {current.value!r} to {target.value!r}{why}; allowed: {where}"
        )


def can_transition(current: IncidentStatus, target: IncidentStatus) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: IncidentStatus | str, target: IncidentStatus | str) -> IncidentStatus:
    """The target status when the move is allowed; `IllegalTransition` otherwise (also for a no-op)."""
    current, target = IncidentStatus(current), IncidentStatus(target)
    if not can_transition(current, target):
        raise IllegalTransition(current, target)
    return target


def is_open(status: IncidentStatus | str) -> bool:
    """Not final: a repeat call from the same number may still be linked to it."""
    return IncidentStatus(status) not in FINAL_STATUSES
