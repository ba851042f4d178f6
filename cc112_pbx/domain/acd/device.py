"""From a seat device's state to what the ACD core needs to know: may it be rung?

Only an idle, registered device is rung. In use (also by our own offer or call: the core
is not disturbed by that, see `SeatUnreachable`), unregistered or invalid devices are not.
`UNKNOWN` counts as reachable, as in Asterisk's app_queue: better one failed attempt than
an unused seat on an emergency line.
"""

from __future__ import annotations

from cc112_pbx.domain.acd.events import SeatReachable, SeatUnreachable
from cc112_pbx.domain.telephony import DeviceState

_UNREACHABLE_REASONS: dict[DeviceState, str] = {
    DeviceState.UNAVAILABLE: "unregistered",
    DeviceState.INVALID: "invalid",
    DeviceState.INUSE: "in_use",
    DeviceState.BUSY: "in_use",
    DeviceState.RINGING: "in_use",
    DeviceState.RINGINUSE: "in_use",
    DeviceState.ONHOLD: "in_use",
}


def reachability_event(seat_id: str, state: DeviceState) -> SeatReachable | SeatUnreachable:
    """The event to feed the core when the seat's device (its dial string) reports `state`."""
    reason = _UNREACHABLE_REASONS.get(state)
    if reason is None:
        return SeatReachable(seat_id)
    return SeatUnreachable(seat_id, reason=reason)
