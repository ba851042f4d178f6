"""A call's life in the queue allows only the paths that end in exactly one outcome."""

from __future__ import annotations

import pytest

from cc112_pbx.domain.acd import CallPhase, IllegalTransition
from cc112_pbx.domain.acd.calls import QueuedCall


def call() -> QueuedCall:
    return QueuedCall(call_id="c1", priority=0, arrived_at=0.0, sequence=1)


def test_call_goes_from_waiting_through_offers_to_connected_and_ended():
    c = call()
    for phase in (
        CallPhase.OFFERED,
        CallPhase.WAITING,
        CallPhase.OFFERED,
        CallPhase.CONNECTED,
        CallPhase.ENDED,
    ):
        c.move_to(phase)
    assert c.phase is CallPhase.ENDED


def test_ended_call_cannot_end_again_or_come_back():
    c = call()
    c.move_to(CallPhase.ENDED)
    for phase in CallPhase:
        with pytest.raises(IllegalTransition, match="c1"):
            c.move_to(phase)


def test_connected_call_goes_back_to_the_queue_only_to_wait_and_waiting_call_cannot_skip_the_offer():
    c = call()
    with pytest.raises(IllegalTransition):
        c.move_to(CallPhase.CONNECTED)
    c.move_to(CallPhase.OFFERED)
    c.move_to(CallPhase.CONNECTED)
    with pytest.raises(IllegalTransition):
        c.move_to(CallPhase.OFFERED)
    c.move_to(CallPhase.WAITING)  # its seat was lost before the two were bridged


def test_higher_priority_sorts_first_then_earlier_arrival():
    a = QueuedCall("a", priority=0, arrived_at=1.0, sequence=1)
    b = QueuedCall("b", priority=3, arrived_at=5.0, sequence=2)
    c = QueuedCall("c", priority=0, arrived_at=1.0, sequence=3)
    assert [x.call_id for x in sorted([c, a, b], key=QueuedCall.queue_key)] == ["b", "a", "c"]
