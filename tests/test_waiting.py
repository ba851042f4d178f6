"""`tests.waiting.wait_until`: returns what the predicate found, or fails saying what never happened."""

import pytest

from tests.waiting import wait_until


async def test_wait_until_returns_the_first_truthy_value_of_a_plain_predicate():
    seen = []

    def grows():
        seen.append(len(seen))
        return seen[-1] if len(seen) >= 3 else 0

    assert await wait_until(grows, timeout=1, interval=0) == 2


async def test_wait_until_awaits_a_predicate_that_returns_an_awaitable():
    async def stored():
        return {"id": 7}

    assert await wait_until(stored, timeout=1) == {"id": 7}


async def test_wait_until_fails_as_an_assertion_naming_what_was_awaited():
    with pytest.raises(AssertionError, match=r"gave up after 0\.05s waiting until the seat rang \(last value: \[\]\)"):
        await wait_until(lambda: [], timeout=0.05, what="the seat rang")
