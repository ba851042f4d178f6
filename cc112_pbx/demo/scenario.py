"""A seeded stream of callers and seat actions for the demo and the end-to-end tests.

Varied on purpose: most callers have a mobile number, some come from SIM-less phones (no number)
or withhold it (`anonymous`), some dial a legacy number (110, 113, 118 ...), some give up while
waiting; one seat takes a break and comes back, one logs out, one never answers its phone (so
it is auto-paused after missed offers).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

LEGACY = ("110", "113", "115", "118", "119", "123")


@dataclass(frozen=True, slots=True)
class DemoCaller:
    index: int
    at: float  # seconds after the start
    number: str | None
    dialled: str
    patience: float  # hangs up if no call taker within this many seconds
    talk_time: float  # hangs up after talking this long


@dataclass(frozen=True, slots=True)
class SeatAction:
    at: float
    seat: str
    code: str  # feature code dialled from the softphone
    what: str


@dataclass(frozen=True, slots=True)
class DemoScenario:
    callers: tuple[DemoCaller, ...]
    seat_actions: tuple[SeatAction, ...]
    never_answering_seat: str | None
    seats: int
    duration: float = field(default=0.0)


def build_scenario(calls: int, seats: int, seed: int, *, login: str = "*11", logout: str = "*12",
                   pause: str = "*13", pace: float = 1.0) -> DemoScenario:
    """`calls` callers over a span that keeps the seats busy with a queue now and then.

    `pace` scales every time (1.0: calls of a few seconds, a run of about half a minute for 40
    calls on 10 seats)."""
    rng = random.Random(seed)
    mean_talk = 3.0 * pace
    capacity = max(1, seats - 1) / (mean_talk + 1.0)  # calls per second the seats can take
    span = calls / (capacity * 1.3)  # arrivals slightly faster than capacity: queues form
    callers = []
    for index in range(1, calls + 1):
        roll = rng.random()
        if roll < 0.10:
            number: str | None = None  # SIM-less phone: no caller number at all
        elif roll < 0.15:
            number = "anonymous"
        else:
            number = f"+628{rng.randint(11, 99)}{rng.randint(1000000, 9999999)}"
        dialled = rng.choice(LEGACY) if rng.random() < 0.15 else "112"
        patience = rng.uniform(1.0, 4.0) * pace if rng.random() < 0.25 else 60.0 * pace
        callers.append(DemoCaller(index, round(rng.uniform(0, span), 3), number, dialled,
                                  round(patience, 3), round(rng.uniform(1.5, 4.5) * pace, 3)))
    callers.sort(key=lambda c: c.at)
    callers = [DemoCaller(i + 1, c.at, c.number, c.dialled, c.patience, c.talk_time) for i, c in enumerate(callers)]
    actions: list[SeatAction] = []
    never = f"seat{seats:02d}" if seats >= 3 else None
    if seats >= 3:
        actions += [SeatAction(span * 0.3, "seat02", pause, "pause"),
                    SeatAction(span * 0.6, "seat02", pause, "unpause")]
    if seats >= 4:
        actions.append(SeatAction(span * 0.5, "seat03", logout, "logout"))
    return DemoScenario(tuple(callers), tuple(sorted(actions, key=lambda a: a.at)), never, seats, span)
