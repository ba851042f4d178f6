"""The API's event stream: every notice of the `Notifier`, filtered per subscriber's role.

Staff receive everything; a call taker receives the general queue events (no seat named) and
their own seat's: `seat_ringing` for their seat is the *screen pop* (call id, caller number or
none, no-callback flag, incident id, category hint, repeat-caller link), published when the seat
is rung, before it answers. A subscriber that cannot keep up is dropped (its client reconnects)
rather than delaying anyone: publishing never blocks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import structlog

from cc112_pbx.services.access import Principal
from cc112_pbx.services.live_control import call_details
from cc112_pbx.services.notifier import Notifier
from cc112_pbx.services.sessions import CallSession

log = structlog.get_logger("cc112.events")

QUEUE_SIZE = 1000
ENRICHED = ("seat_ringing", "call_connected", "call_arrived")
STAFF_ONLY_KEYS = ("path", "recording")


class Subscription:
    def __init__(self, principal: Principal, size: int = QUEUE_SIZE) -> None:
        self.principal = principal
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(size)
        self.lost = asyncio.Event()  # set when it fell too far behind

    def wants(self, notice: dict[str, Any]) -> bool:
        if self.principal.is_field:  # issue 17: only their agency's (an officer: their own) dispatch news
            if self.principal.officer_id is not None:
                return notice.get("officer_id") == self.principal.officer_id
            return self.principal.agency_id is not None and notice.get("agency_id") == self.principal.agency_id
        if not self.principal.is_call_taker:
            return True
        seat = notice.get("seat")
        return seat is None or seat == self.principal.seat_id

    def offer(self, notice: dict[str, Any]) -> None:
        if self.lost.is_set() or not self.wants(notice):
            return
        if self.principal.is_call_taker:
            notice = {k: v for k, v in notice.items() if k not in STAFF_ONLY_KEYS}
        try:
            self.queue.put_nowait(notice)
        except asyncio.QueueFull:
            self.lost.set()


class EventHub:
    def __init__(self, notifier: Notifier, sessions: Callable[[str], CallSession | None] | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.notifier = notifier
        self.sessions = sessions or (lambda call_id: None)
        self.clock = clock
        self._subscribers: list[Subscription] = []
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self.notifier.subscribe(self._publish)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for sub in self._subscribers:
            sub.lost.set()

    def subscribe(self, principal: Principal) -> Subscription:
        sub = Subscription(principal)
        self._subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subscribers:
            self._subscribers.remove(sub)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def _publish(self, notice: dict[str, Any]) -> None:
        if notice.get("kind") in ENRICHED and "call_id" in notice:
            details = call_details(self.sessions(notice["call_id"]))
            notice = {**{k: v for k, v in details.items() if v is not None}, **notice}
        if self.clock is not None:
            notice = {**notice, "at": self.clock()}
        for sub in list(self._subscribers):
            sub.offer(notice)
