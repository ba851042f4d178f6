"""The waiting line keeps callers in queue order as they come and go, without re-sorting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cc112_pbx.domain.acd.calls import QueuedCall
from cc112_pbx.domain.acd.waiting import WaitingLine


def _call(n: int, priority: int = 0, arrived_at: float = 0.0) -> QueuedCall:
    return QueuedCall(call_id=f"c{n}", priority=priority, arrived_at=arrived_at, sequence=n)


def test_higher_priority_first_then_earlier_arrival_then_arrival_sequence() -> None:
    line = WaitingLine()
    late_urgent, early, same_time_second, same_time_first = (
        _call(4, priority=2, arrived_at=9.0), _call(1, arrived_at=1.0), _call(3, arrived_at=5.0),
        _call(2, arrived_at=5.0),
    )
    for call in (same_time_second, early, late_urgent, same_time_first):
        line.add(call)
    assert [c.call_id for c in line] == ["c4", "c1", "c2", "c3"]


def test_a_caller_given_back_after_an_offer_takes_its_old_place() -> None:
    line = WaitingLine()
    calls = [_call(n, arrived_at=float(n)) for n in range(5)]
    for call in calls:
        line.add(call)
    line.discard(calls[2])
    assert calls[2] not in line
    line.add(calls[2])
    assert line.in_order() == calls


def test_the_same_caller_cannot_wait_twice_and_discarding_a_stranger_is_harmless() -> None:
    line = WaitingLine()
    call = _call(1)
    line.add(call)
    with pytest.raises(ValueError, match="already waiting"):
        line.add(call)
    line.discard(_call(2))
    assert len(line) == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 15), st.integers(0, 2), st.integers(0, 4)), max_size=80))
def test_any_history_of_arrivals_and_departures_leaves_the_line_sorted(
    steps: list[tuple[bool, int, int, int]],
) -> None:
    line, present, calls = WaitingLine(), set(), {}
    for arrive, n, priority, at in steps:
        call = calls.setdefault(n, _call(n, priority=priority, arrived_at=float(at)))
        if arrive and n not in present:
            line.add(call)
            present.add(n)
        elif not arrive:
            line.discard(call)
            present.discard(n)
        expected = sorted((calls[m] for m in present), key=QueuedCall.queue_key)
        assert line.in_order() == expected
        assert len(line) == len(present) and bool(line) == bool(present)
