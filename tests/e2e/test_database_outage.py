"""Principle 1: a database that cannot be written never delays a call; what was known is written later."""

import sqlite3

from cc112_pbx.harness import Switchboard


async def test_a_call_is_answered_and_connected_while_the_database_is_locked_and_stored_afterwards(tmp_path):
    async with Switchboard(tmp_path, seats=1) as sb:
        controller = sb.controller
        await controller.request(lambda: controller.seats.login("seat01"))
        await sb.app.journal.flush(timeout=5)
        blocker = sqlite3.connect(sb.database_url.split("///", 1)[1], isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")  # another process holds the database: every write waits
        try:
            call = sb.emulator.place_call(number="+6281277778888", talk_time=0.3)
            await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=3)
            assert call.connected_at is not None and call.seat == "seat01"
            assert call.connected_at - call.placed_at < 1.0  # not held up by the database
            assert sb.app.journal.backlog > 0  # what was learnt is waiting to be written
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await sb.settled(timeout=10)  # everything learnt during the lock is written now
        [incident] = await sb.app.db.incidents.recent()
        [stored] = [c for c in await sb.app.db.calls.for_incident(incident.id) if c.direction == "inbound"]
        assert stored.outcome == "dropped" and stored.seat_id == "seat01"
        assert len(await sb.app.db.recordings.for_call(stored.id)) == 1
