"""A tiny, real executor of the ACD core's commands, for the domain tests (not a double).

It plays the service's part with plain bookkeeping: a float clock, the running timers
(fired in time order when the clock moves), the seat legs ringing, the bridges, and the
outcomes. Each step checks the command stream against the invariants the core promises.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from cc112_pbx.domain.acd import (
    Acd,
    AcdCommand,
    AcdEvent,
    CallArrived,
    CallEndedOutcome,
    CancelOffer,
    CancelTimer,
    ConnectCall,
    FallbackMembershipChanged,
    HangUpCaller,
    Offer,
    OfferCall,
    OfferFailed,
    QueueConfig,
    SeatAutoPaused,
    SeatConfig,
    SeatLost,
    SeatStateChanged,
    SeatStatus,
    StartTimer,
    TimerFired,
    TimerKey,
)


def config(*seat_ids: str, overflow: tuple[str, ...] = (), **fields: object) -> QueueConfig:
    seats = tuple(SeatConfig(s, overflow=False) for s in seat_ids)
    seats += tuple(SeatConfig(s, overflow=True) for s in overflow)
    return QueueConfig(seats=seats, **fields)  # type: ignore[arg-type]


@dataclass
class AcdDriver:
    acd: Acd
    now: float = 0.0
    timers: dict[TimerKey, float] = field(default_factory=dict)
    ringing: dict[str, Offer] = field(default_factory=dict)  # offer_id -> offer
    bridged: dict[str, str] = field(default_factory=dict)  # call_id -> seat_id
    outcomes: list[CallEndedOutcome] = field(default_factory=list)
    offers_made: list[Offer] = field(default_factory=list)
    cancelled: list[Offer] = field(default_factory=list)
    auto_paused: list[SeatAutoPaused] = field(default_factory=list)
    fallback: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    status_changes: list[SeatStateChanged] = field(default_factory=list)
    callers_hung_up: list[str] = field(default_factory=list)
    log: list[AcdCommand] = field(default_factory=list)
    queue_keys: dict[str, tuple[int, float, int]] = field(default_factory=dict)
    last_missed_by: dict[str, str] = field(default_factory=dict)  # call_id -> seat that let it ring out

    @classmethod
    def of(cls, queue: QueueConfig) -> AcdDriver:
        return cls(Acd(queue))

    def feed(self, event: AcdEvent) -> list[AcdCommand]:
        if isinstance(event, CallArrived) and event.call_id not in self.queue_keys:
            arrived = self.now if event.arrived_at is None else event.arrived_at
            self.queue_keys[event.call_id] = (-event.priority, arrived, len(self.queue_keys))
        if isinstance(event, OfferFailed) and self.ringing.pop(event.offer.offer_id, None):
            self.last_missed_by[event.offer.call_id] = event.offer.seat_id  # that seat leg is gone
        if isinstance(event, SeatLost) and event.call_id in self.bridged:
            self.last_missed_by[event.call_id] = self.bridged.pop(event.call_id)  # never bridged after all
        commands = self.acd.handle(event, self.now)
        for command in commands:
            self._execute(command)
            if isinstance(event, TimerFired) and isinstance(command, CancelOffer):
                self.last_missed_by[command.offer.call_id] = command.offer.seat_id  # rang out
        self.log.extend(commands)
        self._check_missed_seat_waits_its_turn(commands)
        return commands

    def _check_missed_seat_waits_its_turn(self, commands: list[AcdCommand]) -> None:
        """A call offered again to the seat that let it ring out: no other seat that could
        take it was free at its turn (still free now, or given a call ranked after it)."""
        offers = [c.offer for c in commands if isinstance(c, OfferCall)]
        snapshot = self.acd.snapshot()
        calls = {c.call_id: c for c in snapshot.calls}
        queue = self.acd.config
        for offer in offers:
            if self.last_missed_by.get(offer.call_id) != offer.seat_id:
                continue
            key = self.queue_keys[offer.call_id]
            later = {o.seat_id for o in offers if self.queue_keys[o.call_id] > key}
            free = {s.seat_id for s in snapshot.seats if s.status is SeatStatus.AVAILABLE}
            open_ = queue.overflow_after == 0 or calls[offer.call_id].overflow_open
            others = {s for s in free | later if s != offer.seat_id and (open_ or not queue.is_overflow(s))}
            assert not others, f"{offer.call_id} went back to {offer.seat_id} while {others} could take it"

    def advance(self, seconds: float) -> None:
        """Move the clock, firing every due timer in time order at its own time."""
        until = self.now + seconds
        while True:
            due = [(at, key) for key, at in self.timers.items() if at <= until]
            if not due:
                break
            at, key = min(due, key=lambda item: item[0])
            del self.timers[key]
            self.now = max(self.now, at)
            self.feed(TimerFired(key))
        self.now = until

    def offer_for(self, call_id: str) -> Offer:
        offers = [o for o in self.ringing.values() if o.call_id == call_id]
        assert len(offers) == 1, f"expected call {call_id} ringing one seat, got {offers}"
        return offers[0]

    def ringing_seat_of(self, call_id: str) -> str | None:
        offers = [o for o in self.ringing.values() if o.call_id == call_id]
        return offers[0].seat_id if offers else None

    def outcome_of(self, call_id: str) -> CallEndedOutcome:
        found = [o for o in self.outcomes if o.call_id == call_id]
        assert len(found) == 1, f"call {call_id} has {len(found)} outcomes"
        return found[0]

    def _execute(self, command: AcdCommand) -> None:
        if isinstance(command, OfferCall):
            self._check_seat_free(command.offer.seat_id)
            assert command.offer.call_id not in {o.call_id for o in self.ringing.values()}
            assert command.offer.call_id not in self.bridged
            self.ringing[command.offer.offer_id] = command.offer
            self.offers_made.append(command.offer)
        elif isinstance(command, CancelOffer):
            self.ringing.pop(command.offer.offer_id, None)
            self.cancelled.append(command.offer)
        elif isinstance(command, ConnectCall):
            offer = self.ringing.pop(command.offer.offer_id)
            assert offer.call_id not in self.bridged, "one call bridged to two seats"
            self._check_seat_free(offer.seat_id)
            self.bridged[offer.call_id] = offer.seat_id
        elif isinstance(command, StartTimer):
            self.timers[command.key] = command.at
        elif isinstance(command, CancelTimer):
            self.timers.pop(command.key, None)
        elif isinstance(command, CallEndedOutcome):
            self.bridged.pop(command.call_id, None)
            self.outcomes.append(command)
        else:
            self._record(command)

    def _record(self, command: AcdCommand) -> None:
        if isinstance(command, HangUpCaller):
            self.callers_hung_up.append(command.call_id)
        elif isinstance(command, SeatAutoPaused):
            self.auto_paused.append(command)
        elif isinstance(command, FallbackMembershipChanged):
            self.fallback[command.seat_id] = (command.member, command.paused)
        elif isinstance(command, SeatStateChanged):
            self.status_changes.append(command)
        else:
            raise AssertionError(f"unexpected command {command!r}")

    def _check_seat_free(self, seat_id: str) -> None:
        holding = [o for o in self.ringing.values() if o.seat_id == seat_id]
        holding += [c for c, s in self.bridged.items() if s == seat_id]
        assert not holding, f"seat {seat_id} would hold two calls: already {holding}"

    def outcome_counts(self) -> Counter[str]:
        return Counter(o.call_id for o in self.outcomes)
