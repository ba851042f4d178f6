"""What the demo measured: outcomes from the database, experience from the emulator's timeline.

`free_to_ring_ms`: for every seat that became free while a caller was waiting, the delay until
that seat's softphone rang, as the emulator saw it. A seat becomes free when its wrap-up ends:
the end of its conversation (whichever leg hung up first, as the emulator saw it) plus the
configured wrap-up time. Hand-overs where the seat dialled a feature code in between (a pause)
are left out. Asterisk's app_queue would add up to `retry` (5 s by default) here.
"""

from __future__ import annotations

import itertools
import wave
from collections import Counter
from typing import Any

from cc112_pbx.bench.stats import percentile
from cc112_pbx.domain.callbacks import CallbackStatus
from cc112_pbx.domain.caller import callback_number
from cc112_pbx.emulator.timeline import SimulatedCall, Timeline


def free_to_ring_delays(timeline: Timeline, wrapup: float) -> list[float]:
    """Seconds from a seat becoming free, with a caller waiting, to that seat ringing for it.

    A hand-over counts when the seat's next call came from a caller who was already waiting
    when the seat became free, unless that caller was at that moment ringing a seat that never
    answered (the ACD offers a call to one seat at a time: such a caller comes to the free seat
    only after its ring timeout). Hand-overs where the seat dialled a feature code in between
    (a pause) are left out."""
    by_inbound = {c.inbound_id: c for c in timeline.calls}
    legs_by_seat: dict[str, list[Any]] = {}
    own_calls: dict[str, list[float]] = {}  # the seat's own feature-code calls (*13 pause ...)
    for leg in timeline.seat_legs:
        if leg.rang_at is not None:
            legs_by_seat.setdefault(leg.seat, []).append(leg)
        else:
            own_calls.setdefault(leg.seat, []).append(leg.created_at)
    delays: list[float] = []
    for seat, legs in legs_by_seat.items():
        legs.sort(key=lambda leg: leg.created_at)
        for previous, nxt in itertools.pairwise(legs):
            if previous.answered_at is None or previous.ended_at is None or nxt.rang_at is None:
                continue
            caller = _caller_of(previous, by_inbound)
            end = previous.ended_at if caller is None or caller.ended_at is None else min(
                previous.ended_at, caller.ended_at)
            free_at = end + wrapup
            waiting = _caller_of(nxt, by_inbound)
            if waiting is None or waiting.stasis_at is None or waiting.stasis_at >= free_at:
                continue  # the seat rang for a caller who arrived after it was free
            if any(end - 0.1 <= at <= nxt.created_at for at in own_calls.get(seat, ())):
                continue  # the seat paused or logged out itself in between: not a hand-over
            if _rang_out_just_before(timeline, free_at, nxt.created_at):
                continue  # the caller was ringing a seat that never answered, not waiting
            delays.append(max(0.0, nxt.rang_at - free_at))
    return delays


def _caller_of(leg: Any, by_inbound: dict[str, SimulatedCall]) -> SimulatedCall | None:
    return next((by_inbound[c] for c in leg.bridged_with if c in by_inbound), None)


def _rang_out_just_before(timeline: Timeline, free_at: float, offered_at: float) -> bool:
    """A seat phone that was ringing when the seat became free rang out unanswered right before
    this offer: most likely the same caller, re-offered after its ring timeout."""
    return any(leg.rang_at is not None and leg.rang_at <= free_at and leg.answered_at is None
               and leg.ended_at is not None and free_at <= leg.ended_at <= offered_at + 0.01
               for leg in timeline.seat_legs)


def service_level(calls: list[SimulatedCall], within: float) -> float:
    if not calls:
        return 0.0
    answered = [c for c in calls if c.connected_at is not None and c.connected_at - c.placed_at <= within]
    return round(len(answered) / len(calls), 3)


def recording_seconds(path: str) -> float | None:
    try:
        with wave.open(path) as wav:
            return wav.getnframes() / float(wav.getframerate())
    except (OSError, wave.Error, EOFError):
        return None


FINAL_CALLBACK_STATUSES = (CallbackStatus.DONE, CallbackStatus.EXHAUSTED, CallbackStatus.CANCELLED)


