"""A seat device's state decides whether the core may ring it."""

from __future__ import annotations

import pytest
from acd_driver import AcdDriver, config

from cc112_pbx.domain.acd import CallArrived, SeatLoggedIn, SeatReachable, SeatUnreachable
from cc112_pbx.domain.acd.device import reachability_event
from cc112_pbx.domain.telephony import DeviceState


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (DeviceState.NOT_INUSE, SeatReachable("seat01")),
        (DeviceState.UNKNOWN, SeatReachable("seat01")),
        (DeviceState.UNAVAILABLE, SeatUnreachable("seat01", "unregistered")),
        (DeviceState.INVALID, SeatUnreachable("seat01", "invalid")),
        (DeviceState.INUSE, SeatUnreachable("seat01", "in_use")),
        (DeviceState.BUSY, SeatUnreachable("seat01", "in_use")),
        (DeviceState.RINGING, SeatUnreachable("seat01", "in_use")),
        (DeviceState.RINGINUSE, SeatUnreachable("seat01", "in_use")),
        (DeviceState.ONHOLD, SeatUnreachable("seat01", "in_use")),
    ],
)
def test_only_an_idle_registered_device_may_be_rung(state, event):
    assert reachability_event("seat01", state) == event


def test_softphone_that_unregisters_is_not_rung_and_gets_the_caller_when_it_registers_again():
    sb = AcdDriver.of(config("seat01"))
    sb.feed(SeatLoggedIn("seat01"))
    sb.feed(reachability_event("seat01", DeviceState.UNAVAILABLE))
    sb.feed(CallArrived("c1"))
    assert sb.ringing == {}
    sb.feed(reachability_event("seat01", DeviceState.NOT_INUSE))
    assert sb.offer_for("c1").seat_id == "seat01"
