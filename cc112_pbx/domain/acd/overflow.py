"""When a waiting caller may also go to the overflow seats (volunteer positions).

A caller waiting `overflow_after` seconds opens the overflow seats to itself; the core
learns the moment from an `OverflowTimer` (it never polls). `overflow_after == 0` makes
overflow seats ordinary seats, so no timer is needed; nor is one when no seat is an
overflow seat (a reconfiguration re-arms every waiting caller).
"""

from __future__ import annotations

from cc112_pbx.domain.acd.calls import QueuedCall
from cc112_pbx.domain.acd.commands import AcdCommand, CancelTimer, StartTimer
from cc112_pbx.domain.acd.config import QueueConfig
from cc112_pbx.domain.acd.events import OverflowTimer


def may_use_overflow_seats(call: QueuedCall, config: QueueConfig) -> bool:
    return config.overflow_after == 0 or call.overflow_open


def arm(call: QueuedCall, config: QueueConfig, now: float, out: list[AcdCommand]) -> None:
    """Open the overflow seats to `call` now if it waited long enough, else set its timer."""
    after = config.overflow_after
    if call.overflow_open or after == 0 or not any(s.overflow for s in config.seats):
        return
    due = call.arrived_at + after
    if due <= now:
        call.overflow_open = True
        return
    call.overflow_armed = True
    out.append(StartTimer(OverflowTimer(call.call_id), at=due))


def disarm(call: QueuedCall, out: list[AcdCommand]) -> None:
    if call.overflow_armed:
        call.overflow_armed = False
        out.append(CancelTimer(OverflowTimer(call.call_id)))


def fired(call: QueuedCall) -> None:
    """Its timer fired: the caller may now go to overflow seats too."""
    if call.overflow_armed:
        call.overflow_armed = False
        call.overflow_open = True
