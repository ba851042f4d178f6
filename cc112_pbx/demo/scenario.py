"""A seeded stream of callers and seat actions for the demo and the end-to-end tests.

Varied on purpose: most callers report and the call taker ends the call when the report is
taken; some come from SIM-less phones (no number) or withhold it (`anonymous`), some dial a
legacy number (110, 113, 118 ...), some give up while waiting (called back), a few lines drop
mid-report (called back by the seat that had them), one citizen calls again before the callback
(a repeat caller); the citizens called back answer, or are busy, or do not answer. One seat
takes a break and comes back, one logs out, one never answers its phone (auto-paused).
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field

from cc112_pbx.demo import caller_intel

LEGACY = ("110", "113", "115", "118", "119", "123")


@dataclass(frozen=True, slots=True)
class DemoCaller:
    index: int
    at: float  # seconds after the start
    number: str | None
    dialled: str
    patience: float  # hangs up if no call taker within this many seconds
    talk_time: float | None  # the line drops after this long (None: the call taker ends the call)
    kind: str = "report"  # report, abandon, drop, repeat; issue 19: prank, ghost, silent
    callback_answer: str = "answer"  # when called back: answer, busy, never
    silent: bool = False  # never speaks (talk detection hears nothing)
    dtmf: str = ""  # pressed once connected (the silent caller: 55)
    aml: str = ""  # the handset's AML position: "before" the call arrives, "during" the call, "" none


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
        kind = rng.choices(("report", "abandon", "drop"), (0.72, 0.2, 0.08))[0]
        patience = rng.uniform(1.5, 4.0) * pace if kind == "abandon" else 60.0 * pace
        talk = round(rng.uniform(1.0, 2.0) * pace, 3) if kind == "drop" else None
        answer = rng.choices(("answer", "busy", "never"), (0.7, 0.15, 0.15))[0]
        callers.append(DemoCaller(index, round(rng.uniform(0, span), 3), number, dialled, round(patience, 3), talk,
                                  kind, answer))
    callers.sort(key=lambda c: c.at)
    callers = [dataclasses.replace(c, index=i + 1) for i, c in enumerate(callers)]
    callers += _repeat_caller(callers, pace)
    callers = caller_intel.assign(callers, pace)  # issue 19: AML positions, pranks, ghost and silent callers
    actions: list[SeatAction] = []
    never = f"seat{seats:02d}" if seats >= 3 else None
    if seats >= 3:
        actions += [SeatAction(span * 0.3, "seat02", pause, "pause"),
                    SeatAction(span * 0.6, "seat02", pause, "unpause")]
    if seats >= 4:
        actions.append(SeatAction(span * 0.5, "seat03", logout, "logout"))
    return DemoScenario(tuple(callers), tuple(sorted(actions, key=lambda a: a.at)), never, seats, span)


def _repeat_caller(callers: list[DemoCaller], pace: float) -> list[DemoCaller]:
    """The first caller with a number who gave up calls again a second later, before the
    centre's callback: the new call joins the same incident and the callback is cancelled."""
    first = next((c for c in callers if c.kind == "abandon" and c.number not in (None, "anonymous")), None)
    if first is None:
        return []
    return [DemoCaller(len(callers) + 1, round(first.at + first.patience + 1.0 * pace, 3), first.number,
                       first.dialled, 60.0 * pace, None, "repeat")]
