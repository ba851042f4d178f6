"""A seeded stream of callers and seat actions for the demo and the end-to-end tests.

Varied on purpose, on a compressed clock (a conversation of minutes takes a few seconds;
`pace` stretches every time, `1 / --speed`): most callers make a genuine report in one of
several categories (police, medical, fire, traffic, disaster...; a legacy number such as 110,
113 or 118 pre-tags it) and the call taker ends the call when the report is taken; some come
from SIM-less phones (no number) or withhold it (`anonymous`), some give up while waiting
(called back), a few lines drop mid-report (called back by the seat that had them), one citizen
calls again before the callback (a repeat caller); a burst of callers (a flood night) fills the
queue for a while. The citizens called back answer, or are busy, or do not answer. One seat
takes a break (*13) and comes back, one logs out (*12), one never answers its phone (auto-paused).

Other demo modules add their own kinds of caller (prank, ghost, silent, AML positions) by
appending `DemoCaller`s with their `kind` (see docs/contracts.md, "Demo").
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import Any

from cc112_pbx.demo import caller_intel
from cc112_pbx.domain.categories import Category, category_for_dialled

LEGACY = ("110", "113", "115", "118", "119", "123")
# what citizens of Semarang report on 112, roughly by how often (the call taker sets the category)
REPORTS: tuple[tuple[Category, float, str], ...] = (
    (Category.MEDICAL, 0.22, "warga pingsan, butuh ambulans"),
    (Category.TRAFFIC, 0.18, "kecelakaan motor di persimpangan"),
    (Category.POLICE, 0.16, "pencurian di rumah warga"),
    (Category.FIRE, 0.12, "kebakaran rumah, asap tebal"),
    (Category.DISASTER, 0.10, "banjir rob masuk rumah"),
    (Category.PUBLIC_ORDER, 0.08, "keributan warga di jalan"),
    (Category.ELECTRICITY, 0.06, "kabel listrik putus di jalan"),
    (Category.WATER, 0.04, "pipa PDAM pecah"),
    (Category.SEARCH_AND_RESCUE, 0.04, "anak hilang di sungai"),
)
PLACES = ("Jl. Pemuda, Sekayu", "Simpang Lima", "Jl. Pandanaran", "Tugu Muda", "Jl. Gajahmada", "Banyumanik",
          "Tembalang", "Pelabuhan Tanjung Emas", "Kota Lama", "Ngaliyan", "Genuk", "Pedurungan")
REPEAT_FIRST_PATIENCE = 1.5  # seconds at least: the repeat caller gives up on the first call
MIN_PATIENCE = 1.2  # seconds: longer than the demo's ghost-call threshold (1 s) whatever the speed
BURST_SHARE = 0.3  # of the callers, in the flood night's burst
BURST_AT = 0.55  # the burst's place in the run (share of the span)


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
    category: str | None = None  # what the report is about: the call taker sets it on the incident
    description: str = ""
    address: str = ""
    burst: bool = False  # one of the flood night's burst
    # more of the emulator's `CallerBehaviour` for `place_call` (other demo parts: {"dtmf": "55"}, ...)
    behaviour: dict[str, Any] = field(default_factory=dict)
    silent: bool = False  # never speaks (talk detection hears nothing)
    dtmf: str = ""  # pressed once connected
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
    burst_at: float | None = None  # when the flood night's burst begins (None: no burst)


def build_scenario(calls: int, seats: int, seed: int, *, login: str = "*11", logout: str = "*12",
                   pause: str = "*13", pace: float = 1.0) -> DemoScenario:
    """`calls` callers over a span that keeps the seats busy with a queue now and then, about a third
    of them (from 8 callers on) in one burst that fills the queue.

    `pace` scales every time (1.0: calls of a few seconds, a run of about half a minute for 40
    calls on 10 seats; 0.5: twice as fast)."""
    rng = random.Random(seed)
    mean_talk = 3.0 * pace
    capacity = max(1, seats - 1) / (mean_talk + 1.0)  # calls per second the seats can take
    burst = int(calls * BURST_SHARE) if calls >= 8 else 0
    steady = calls - burst
    span = steady / (capacity * 1.15)  # arrivals slightly faster than capacity: queues form
    burst_at = round(span * BURST_AT, 3)
    callers = []
    for index in range(1, calls + 1):
        in_burst = index > steady
        at = burst_at + rng.uniform(0, 1.0 * pace) if in_burst else rng.uniform(0, span)
        callers.append(_caller(rng, index, round(at, 3), pace, in_burst))
    callers.sort(key=lambda c: c.at)
    callers = _every_kind(callers, pace)
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
    return DemoScenario(tuple(callers), tuple(sorted(actions, key=lambda a: a.at)), never, seats, span,
                        burst_at if burst else None)


def _caller(rng: random.Random, index: int, at: float, pace: float, in_burst: bool) -> DemoCaller:
    roll = rng.random()
    if roll < 0.10:
        number: str | None = None  # SIM-less phone: no caller number at all
    elif roll < 0.15:
        number = "anonymous"
    else:
        number = f"+628{rng.randint(11, 99)}{rng.randint(1000000, 9999999)}"
    dialled = rng.choice(LEGACY) if rng.random() < 0.15 else "112"
    kind = rng.choices(("report", "abandon", "drop"), (0.72, 0.2, 0.08))[0]
    if kind == "abandon":  # impatient: gives up after a few seconds (on a flood night a little later)
        patience = rng.uniform(3.0, 6.0) * pace if in_burst else rng.uniform(1.5, 4.0) * pace
        patience = max(MIN_PATIENCE, patience)  # a shorter call would be a ghost call, not called back
    else:
        patience = 60.0 * pace
    talk = round(rng.uniform(1.0, 2.0) * pace, 3) if kind == "drop" else None
    answer = rng.choices(("answer", "busy", "never"), (0.7, 0.15, 0.15))[0]
    hinted = category_for_dialled(dialled)
    category, _weight, description = rng.choices(REPORTS, [w for _, w, _ in REPORTS])[0]
    if hinted is not None:  # a legacy number's caller reports what that number is for
        category, description = hinted, next((d for c, _, d in REPORTS if c == hinted), description)
    return DemoCaller(index, at, number, dialled, round(patience, 3), talk, kind, answer, category.value,
                      description, rng.choice(PLACES), in_burst)


def _every_kind(callers: list[DemoCaller], pace: float) -> list[DemoCaller]:
    """Whatever the seed, from 4 callers on: a line that drops mid-report (a caller with a number,
    early on) and a SIM-less caller who gives up (in the burst, if any: on the supervisor's
    no-callback list)."""
    if len(callers) < 4:
        return callers
    callers = list(callers)
    if not any(c.kind == "drop" and c.number not in (None, "anonymous") for c in callers):
        i = next((i for i, c in enumerate(callers) if c.number not in (None, "anonymous") and not c.burst), None)
        if i is not None:
            callers[i] = dataclasses.replace(callers[i], kind="drop", talk_time=round(1.5 * pace, 3))
    if not any(c.kind == "abandon" and c.number is None for c in callers):
        # the burst's last caller: at the back of a full queue
        pool = [i for i, c in enumerate(callers) if c.burst] or list(range(len(callers) // 2, len(callers)))
        last = max(callers[i].at for i in pool)
        i = next((i for i in reversed(pool) if callers[i].number is None), pool[-1])
        callers[i] = dataclasses.replace(callers[i], number=None, kind="abandon", talk_time=None,
                                         at=round(last + 0.05 * pace, 3), patience=round(max(1.5, 2.0 * pace), 3))
        callers.sort(key=lambda c: c.at)
    return callers


def _repeat_caller(callers: list[DemoCaller], pace: float) -> list[DemoCaller]:
    """A caller with a number gives up while waiting (the last of the flood night's burst: the back
    of a full queue) and calls again a second later, before the centre's callback: the new call
    joins the same incident and the callback is cancelled. Without a burst: the first impatient
    caller with a number."""
    with_number = [i for i, c in enumerate(callers) if c.number not in (None, "anonymous")]
    burst = [i for i in with_number if callers[i].burst]
    abandon = [i for i in with_number if callers[i].kind == "abandon"]
    index = burst[-1] if burst else (abandon[0] if abandon else None)
    if index is None:
        return []
    # longer than the ghost-call threshold (1 s in the demo: a shorter call is not called back)
    patience = max(REPEAT_FIRST_PATIENCE, 2.0 * pace)
    first = callers[index] = dataclasses.replace(callers[index], kind="abandon", patience=round(patience, 3))
    return [DemoCaller(len(callers) + 1, round(first.at + first.patience + 1.0 * pace, 3), first.number,
                       first.dialled, 60.0 * pace, None, "repeat", category=first.category,
                       description=first.description, address=first.address)]
