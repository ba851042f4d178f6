"""The fakes themselves: a test that trusts a double must be able to trust what it records."""

from __future__ import annotations

import pytest

from cc112_pbx.domain.telephony_errors import AlreadyQueueMember, NotQueueMember, TargetGone
from tests.services.fakes import FakeCallControl, FakeClock, FakeFallbackQueue, FakeStore, FakeTimers, NotFound


async def test_a_chosen_error_is_raised_as_often_as_asked_for_matching_calls_only_and_recorded():
    control = FakeCallControl()
    control.fail("hang_up", TargetGone("gone"), times=1, when=lambda a: a["channel_id"] == "c2")

    await control.hang_up("c1")
    with pytest.raises(TargetGone):
        await control.hang_up("c2")
    await control.hang_up("c2")

    assert [c["channel_id"] for c in control.log] == ["c1", "c2", "c2"]
    assert [c["channel_id"] for c in control.failed] == ["c2"]


async def test_heal_stops_the_failures_and_a_wildcard_fails_every_method():
    store = FakeStore()
    store.fail("*", ConnectionError("down"))
    with pytest.raises(ConnectionError):
        await store.seats.set_logged_in("seat01", True, FakeClock().wall())

    store.heal()
    await store.seats.set_logged_in("seat01", True, FakeClock().wall())

    assert store.writes == ["seats.set_logged_in"]
    with pytest.raises(NotFound):
        await store.calls.end("nobody", FakeClock().wall(), None)


async def test_the_fallback_queue_refuses_a_second_add_and_removing_a_stranger_like_asterisk():
    fallback = FakeFallbackQueue()
    await fallback.add("PJSIP/seat01", seat_id="seat01", paused=False)

    with pytest.raises(AlreadyQueueMember):
        await fallback.add("PJSIP/seat01", seat_id="seat01", paused=False)
    await fallback.remove("PJSIP/seat01")
    with pytest.raises(NotQueueMember):
        await fallback.remove("PJSIP/seat01")


def test_fake_timers_give_the_earliest_due_key_and_a_restart_replaces_the_deadline():
    timers = FakeTimers()
    timers.start("a", 10.0)
    timers.start("b", 5.0)
    timers.start("a", 20.0)
    timers.cancel("b")

    assert timers.next_due(15.0) is None
    assert timers.next_due(20.0) == ("a", 20.0)
