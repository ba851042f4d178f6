"""The incident as the SOP defines it, and the two ways it changes: field edits and status moves.

SOP steps 1, 2 and 5: the call taker records who is calling, the number to call back, where,
what happened; the report is verified; the centre calls back when the line drops. Every change
goes through `apply_changes` or `transition`, which validate it and return the timeline entries
that record it, so the stored incident and its history cannot drift apart.

`apply_changes` collects every error at once, each naming its field (`FieldError`), because a
form shows them all together (the HTTP layer turns `InvalidChanges` into a 422).
Standard library only.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from cc112_pbx.domain.caller import callback_number as normalise_callback_number
from cc112_pbx.domain.categories import Category, parse_category
from cc112_pbx.domain.incident_status import (
    FINAL_STATUSES,
    IllegalTransition,
    IncidentStatus,
    check_transition,
)
from cc112_pbx.domain.timeline import FieldChanged, JsonValue, StatusChanged


class Verification(StrEnum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    FALSE_REPORT = "false_report"  # a report of something that did not happen
    PRANK = "prank"  # a joke or harassment call
    GHOST = "ghost"  # an accidental or silent call: nobody reported anything

    @property
    def is_rejected(self) -> bool:
        """Judged not real: nothing may be verified or dispatched on it."""
        return self in (Verification.FALSE_REPORT, Verification.PRANK, Verification.GHOST)


class Priority(IntEnum):
    """1 is the most urgent; an IntEnum so that sorting by priority is sorting by urgency."""

    CRITICAL = 1  # life in danger now
    HIGH = 2
    MEDIUM = 3
    LOW = 4  # information, no response needed


class LocationSource(StrEnum):
    """Where a position came from: it decides how far a dispatcher trusts it."""

    CALLER = "caller"  # the caller told it; the call taker placed it
    AML = "aml"  # Advanced Mobile Location: the handset's own GNSS/Wi-Fi fix
    NETWORK = "network"  # the operator's cell location
    MAP = "map"  # the call taker picked it on a map
    OTHER = "other"


MAX_TEXT = {"reporter_name": 128, "address": 512, "description": 4000, "owner": 64}
OWNER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MAX_ACCURACY_M = 1_000_000.0


@dataclass(frozen=True, slots=True)
class Incident:
    """One emergency report. `caller_number` is what the network delivered (never edited);
    `callback_number` is where the centre rings back (E.164), which the caller may give instead."""

    opened_at: datetime
    dialled: str = "112"
    id: int | None = None
    status: IncidentStatus = IncidentStatus.NEW
    closed_at: datetime | None = None
    caller_number: str | None = None
    no_callback: bool = False
    category_hint: Category | None = None  # from the legacy number dialled; never edited
    reporter_name: str = ""
    callback_number: str | None = None
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_source: LocationSource | None = None
    location_accuracy_m: float | None = None
    category: Category | None = None
    description: str = ""
    verification: Verification = Verification.UNVERIFIED
    priority: Priority | None = None
    owner: str | None = None  # the seat or call taker who owns the report

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL_STATUSES

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidChanges(ValueError):
    """The changes were refused as a whole; `.errors` names each field and what is wrong."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("invalid incident changes: " + "; ".join(str(e) for e in self.errors))