async def summarize(db: Any, timeline: Timeline, *, wrapup: float, database: str,
                    ghost_after: float = 0.0) -> dict[str, Any]:
    """The run's figures, counted from the database (service level and `free_to_ring_ms` from the
    emulator's timeline). `calls` are the inbound citizen calls; `answered` those that reached a
    call taker, `dropped` among them (answered calls whose line dropped mid-report); `abandoned`
    those who hung up before any call taker answered; `ghost_calls` those of them shorter than
    `ghost_after` seconds (the ghost-call threshold: by policy not called back).
    `summary_problems` says whether they add up."""
    incidents = await db.incidents.recent(limit=100000)
    inbound, callback_legs = [], []
    for incident in incidents:
        for call in await db.calls.for_incident(incident.id):
            (inbound if call.direction == "inbound" else callback_legs).append(call)
    by_incident = Counter(c.incident_id for c in inbound)
    answered = [c for c in inbound if c.outcome in ("answered", "dropped")]
    abandoned = [c for c in inbound if c.outcome == "abandoned"]
    dropped = [c for c in inbound if c.outcome == "dropped"]
    files = {call.id: [r.path for r in await db.recordings.for_call(call.id)] for call in inbound + callback_legs}
    with_recording = sum(1 for call in answered if any((recording_seconds(p) or 0) > 0 for p in files[call.id]))
    recordings = sum(1 for paths in files.values() for p in paths if recording_seconds(p) is not None)
    callbacks = await db.callbacks.with_status(*CallbackStatus)
    outcomes: Counter[str] = Counter()
    for callback in callbacks:
        outcomes.update(str(a.outcome) for a in await db.callbacks.attempts(callback.id) if a.outcome)
    # every abandoned or dropped caller with a callable number: how their callback ended
    callback_of = {c.call_id: c for c in callbacks if c.call_id}
    ghosts = {c.id for c in abandoned if c.ended_at is not None and ghost_after > 0
              and (c.ended_at - c.arrived_at).total_seconds() < ghost_after}
    due = [c for c in abandoned + dropped if callback_number(c.caller_number) is not None and c.id not in ghosts]
    results = Counter(str(callback_of[c.id].status) if c.id in callback_of else "missing" for c in due)
    delays_ms = [d * 1000 for d in free_to_ring_delays(timeline, wrapup)]
    return {
        "calls": len(timeline.calls),
        "stored_calls": len(inbound),
        "incidents": len(incidents),
        "repeat_calls": sum(n - 1 for n in by_incident.values() if n > 1),
        "answered": len(answered),
        "dropped": len(dropped),
        "abandoned": len(abandoned),
        "ghost_calls": len(ghosts),
        "other_outcomes": sum(1 for c in inbound if c.outcome not in ("answered", "dropped", "abandoned")),
        "no_callback": sum(1 for c in callbacks if c.status == CallbackStatus.SUPERVISOR),
        "callbacks": {str(outcome): n for outcome, n in sorted(outcomes.items())},
        "callbacks_scheduled": sum(1 for c in callbacks if c.status != CallbackStatus.SUPERVISOR),
        "callback_due": len(due),
        "callback_results": dict(sorted(results.items())),
        "recordings": recordings,
        "answered_with_recording": with_recording,
        "no_callback_callers": sum(1 for i in incidents if i.no_callback),
        "categories": dict(sorted(Counter(str(i.category) for i in incidents if i.category).items())),
        "service_level": {f"{s}s": service_level(timeline.calls, s) for s in (10, 15, 20)},
        "free_to_ring_ms": {
            "p50": _ms(percentile(delays_ms, 50)), "p99": _ms(percentile(delays_ms, 99)), "n": len(delays_ms),
        },
        "database": database,
    }


def summary_problems(result: dict[str, Any]) -> list[str]:
    """What does not add up in a summary (empty: everything does)."""
    problems = []
    calls, answered, abandoned = result["calls"], result["answered"], result["abandoned"]
    if result["stored_calls"] != calls:
        problems.append(f"{calls} calls placed but {result['stored_calls']} stored")
    if answered + abandoned != calls:
        problems.append(f"calls {calls} != answered {answered} + abandoned {abandoned}")
    if result["dropped"] > answered:
        problems.append(f"dropped {result['dropped']} > answered {answered}")
    if result["incidents"] + result["repeat_calls"] != calls:
        problems.append(f"incidents {result['incidents']} + repeat calls {result['repeat_calls']} != calls {calls}")
    unfinished = {k: n for k, n in result["callback_results"].items()
                  if k not in {str(s) for s in FINAL_CALLBACK_STATUSES}}
    if unfinished:
        problems.append(f"abandoned or dropped callers with a number and no callback outcome: {unfinished}")
    if sum(result["callback_results"].values()) != result["callback_due"]:
        problems.append("callback results do not cover every caller due a callback")
    if result["answered_with_recording"] != answered:
        problems.append(f"{answered - result['answered_with_recording']} answered calls without a recording")
    return problems


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
