"""A seeded, reactive call stream for the ACD benchmark: a discrete-event simulation.

Callers arrive (Poisson, a load near the seats' capacity so a queue forms and drains), wait,
ring a seat that answers after a few seconds or lets it ring out, talk, and one side hangs up;
some give up while waiting. The simulated parties react to the commands the ACD returns
(ring, connect, timers), so the same driver runs the real core and the baseline. Everything a
party does is drawn per caller before the run, so both implementations see the same world;
identical decisions then give identical event streams.

Only the time spent inside `handle()` is measured (`perf_counter_ns` around each call).
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cc112_pbx.domain.acd import (
    CallArrived,
    CallerHungUp,
    CancelOffer,
    CancelTimer,
    ConnectCall,
    OfferAnswered,
    OfferCall,
    QueueConfig,
    SeatConfig,
    SeatHungUp,
    SeatLoggedIn,
    StartTimer,
    TimerFired,
)

RING_TIMEOUT = 15.0
WRAPUP = 10.0
MEAN_TALK = 90.0
MAX_ATTEMPTS = 16


@dataclass(frozen=True, slots=True)
class Caller:
    call_id: str
    at: float
    priority: int
    patience: float  # gives up after waiting this long
    talk: float
    seat_hangs_up: bool
    answer_delays: tuple[float | None, ...]  # per offer of this caller: seconds to answer, None = rings out


@dataclass(slots=True)
class StreamResult:
    events: int = 0
    handle_ns: list[int] = field(default_factory=list)
    offers: list[tuple[str, str]] = field(default_factory=list)  # (offer_id, seat_id) in order
    peak_waiting: int = 0
    answered: int = 0
    abandoned: int = 0


def queue_config(seats: int) -> QueueConfig:
    return QueueConfig(seats=tuple(SeatConfig(f"seat{n:03d}") for n in range(1, seats + 1)),
                       strategy="longest_idle", ring_timeout=RING_TIMEOUT, wrapup_time=WRAPUP,
                       auto_pause_after_missed=0, overflow_after=0)


def build_callers(calls: int, seats: int, seed: int, load: float = 1.0) -> list[Caller]:
    """`calls` callers arriving at `load` times what `seats` can take on average."""
    rng = random.Random(seed)
    rate = load * seats / (MEAN_TALK + WRAPUP + 4.0)
    at, callers = 0.0, []
    for n in range(calls):
        at += rng.expovariate(rate)
        delays = tuple(None if rng.random() < 0.05 else rng.uniform(1.0, 8.0) for _ in range(MAX_ATTEMPTS))
        callers.append(Caller(
            call_id=f"call-{n}", at=at, priority=1 if rng.random() < 0.1 else 0,
            patience=rng.uniform(5.0, 30.0) if rng.random() < 0.15 else 3600.0,
            talk=rng.expovariate(1.0 / MEAN_TALK) + 5.0, seat_hangs_up=rng.random() < 0.5,
            answer_delays=delays))
    return callers


def run_stream(acd: Any, seats: int, callers: list[Caller],
               clock: Callable[[], int] = time.perf_counter_ns) -> StreamResult:
    """Feed `acd` (anything with `handle(event, now)`) the whole stream; return what it did."""
    sim = _Simulation(acd, callers, clock)
    for n in range(1, seats + 1):
        sim.push(0.0, SeatLoggedIn(f"seat{n:03d}"))
    for caller in callers:
        sim.push(caller.at, CallArrived(caller.call_id, priority=caller.priority))
        sim.push(caller.at + caller.patience, ("patience", caller.call_id))
    sim.run()
    return sim.result


class _Simulation:
    def __init__(self, acd: Any, callers: list[Caller], clock: Callable[[], int]) -> None:
        self.acd = acd
        self.clock = clock
        self.callers = {c.call_id: c for c in callers}
        self.heap: list[tuple[float, int, Any]] = []
        self.seq = 0
        self.timers: dict[Any, int] = {}  # running timer key -> its token
        self.cancelled_offers: set[str] = set()
        self.attempts: dict[str, int] = {}
        self.connected: set[str] = set()
        self.ended: set[str] = set()
        self.waiting = 0
        self.result = StreamResult()

    def push(self, at: float, item: Any) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, item))

    def run(self) -> None:
        while self.heap:
            now, seq, item = heapq.heappop(self.heap)
            event = self._event_of(item, seq)
            if event is not None:
                self._feed(event, now)

    def _event_of(self, item: Any, seq: int) -> Any:
        if not isinstance(item, tuple):
            if isinstance(item, CallArrived):
                self.waiting += 1
                self.result.peak_waiting = max(self.result.peak_waiting, self.waiting)
            return item
        kind, value = item
        if kind == "timer":
            key, token = value
            return TimerFired(key) if self.timers.pop(key, None) == token else None
        if kind == "answer":
            return None if value.offer_id in self.cancelled_offers else OfferAnswered(value)
        if kind == "patience":
            if value in self.connected or value in self.ended:
                return None
            self._end(value, answered=False)
            return CallerHungUp(value)
        if value in self.ended:  # "talked": the conversation ends, one side hangs up
            return None
        self._end(value, answered=True)
        return SeatHungUp(value) if self.callers[value].seat_hangs_up else CallerHungUp(value)

    def _end(self, call_id: str, answered: bool) -> None:
        self.ended.add(call_id)
        if answered:
            self.result.answered += 1
        else:
            self.waiting -= 1
            self.result.abandoned += 1

    def _feed(self, event: Any, now: float) -> None:
        start = self.clock()
        commands = self.acd.handle(event, now)
        self.result.handle_ns.append(self.clock() - start)
        self.result.events += 1
        for command in commands:
            self._react(command, now)

    def _react(self, command: Any, now: float) -> None:
        if isinstance(command, OfferCall):
            offer = command.offer
            self.result.offers.append((offer.offer_id, offer.seat_id))
            attempt = self.attempts.get(offer.call_id, 0)
            self.attempts[offer.call_id] = attempt + 1
            delays = self.callers[offer.call_id].answer_delays
            delay = delays[attempt % len(delays)]
            if delay is not None and delay < command.timeout:
                self.push(now + delay, ("answer", offer))
        elif isinstance(command, StartTimer):
            self.seq += 1
            self.timers[command.key] = self.seq
            self.push(command.at, ("timer", (command.key, self.seq)))
        elif isinstance(command, CancelTimer):
            self.timers.pop(command.key, None)
        elif isinstance(command, CancelOffer):
            self.cancelled_offers.add(command.offer.offer_id)
        elif isinstance(command, ConnectCall):
            call_id = command.offer.call_id
            self.connected.add(call_id)
            self.waiting -= 1
            self.push(now + self.callers[call_id].talk, ("talked", call_id))
