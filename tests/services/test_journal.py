import asyncio

from structlog.testing import capture_logs

from cc112_pbx.services.journal import Journal


async def test_writes_are_applied_in_submission_order():
    applied: list[int] = []
    journal = Journal()
    await journal.start()
    for n in range(5):
        async def write(n=n):
            applied.append(n)
        journal.submit("call_row", write, n=n)
    assert await journal.flush(timeout=2)
    await journal.close()
    assert applied == [0, 1, 2, 3, 4]
    assert journal.written == 5


async def test_database_outage_delays_writes_but_loses_none_and_keeps_order():
    applied: list[str] = []
    outage = {"left": 3}

    async def flaky(name: str) -> None:
        if outage["left"] > 0:
            outage["left"] -= 1
            raise ConnectionError("database unavailable")
        applied.append(name)

    journal = Journal(min_backoff=0.001, max_backoff=0.01)
    await journal.start()
    journal.submit("incident", lambda: flaky("incident"))
    journal.submit("call", lambda: flaky("call"))
    assert await journal.flush(timeout=2)
    await journal.close()
    assert applied == ["incident", "call"]
    assert journal.failures == 3


async def test_submit_never_blocks_the_caller_while_the_database_hangs():
    release = asyncio.Event()

    async def slow() -> None:
        await release.wait()

    journal = Journal(drain_timeout=0.05)
    await journal.start()
    journal.submit("slow", slow)
    journal.submit("next", slow)  # returns at once
    assert journal.backlog == 2
    assert not await journal.flush(timeout=0.05)
    release.set()
    assert await journal.flush(timeout=1)
    await journal.close()


async def test_close_reports_what_could_not_be_written():
    async def broken() -> None:
        raise RuntimeError("disk full")

    journal = Journal(min_backoff=0.001, max_backoff=0.002, drain_timeout=0.05)
    await journal.start()
    journal.submit("recording", broken, call_id="c-1")
    with capture_logs() as logs:
        await journal.close()
    unwritten = [e for e in logs if e["event"] == "journal_unwritten"]
    assert unwritten == [{"event": "journal_unwritten", "log_level": "error", "write": "recording",
                          "attempts": unwritten[0]["attempts"], "call_id": "c-1"}]
    assert unwritten[0]["attempts"] >= 1
    assert journal.backlog == 0


async def test_a_write_the_database_refuses_is_abandoned_loudly_and_later_writes_go_through():
    applied: list[str] = []

    async def refused() -> None:
        raise ValueError("constraint failed")

    async def fine() -> None:
        applied.append("next")

    journal = Journal(min_backoff=0.001, max_backoff=0.002,
                      is_permanent=lambda exc: isinstance(exc, ValueError), permanent_attempts=2)
    await journal.start()
    with capture_logs() as logs:
        journal.submit("bad", refused, call_id="c-9")
        journal.submit("good", fine)
        assert await journal.flush(timeout=2)
    await journal.close()
    assert applied == ["next"] and journal.abandoned == 1
    assert any(e["event"] == "journal_write_abandoned" and e["call_id"] == "c-9" for e in logs)


async def test_close_stops_the_worker_even_when_a_driver_turns_the_cancellation_into_an_error():
    """asyncpg cancelled mid-query can surface as an ordinary error: the worker must stop all the same
    (a former leader of an HA pair closes its journal at once, a write in flight)."""
    started = asyncio.Event()

    async def stubborn() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise ConnectionError("connection was closed in the middle of operation") from None

    journal = Journal(min_backoff=0.001, max_backoff=0.001)
    await journal.start()
    journal.submit("call_row", stubborn)
    journal.submit("call_row", stubborn)
    await started.wait()
    with capture_logs() as logs:
        await asyncio.wait_for(journal.close(timeout=0), 2)
    assert journal.task is None
    assert [entry["event"] for entry in logs].count("journal_unwritten") == 2
