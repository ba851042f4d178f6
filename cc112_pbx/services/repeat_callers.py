"""Citizens who call again: the controller remembers, per number, the last call whose incident
was still open, so a new call from that number within the window joins that incident and is
offered first to the seat that had it (the store also finds such incidents after a restart).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cc112_pbx.domain.caller import callback_number
from cc112_pbx.domain.incident_status import FINAL_STATUSES, IncidentStatus
from cc112_pbx.services.sessions import CallSession


@dataclass(frozen=True, slots=True)
class RecentCall:
    """An inbound call that ended with its incident still open: a repeat caller joins it."""

    incident_id: int
    seat_id: str | None
    ended_mono: float
    status: IncidentStatus


class RepeatCallers:
    def __init__(self, window: float) -> None:
        self.window = window
        self.recent: dict[str, RecentCall] = {}  # E.164 number -> its last call with an open incident

    def remember(self, session: CallSession, now: float) -> None:
        number = callback_number(session.caller_number)
        if number is None or session.incident_id is None or session.incident_status in FINAL_STATUSES:
            return
        self.recent[number] = RecentCall(session.incident_id, session.seat_id, now, session.incident_status)

    def match(self, number: str, now: float) -> RecentCall | None:
        recent = self.recent.get(number)
        if recent is None or now - recent.ended_mono > self.window:
            return None
        return recent

    def status_changed(self, incident_id: int, status: IncidentStatus) -> None:
        for number, recent in list(self.recent.items()):
            if recent.incident_id != incident_id:
                continue
            if status in FINAL_STATUSES:
                del self.recent[number]
            else:
                self.recent[number] = replace(recent, status=status)
