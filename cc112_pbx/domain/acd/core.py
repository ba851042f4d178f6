"""The ACD core: fed events and the time, it decides which seat gets which caller.

`Acd.handle(event, now) -> list[AcdCommand]` is the only way in. It never sleeps, never
does I/O: ringing, bridging, timers and bookkeeping come out as commands for the service.
`now` is monotonic seconds (e.g. `loop.time()`), the same clock `StartTimer.at` uses.

After every event the core offers waiting callers to free seats at once (event-driven,
no polling): highest priority first, then longest waiting; the strategy picks among the
seats that may take that caller. Invariants kept after every event:
- a seat holds at most one call (offered or connected), a call at most one seat;
- no caller waits while a seat that may take it is free;
- every call ends once, with one outcome.
An event costs the same with 10 seats or 200: only the seats it touches are looked at again
(`seat_book`), the waiting callers stay sorted (`waiting`), the free seats stay sorted by the
strategy's rank (`seat_order`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cc112_pbx.domain.acd import overflow
from cc112_pbx.domain.acd.calls import CallPhase, CallView, QueuedCall
from cc112_pbx.domain.acd.commands import (
    AcdCommand,
    CallEndedOutcome,
    CancelOffer,
    CancelTimer,
    ConnectCall,
    FallbackMembershipChanged,
    HangUpCaller,
    OfferCall,
    StartTimer,
)
from cc112_pbx.domain.acd.config import QueueConfig
from cc112_pbx.domain.acd.events import (
    AcdEvent,
    CallArrived,
    CallerHungUp,
    CallResumed,
    Offer,
    OfferAnswered,
    OfferFailed,
    OfferFailure,
    OverflowTimer,
    Reconfigured,
    RingTimer,
    SeatHungUp,
    SeatLoggedIn,
    SeatLoggedOut,
    SeatLost,
    SeatPaused,
    SeatReachable,
    SeatUnpaused,
    SeatUnreachable,
    TimerFired,
    WrapupTimer,
)
from cc112_pbx.domain.acd.seat_book import SeatBook
from cc112_pbx.domain.acd.seat_order import is_ranked, order_key, ranked_pick
from cc112_pbx.domain.acd.seat_rules import SeatRules
from cc112_pbx.domain.acd.seats import Engagement, Seat, SeatView, view_of
from cc112_pbx.domain.acd.strategies import Candidate, Strategy, make_strategy
from cc112_pbx.domain.acd.waiting import WaitingLine
from cc112_pbx.domain.call_end import CallOutcome


class UnknownSeatError(ValueError):
    """An event named a seat that is not in the queue configuration."""


@dataclass(frozen=True, slots=True)
class AcdSnapshot:
    """The whole queue at one moment: seats in configured order, calls in queue order."""

    seats: tuple[SeatView, ...]
    calls: tuple[CallView, ...]


class Acd(SeatRules):
    """The automatic call distributor for one queue. Not thread-safe: one owner feeds it."""

    def __init__(self, config: QueueConfig, strategy: Strategy | None = None) -> None:
        self._config = config
        self._strategy = strategy if strategy is not None else make_strategy(config.strategy)
        self._book = SeatBook(config, order_key(self._strategy, config))
        self._seats: dict[str, Seat] = self._book.seats
        self._calls: dict[str, QueuedCall] = {}
        self._waiting = WaitingLine()
        self._offering: dict[str, QueuedCall] = {}  # offer id -> the call ringing with it
        self._arrivals = 0
        self._offers = 0
        self._handlers: dict[type, Callable[[Any, float, list[AcdCommand]], None]] = {
            CallArrived: self._call_arrived,
            CallResumed: self._call_resumed,
            CallerHungUp: self._caller_hung_up,
            SeatHungUp: self._seat_hung_up,
            SeatLost: self._seat_lost,
            OfferAnswered: self._offer_answered,
            OfferFailed: self._offer_failed,
            SeatLoggedIn: self._seat_logged_in,
            SeatLoggedOut: self._seat_logged_out,
            SeatPaused: self._seat_paused,
            SeatUnpaused: self._seat_unpaused,
            SeatReachable: self._seat_reachable,
            SeatUnreachable: self._seat_unreachable,
            TimerFired: self._timer_fired,
            Reconfigured: self._reconfigured,
        }

    @property
    def config(self) -> QueueConfig:
        return self._config

    @property
    def strategy(self) -> Strategy:
        return self._strategy

    def handle(self, event: AcdEvent, now: float) -> list[AcdCommand]:
        """Apply one event at monotonic time `now`; return the commands, in order."""
        handler = self._handlers.get(type(event))
        if handler is None:
            raise TypeError(f"the ACD core does not handle {type(event).__name__}")
        out: list[AcdCommand] = []
        handler(event, now, out)
        self._dispatch(now, out)
        out.extend(self._book.changes())
        return out

    def sync_commands(self) -> list[FallbackMembershipChanged]:
        """The fallback-queue membership of every configured seat (after an AMI reconnect)."""
        return [
            FallbackMembershipChanged(s.seat_id, member=s.logged_in, paused=s.logged_in and s.paused)
            for s in self._ordered_seats()
        ]

    def finishing_a_call(self, seat_id: str) -> bool:
        """Logged in, not paused, but still busy with a call (ringing, talking, wrap-up, its phone
        still in use): the seat will be free soon."""
        seat = self._seats.get(seat_id)
        if seat is None or not seat.logged_in or seat.paused:
            return False
        return seat.engagement is not Engagement.FREE or (not seat.reachable and seat.unreachable_reason == "in_use")

    def snapshot(self) -> AcdSnapshot:
        seats = tuple(view_of(s, self._config.is_overflow(s.seat_id)) for s in self._ordered_seats())
        waiting = self._waiting_calls()
        positions = {c.call_id: i + 1 for i, c in enumerate(waiting)}
        others = [c for c in self._calls.values() if c.phase is not CallPhase.WAITING]
        calls = tuple(
            CallView(
                c.call_id,
                c.phase,
                c.priority,
                c.arrived_at,
                c.seat_id,
                c.overflow_open,
                positions.get(c.call_id),
            )
            for c in [*waiting, *sorted(others, key=QueuedCall.queue_key)]
        )
        return AcdSnapshot(seats=seats, calls=calls)

    # --- calls --------------------------------------------------------------------------

    def _call_arrived(self, event: CallArrived, now: float, out: list[AcdCommand]) -> None:
        if event.call_id in self._calls:
            return  # the same caller reported twice (e.g. after a resync): already queued
        self._arrivals += 1
        call = QueuedCall(
            call_id=event.call_id,
            priority=event.priority,
            arrived_at=now if event.arrived_at is None else event.arrived_at,
            sequence=self._arrivals,
            preferred_seat_id=event.preferred_seat_id,
        )
        self._calls[call.call_id] = call
        self._waiting.add(call)
        overflow.arm(call, self._config, now, out)

    def _call_resumed(self, event: CallResumed, now: float, out: list[AcdCommand]) -> None:
        if event.call_id in self._calls:
            return
        self._arrivals += 1
        call = QueuedCall(call_id=event.call_id, priority=0, arrived_at=event.arrived_at, sequence=self._arrivals,
                          phase=CallPhase.CONNECTED, seat_id=event.seat_id, connected_at=event.connected_at)
        self._calls[call.call_id] = call
        seat = self._seats.get(event.seat_id)
        if seat is None or seat.call_id is not None:
            return  # a seat no longer configured (or already busy): the call goes on without it
        self._book.touch(seat)
        seat.engagement, seat.call_id, seat.offer_id = Engagement.ON_CALL, call.call_id, None

    def _caller_hung_up(self, event: CallerHungUp, now: float, out: list[AcdCommand]) -> None:
        call = self._calls.get(event.call_id)
        if call is None:
            return
        if call.phase is CallPhase.CONNECTED:
            self._end_conversation(call, now, out)
            return
        if call.phase is CallPhase.OFFERED:
            seat = self._touched_seat(call.seat_id)  # type: ignore[arg-type]
            out.append(CancelOffer(self._offer_of(call)))
            out.append(CancelTimer(RingTimer(call.offer_id)))  # type: ignore[arg-type]
            self._release_seat(seat)
        self._end(call, CallOutcome.ABANDONED, now, out)

    def _seat_hung_up(self, event: SeatHungUp, now: float, out: list[AcdCommand]) -> None:
        call = self._calls.get(event.call_id)
        if call is None or call.phase is not CallPhase.CONNECTED:
            return  # a seat leg ending before answer is reported as OfferFailed
        out.append(HangUpCaller(call.call_id))
        self._end_conversation(call, now, out)

    def _seat_lost(self, event: SeatLost, now: float, out: list[AcdCommand]) -> None:
        call = self._calls.get(event.call_id)
        if call is None or call.phase is not CallPhase.CONNECTED:
            return
        seat = self._seats.get(call.seat_id)  # type: ignore[arg-type]
        if seat is not None and seat.call_id == call.call_id:
            self._book.touch(seat)
            seat.engagement, seat.call_id, seat.offer_id = Engagement.FREE, None, None
            seat.answered -= 1
            self._count_missed(seat, out)
        call.move_to(CallPhase.WAITING)
        call.last_missed_seat, call.seat_id, call.offer_id, call.connected_at = call.seat_id, None, None, None
        self._waiting.add(call)
        overflow.arm(call, self._config, now, out)

    def _offer_answered(self, event: OfferAnswered, now: float, out: list[AcdCommand]) -> None:
        call = self._current_call_of(event.offer)
        if call is None:
            out.append(CancelOffer(event.offer))  # answered too late: hang that seat leg up
            return
        seat = self._touched_seat(event.offer.seat_id)
        out.append(CancelTimer(RingTimer(event.offer.offer_id)))
        overflow.disarm(call, out)
        del self._offering[event.offer.offer_id]
        call.move_to(CallPhase.CONNECTED)
        call.connected_at = now
        seat.engagement = Engagement.ON_CALL
        seat.offer_id = None
        seat.missed_in_a_row = 0
        seat.answered += 1
        out.append(ConnectCall(event.offer))

    def _offer_failed(self, event: OfferFailed, now: float, out: list[AcdCommand]) -> None:
        call = self._current_call_of(event.offer)
        if call is None:
            return  # an old attempt, already given up
        out.append(CancelTimer(RingTimer(event.offer.offer_id)))
        self._offer_lost(call, event.reason, out)

    def _timer_fired(self, event: TimerFired, now: float, out: list[AcdCommand]) -> None:
        key = event.key
        if isinstance(key, RingTimer):
            call = self._call_with_offer(key.offer_id)
            if call is not None:
                out.append(CancelOffer(self._offer_of(call)))
                self._offer_lost(call, OfferFailure.NO_ANSWER, out)
        elif isinstance(key, WrapupTimer):
            seat = self._seats.get(key.seat_id)
            if seat is not None and seat.engagement is Engagement.WRAP_UP and seat.wrapup_round == key.round:
                self._book.touch(seat)
                seat.engagement = Engagement.FREE
        elif isinstance(key, OverflowTimer):
            call = self._calls.get(key.call_id)
            if call is not None:
                overflow.fired(call)
        else:
            raise TypeError(f"unknown timer key {key!r}")

    def _offer_lost(self, call: QueuedCall, reason: OfferFailure, out: list[AcdCommand]) -> None:
        """The offer ended without an answer: the caller waits again, the seat is judged."""
        seat = self._touched_seat(call.seat_id)  # type: ignore[arg-type]
        self._release_seat(seat)
        call.last_missed_seat = seat.seat_id
        if reason in (OfferFailure.BUSY, OfferFailure.UNREACHABLE):
            seat.reachable = False
            seat.unreachable_reason = reason.value
        else:
            self._count_missed(seat, out)

    def _end_conversation(self, call: QueuedCall, now: float, out: list[AcdCommand]) -> None:
        seat = self._seats.get(call.seat_id)  # type: ignore[arg-type]
        if seat is None or seat.call_id != call.call_id:  # a resumed call whose seat was not given to it
            self._end(call, CallOutcome.ANSWERED, now, out)
            return
        self._book.touch(seat)
        seat.call_id = None
        seat.idle_since = now
        self._after_call(seat, now, out)
        self._end(call, CallOutcome.ANSWERED, now, out)

    def _end(self, call: QueuedCall, outcome: CallOutcome, now: float, out: list[AcdCommand]) -> None:
        overflow.disarm(call, out)
        until = call.connected_at if call.connected_at is not None else now
        seat_id = call.seat_id if outcome is CallOutcome.ANSWERED else None
        self._waiting.discard(call)
        call.move_to(CallPhase.ENDED)
        del self._calls[call.call_id]
        out.append(CallEndedOutcome(call.call_id, outcome, seat_id, waited=max(0.0, until - call.arrived_at)))

    # --- offering -----------------------------------------------------------------------

    def _dispatch(self, now: float, out: list[AcdCommand]) -> None:
        """Offer every waiting caller that some free seat may take, best caller first.

        The waiting callers are already in queue order and the seat book keeps the ready
        seats in order: nothing is re-sorted and no seat that is not free is looked at."""
        if not self._waiting or not self._book.has_ready():
            return
        for call in self._waiting.in_order():
            seat = self._seat_for(call, now)
            if seat is None:
                continue
            self._offer(call, seat, now, out)
            if not self._book.has_ready():
                return

    def _seat_for(self, call: QueuedCall, now: float) -> Seat | None:
        with_overflow = overflow.may_use_overflow_seats(call, self._config)
        if is_ranked(self._strategy):
            return ranked_pick(self._book, self._config, call, with_overflow)
        free = self._book.ready_seats(with_overflow)
        if not free:
            return None
        if len(free) > 1:
            # the seat that just let this call ring out waits its turn while another is free
            free = [s for s in free if s.seat_id != call.last_missed_seat]
        return self._pick(call, free, now)

    def _pick(self, call: QueuedCall, free: list[Seat], now: float) -> Seat:
        for seat in free:
            if seat.seat_id == call.preferred_seat_id:
                return seat
        candidates = [
            Candidate(s.seat_id, self._config.position(s.seat_id), s.idle_since, s.answered) for s in free
        ]
        chosen = self._strategy.choose(candidates, now)
        by_id = {s.seat_id: s for s in free}
        if chosen not in by_id:
            raise RuntimeError(f"strategy {self._strategy.name} chose {chosen!r}, not a candidate")
        return by_id[chosen]

    def _offer(self, call: QueuedCall, seat: Seat, now: float, out: list[AcdCommand]) -> None:
        self._offers += 1
        offer = Offer(offer_id=f"{call.call_id}/{self._offers}", call_id=call.call_id, seat_id=seat.seat_id)
        self._waiting.discard(call)
        call.move_to(CallPhase.OFFERED)
        self._offering[offer.offer_id] = call
        self._book.touch(seat)
        call.seat_id, call.offer_id = seat.seat_id, offer.offer_id
        seat.engagement, seat.call_id, seat.offer_id = Engagement.OFFERED, call.call_id, offer.offer_id
        timeout = self._config.ring_timeout
        out.append(OfferCall(offer, timeout=timeout))
        out.append(StartTimer(RingTimer(offer.offer_id), at=now + timeout))

    def _withdraw_offer(self, seat: Seat, out: list[AcdCommand]) -> None:
        """The seat left (logout, pause) while ringing: stop it, the caller waits on."""
        call = self._calls[seat.call_id]  # type: ignore[index]
        out.append(CancelOffer(self._offer_of(call)))
        out.append(CancelTimer(RingTimer(call.offer_id)))  # type: ignore[arg-type]
        self._release_seat(seat)

    def _release_seat(self, seat: Seat) -> None:
        """End an unanswered offer on both sides; the call (if still queued) waits again."""
        self._book.touch(seat)
        call = self._calls.get(seat.call_id) if seat.call_id else None
        if call is not None and call.phase is CallPhase.OFFERED:
            del self._offering[call.offer_id]  # type: ignore[arg-type]
            call.move_to(CallPhase.WAITING)
            call.seat_id = call.offer_id = None
            self._waiting.add(call)
        seat.engagement, seat.call_id, seat.offer_id = Engagement.FREE, None, None

    # --- lookups and outward state --------------------------------------------------------

    def _reconfigured(self, event: Reconfigured, now: float, out: list[AcdCommand]) -> None:
        old, new = self._config, event.config
        self._config = new
        if new.strategy != old.strategy:
            self._strategy = make_strategy(new.strategy)
        self._book.reconfigure(new, order_key(self._strategy, new))  # new seats; every seat looked at again
        for seat in list(self._seats.values()):
            if not new.has_seat(seat.seat_id) and seat.logged_in:
                self._log_out(seat, out)
        for call in self._calls.values():
            if call.phase is not CallPhase.CONNECTED:
                overflow.disarm(call, out)
                overflow.arm(call, self._config, now, out)

    def _seat(self, seat_id: str) -> Seat:
        """The seat an event names, marked as touched by this event."""
        seat = self._seats.get(seat_id)
        if seat is None:
            raise UnknownSeatError(f"seat {seat_id!r} is not configured in the queue")
        self._book.touch(seat)
        return seat

    def _touched_seat(self, seat_id: str) -> Seat:
        """A seat the core is about to change (a call's seat: always known)."""
        seat = self._seats[seat_id]
        self._book.touch(seat)
        return seat

    def _current_call_of(self, offer: Offer) -> QueuedCall | None:
        call = self._call_with_offer(offer.offer_id)
        if call is not None and (call.call_id, call.seat_id) != (offer.call_id, offer.seat_id):
            raise ValueError(f"offer {offer.offer_id} does not match the core's record of it: {offer!r}")
        return call

    def _call_with_offer(self, offer_id: str) -> QueuedCall | None:
        return self._offering.get(offer_id)

    @staticmethod
    def _offer_of(call: QueuedCall) -> Offer:
        return Offer(call.offer_id, call.call_id, call.seat_id)  # type: ignore[arg-type]

    def _waiting_calls(self) -> list[QueuedCall]:
        return self._waiting.in_order()

    def _ordered_seats(self) -> list[Seat]:
        return sorted(self._seats.values(), key=lambda s: self._config.position(s.seat_id))

