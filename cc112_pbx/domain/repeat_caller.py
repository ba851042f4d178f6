"""Repeat callers: a new call from a number whose incident is still open is the same emergency.

Within the configured window, the new call is linked to that incident instead of opening a
second one, a pending callback to that number is cancelled (the citizen is on the line now),
and the seat that handled the incident is preferred. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cc112_pbx.domain.caller import callback_number
from cc112_pbx.domain.incident_status import IncidentStatus, is_open


@dataclass(frozen=True, slots=True)
class IncidentPolicy:
    """- `repeat_caller_window`: seconds since the last call on an open incident during which a new
      call from the same number is linked to it (0: never link).
    - `ghost_call_threshold`: calls shorter than this (seconds) that never reached a seat are
      tagged ghost calls (0: never tag)."""

    repeat_caller_window: float = 1800.0
    ghost_call_threshold: float = 5.0

    def __post_init__(self) -> None:
        for name in ("repeat_caller_window", "ghost_call_threshold"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"{name}: must be a number of seconds >= 0 (got {value!r})")

    @classmethod
    def from_settings(cls, incident: object) -> IncidentPolicy:
        """From `settings.incident`."""
        return cls(float(incident.repeat_caller_window), float(incident.ghost_call_threshold))  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class RecentIncident:
    """An incident a repeat call could belong to: its numbers, status and last call."""

    incident_id: int
    status: IncidentStatus
    last_call_at: datetime
    numbers: tuple[str | None, ...] = ()  # the caller's number and the callback number given
    seat_id: str | None = None  # the seat that last handled it


@dataclass(frozen=True, slots=True)
class RepeatMatch:
    incident_id: int
    preferred_seat: str | None


def match_repeat_call(caller_number: str | None, now: datetime, candidates: Iterable[RecentIncident],
                      window_s: float) -> RepeatMatch | None:
    """The open incident this call repeats (the most recently called one), or None."""
    number = callback_number(caller_number)
    if number is None or window_s <= 0:
        return None
    since = now - timedelta(seconds=window_s)
    matches = [
        c for c in candidates
        if is_open(c.status) and since <= c.last_call_at <= now
        and number in {callback_number(n) for n in c.numbers}
    ]
    if not matches:
        return None
    best = max(matches, key=lambda c: (c.last_call_at, c.incident_id))
    return RepeatMatch(best.incident_id, best.seat_id)
