"""Advanced Mobile Location (issue 19): receive a handset's position, attach it to its caller's
incident, and forget the positions that never matched a call.

A position is attached to the incident of the call from the same number that is waiting or
connected, or that arrived within `match_window` seconds before it; one that arrives first is
stored unmatched and attached when the call's incident is opened (`IncidentLinked`), if the call
arrived within `match_window` after it. Attaching sets the incident's location (source `aml`,
actor `aml`: the incident repository writes the field changes on the timeline), adds a timeline
entry of the receipt, remembers the position on the live call (so a later `seat_ringing` carries
it) and publishes an `aml_location` notice. Positions never matched are deleted after
`unmatched_retention` (personal data). Logs name a number by its last digits only.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import structlog

from cc112_pbx.domain.aml import AmlLimits, InvalidAml, number_suffix, parse_fields, parse_sms
from cc112_pbx.domain.caller import callback_number
from cc112_pbx.domain.incident import InvalidChanges, LocationSource
from cc112_pbx.domain.timeline import TimelineEntry, TimelineKind
from cc112_pbx.services import facts as f
from cc112_pbx.services.api_errors import FieldProblem, Invalid, Unauthenticated
from cc112_pbx.services.controller import Controller
from cc112_pbx.services.ports import AmlStore, Notices
from cc112_pbx.services.sessions import CallKind
from cc112_pbx.services.timers import TimerService

log = structlog.get_logger("cc112.aml")

ACTOR = "aml"
PURGE_LANE = "aml-retention"
PURGE_EVERY = 300.0  # seconds between looks for unmatched positions past their retention
KEPT_ARRIVALS = 10_000


def parse_senders(pairs: Iterable[str]) -> dict[str, str]:
    """`["name:sha256hex", ...]` (the settings' `[aml] senders`) as `{name: sha256hex}`."""
    senders = {}
    for pair in pairs:
        name, _, digest = pair.partition(":")
        senders[name] = digest.lower()
    return senders


@dataclass(frozen=True, slots=True)
class AmlPolicy:
    senders: Mapping[str, str] = field(default_factory=dict)  # name -> SHA-256 (hex) of its token
    match_window: float = 300.0
    unmatched_retention: float = 86400.0
    limits: AmlLimits = field(default_factory=AmlLimits)


@dataclass(slots=True)
class AmlCounts:
    received: int = 0
    duplicates: int = 0
    refused: int = 0
    matched: int = 0
    unmatched: int = 0  # deleted after the retention without ever matching a call


@dataclass(frozen=True, slots=True)
class _Target:
    incident_id: int
    call_id: str | None = None
    seat_id: str | None = None


class AmlService:
    def __init__(self, store: AmlStore, controller: Controller, notices: Notices, policy: AmlPolicy) -> None:
        self.store = store
        self.controller = controller
        self.notices = notices
        self.policy = policy
        self.clock = controller.ctx.clock
        self.counts = AmlCounts()
        self._arrivals: dict[str, tuple[str, datetime]] = {}  # call id -> (E.164 number, arrived at)
        self._timers: TimerService | None = None

    # --- lifecycle: the retention timer ------------------------------------------------------------
    def start(self) -> None:
        """Watch the calls' facts and start the retention timer (inside the running loop)."""
        self.controller.ctx.facts.subscribe(self)
        self._timers = TimerService(lambda key: self._purge_due(), self.clock.monotonic)
        self._schedule_purge()

    def close(self) -> None:
        if self._timers is not None:
            self._timers.close()

    def _schedule_purge(self) -> None:
        if self._timers is not None:
            every = min(PURGE_EVERY, self.policy.unmatched_retention)
            self._timers.start("aml-purge", self.clock.monotonic() + every)

    def _purge_due(self) -> None:
        self.controller.ctx.lanes.submit(PURGE_LANE, "aml_purge", self.purge_unmatched)
        self._schedule_purge()

    async def purge_unmatched(self, now: datetime | None = None) -> int:
        """Delete the positions never attached that were received `unmatched_retention` before `now`."""
        now = now or self.clock.wall()
        deleted = await self.store.aml.delete_unmatched_before(now - timedelta(seconds=self.policy.unmatched_retention))
        self.counts.unmatched += deleted
        if deleted:
            log.info("aml_unmatched_deleted", count=deleted)
        return deleted

    # --- who may post ------------------------------------------------------------------------------
    def sender_for(self, token: str) -> str:
        """The sender whose token this is; `Unauthenticated` otherwise (compared in constant time)."""
        digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest() if token else ""
        found = None
        for name, expected in self.policy.senders.items():
            if hmac.compare_digest(digest, expected):
                found = name
        if not token or found is None:
            raise Unauthenticated("an AML sender's token is required (Authorization: Bearer TOKEN)",
                                  message_id="diperlukan token pengirim AML")
        return found

    # --- receiving -----------------------------------------------------------------------------------
    async def receive_form(self, sender: str, fields: Mapping[str, str]) -> dict[str, Any]:
        now = self.clock.wall()
        message = self._parse(sender, lambda: parse_fields(fields, now, limits=self.policy.limits))
        return await self._store(sender, message, urlencode(sorted(fields.items())), now)

    async def receive_sms(self, sender: str, text: str, originator: str | None) -> dict[str, Any]:
        now = self.clock.wall()
        message = self._parse(sender, lambda: parse_sms(text, now, originator=originator, limits=self.policy.limits))
        return await self._store(sender, message, text, now)

    def _parse(self, sender: str, parse: Any) -> Any:
        try:
            return parse()
        except InvalidAml as exc:
            self.counts.refused += 1
            log.info("aml_refused", sender=sender, fields=[e.field for e in exc.errors])
            raise Invalid([FieldProblem(e.field, e.message) for e in exc.errors],
                          "the AML message has invalid fields; nothing was stored",
                          message_id="pesan AML berisi isian yang tidak valid; tidak ada yang disimpan") from None

    async def _store(self, sender: str, message: Any, raw: str, now: datetime) -> dict[str, Any]:
        record, created = await self.store.aml.add(message, sender=sender, raw=raw, received_at=now)
        if not created:
            self.counts.duplicates += 1
            log.info("aml_duplicate", sender=sender, number=number_suffix(message.number), position_id=record.id)
            return self._answer(record.id, True, record.incident_id)
        self.counts.received += 1
        target = await self._target_now(message.number, now)
        incident_id = None
        if target is not None and await self._attach([record], target, now):
            incident_id = target.incident_id
        log.info("aml_received", sender=sender, number=number_suffix(message.number), position_id=record.id,
                 method=message.method.value, matched=incident_id is not None, incident_id=incident_id)
        return self._answer(record.id, False, incident_id)

    @staticmethod
    def _answer(position_id: int, duplicate: bool, incident_id: int | None) -> dict[str, Any]:
        return {"id": position_id, "duplicate": duplicate, "matched": incident_id is not None,
                "incident_id": incident_id}

    async def _target_now(self, number: str, now: datetime) -> _Target | None:
        """The incident of the number's waiting or connected call, else of its call within the window.
        A live call whose incident is not stored yet gets the position when it is (`IncidentLinked`)."""
        live, waiting_for_incident = await self.controller.request(lambda: self._live_call(number))
        if live is not None or waiting_for_incident:
            return live
        since = now - timedelta(seconds=self.policy.match_window)
        recent = await self.store.incidents.recent_for_number(number, since)
        if not recent:
            return None
        latest = max(recent, key=lambda r: r.last_call_at)
        return _Target(latest.incident_id)

    def _live_call(self, number: str) -> tuple[_Target | None, bool]:
        """In the controller's loop: the newest live citizen call from `number`."""
        sessions = [s for s in self.controller.ctx.sessions.calls.values()
                    if s.kind is CallKind.INBOUND and not s.ended and callback_number(s.caller_number) == number]
        if not sessions:
            return None, False
        session = max(sessions, key=lambda s: s.arrived_at)
        if session.incident_id is None:
            return None, True
        return _Target(session.incident_id, session.call_id, session.seat_id), False

    # --- a call arriving after its position ------------------------------------------------------------
    def __call__(self, fact: object) -> None:
        """A `FactBus` subscriber (in the controller's loop): never blocks, never raises."""
        if isinstance(fact, f.CallOpened):
            number = callback_number(fact.caller_number)
            if number is not None and not fact.stored_call:
                self._arrivals[fact.call_id] = (number, fact.arrived_at)
                while len(self._arrivals) > KEPT_ARRIVALS:
                    del self._arrivals[next(iter(self._arrivals))]
        elif isinstance(fact, f.IncidentLinked):
            arrival = self._arrivals.pop(fact.call_id, None)
            if arrival is not None:
                number, arrived_at = arrival
                self.controller.ctx.lanes.submit(
                    ("aml", fact.call_id), "aml_match_arrival",
                    lambda: self._match_arrival(number, arrived_at, _Target(fact.incident_id, fact.call_id)))

    async def _match_arrival(self, number: str, arrived_at: datetime, target: _Target) -> None:
        window = timedelta(seconds=self.policy.match_window)
        positions = await self.store.aml.unmatched_for_number(number, arrived_at - window, arrived_at + window)
        if positions:
            seat = await self.controller.request(lambda: self._seat_of(target.call_id))
            await self._attach(positions, _Target(target.incident_id, target.call_id, seat), self.clock.wall())

    def _seat_of(self, call_id: str | None) -> str | None:
        session = self.controller.ctx.sessions.calls.get(call_id or "")
        return session.seat_id if session is not None else None

    # --- attaching -------------------------------------------------------------------------------------
    async def _attach(self, positions: Sequence[Any], target: _Target, now: datetime) -> bool:
        attached = await self.store.aml.attach([p.id for p in positions], target.incident_id, now)
        if not attached:
            return False  # attached meanwhile (the call's arrival and the post crossed)
        self.counts.matched += attached
        best = max(positions, key=lambda p: (p.positioned_at, -p.radius_m))
        location = {"latitude": best.latitude, "longitude": best.longitude, "accuracy_m": best.radius_m,
                    "method": str(best.method), "confidence": best.confidence,
                    "positioned_at": best.positioned_at.isoformat(), "source": LocationSource.AML.value}
        changes = {"latitude": best.latitude, "longitude": best.longitude, "location_accuracy_m": best.radius_m,
                   "location_source": LocationSource.AML.value}
        try:
            await self.store.incidents.change(target.incident_id, changes, actor=ACTOR, at=now)
        except InvalidChanges as exc:  # e.g. closed meanwhile: the position stays attached, the form unchanged
            log.warning("aml_location_not_applied", incident_id=target.incident_id, error=str(exc))
        entry = TimelineEntry(TimelineKind.NOTE, now, ACTOR, target.call_id, {
            "text": "AML location received", "aml_position_id": best.id, "positions": attached,
            "accuracy_m": best.radius_m, "method": str(best.method), "confidence": best.confidence,
            "positioned_at": best.positioned_at.isoformat()})
        await self.store.timeline.append(target.incident_id, [entry], key=f"aml:{best.id}")
        call_id = await self.controller.request(lambda: self._remember(target, location))
        self.notices.publish("aml_location", call_id=call_id, seat=target.seat_id, incident_id=target.incident_id,
                             location=location)
        return True

    def _remember(self, target: _Target, location: dict[str, object]) -> str | None:
        """In the loop: keep the position on the incident's live call, for its later screen pops."""
        for session in self.controller.ctx.sessions.calls.values():
            if session.incident_id == target.incident_id and session.kind is CallKind.INBOUND:
                session.location = location
                return session.call_id
        return target.call_id