def _text(name: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValueError("must be text")
        text = value.strip()
        if len(text) > MAX_TEXT[name]:
            raise ValueError(f"at most {MAX_TEXT[name]} characters (got {len(text)})")
        return text

    return check


def _callback_number(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError("must be text")
    number = normalise_callback_number(value)
    if number is None:
        raise ValueError(f"{value!r} is not a number that can be called back")
    return number


def _number(low: float, high: float) -> Callable[[Any], float | None]:
    def check(value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"must be a number (got {value!r})")
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g} (got {value!r})")
        return float(value)

    return check


def _choice(enum: type[StrEnum], parse: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(f"must be text (got {value!r})")
        try:
            return parse(value) if parse else enum(value.strip().lower())
        except ValueError:
            if parse:
                raise
            raise ValueError(f"must be one of {', '.join(m.value for m in enum)} (got {value!r})") from None

    return check


def _verification(value: Any) -> Verification:
    if value is None:
        raise ValueError("must be set (use 'unverified')")
    return _choice(Verification)(value)


def _priority(value: Any) -> Priority | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().upper() in Priority.__members__:
        return Priority[value.strip().upper()]
    if isinstance(value, bool) or not isinstance(value, int) or value not in tuple(Priority):
        raise ValueError(f"must be 1 (critical) to 4 (low) (got {value!r})")
    return Priority(value)


def _owner(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not OWNER_PATTERN.match(value):
        raise ValueError(f"must be a seat or call-taker id (letters, digits, _ . @ -) (got {value!r})")
    return value


# Every field a call taker or supervisor may change, and how its value is checked and normalised.
EDITABLE: dict[str, Callable[[Any], Any]] = {
    "reporter_name": _text("reporter_name"),
    "callback_number": _callback_number,
    "address": _text("address"),
    "latitude": _number(-90.0, 90.0),
    "longitude": _number(-180.0, 180.0),
    "location_source": _choice(LocationSource),
    "location_accuracy_m": _number(0.0, MAX_ACCURACY_M),
    "category": _choice(Category, parse_category),
    "description": _text("description"),
    "verification": _verification,
    "priority": _priority,
    "owner": _owner,
}
# After closing or cancelling, only a late judgement and a correction of the text are allowed.
EDITABLE_WHEN_FINAL = frozenset({"verification", "description"})


def _json(value: Any) -> JsonValue:
    if isinstance(value, (StrEnum, IntEnum)):
        return value.value
    return value


def _cross_field_errors(incident: Incident) -> list[FieldError]:
    errors = []
    if (incident.latitude is None) != (incident.longitude is None):
        missing = "longitude" if incident.longitude is None else "latitude"
        errors.append(FieldError(missing, "latitude and longitude go together"))
    if incident.has_position and incident.location_source is None:
        errors.append(FieldError("location_source", "required with a position"))
    if not incident.has_position and incident.location_accuracy_m is not None:
        errors.append(FieldError("location_accuracy_m", "only with a position"))
    if incident.verification.is_rejected and incident.status in (IncidentStatus.VERIFIED,
                                                                  IncidentStatus.DISPATCHED):
        errors.append(FieldError("verification", f"the incident is {incident.status.value}; cancel it first"))
    return errors


def apply_changes(
    incident: Incident, changes: Mapping[str, Any], actor: str, now: datetime
) -> tuple[Incident, list[FieldChanged]]:
    """The incident with `changes` applied and one `FieldChanged` per value that really changed.

    Raises `InvalidChanges` listing every problem (unknown fields, bad values, fields that do
    not fit together, fields locked on a closed incident); nothing is applied then.
    """
    errors: list[FieldError] = []
    if not actor:
        errors.append(FieldError("actor", "who makes the change must be known"))
    values: dict[str, Any] = {}
    for name, raw in changes.items():
        check = EDITABLE.get(name)
        if check is None:
            hint = "use a status transition" if name == "status" else "not an editable field"
            errors.append(FieldError(name, hint))
            continue
        if not incident.is_open and name not in EDITABLE_WHEN_FINAL:
            errors.append(FieldError(name, f"the incident is {incident.status.value}"))
            continue
        try:
            values[name] = check(raw)
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))
    if errors:
        raise InvalidChanges(errors)
    updated = dataclasses.replace(incident, **values)
    errors = _cross_field_errors(updated)
    if errors:
        raise InvalidChanges(errors)
    changed = [
        FieldChanged(name, _json(getattr(incident, name)), _json(value), actor, now)
        for name, value in values.items()
        if getattr(incident, name) != value
    ]
    return updated, changed


def transition(
    incident: Incident, target: IncidentStatus | str, actor: str, now: datetime, reason: str = ""
) -> tuple[Incident, list[StatusChanged | FieldChanged]]:
    """Move the incident to `target` if the lifecycle allows it (`IllegalTransition` otherwise).

    Verifying sets the verification to `verified`; a report judged false, prank or ghost cannot
    be verified, dispatched or resolved (cancel it). A final status stamps `closed_at`.
    """
    target = check_transition(incident.status, target)
    if incident.verification.is_rejected and target in (
        IncidentStatus.VERIFIED, IncidentStatus.DISPATCHED, IncidentStatus.RESOLVED
    ):
        raise IllegalTransition(incident.status, target, f"the report is marked {incident.verification.value}")
    entries: list[StatusChanged | FieldChanged] = [
        StatusChanged(incident.status.value, target.value, actor, now, reason)
    ]
    verification = incident.verification
    if target is IncidentStatus.VERIFIED and verification is not Verification.VERIFIED:
        verification = Verification.VERIFIED
        entries.append(FieldChanged("verification", incident.verification.value, verification.value, actor, now))
    closed_at = now if target in FINAL_STATUSES else None
    return dataclasses.replace(incident, status=target, verification=verification, closed_at=closed_at), entries
