import asyncio

from cc112_pbx.settings import SeatSettings


def seat(seat_id, name=None, dial=None, overflow=False):
    dial_string = dial or f"PJSIP/{seat_id}"
    return SeatSettings(id=seat_id, name=name or seat_id, dial_string=dial_string, overflow=overflow)


async def test_seat_sync_adds_updates_and_removes_but_keeps_login_state(db, at):
    await db.seats.sync([seat("seat01"), seat("seat02"), seat("seat03")], at(0))
    await db.seats.set_logged_in("seat01", True, at(1))
    await db.seats.set_paused("seat01", "break", at(2))
    synced = await db.seats.sync([seat("seat01", name="Meja 1", dial="Local/seat01@test"), seat("seat02"),
                                  seat("seat04", overflow=True)], at(10))
    assert [s.id for s in synced] == ["seat01", "seat02", "seat04"]
    first = synced[0]
    assert (first.name, first.dial_string, first.logged_in, first.paused_reason) == (
        "Meja 1", "Local/seat01@test", True, "break")
    assert first.updated_at == at(10)
    assert synced[2].overflow is True and synced[2].logged_in is False
    assert synced[1].updated_at == at(0)  # unchanged seat: untouched


async def test_seat_login_pause_and_logout(db, at):
    await db.seats.sync([seat("seat01")], at(0))
    assert (await db.seats.get("seat01")).logged_in is False
    await db.seats.set_logged_in("seat01", True, at(1))
    paused = await db.seats.set_paused("seat01", "auto:missed", at(2))
    assert paused.paused and paused.paused_reason == "auto:missed"
    assert not (await db.seats.set_paused("seat01", None, at(3))).paused
    await db.seats.set_paused("seat01", "break", at(4))
    out = await db.seats.set_logged_in("seat01", False, at(5))
    assert out.logged_in is False and out.paused_reason is None
    assert await db.seats.get("nope") is None


async def test_queue_config_starts_empty_and_every_change_is_a_new_version(db, at):
    assert await db.queue_config.current() is None
    first = await db.queue_config.save({"strategy": "longest_idle", "ring_timeout": 15}, "config", at(0))
    second = await db.queue_config.save({"strategy": "round_robin", "ring_timeout": 20}, "admin:budi", at(60))
    assert (first.version, second.version) == (1, 2)
    current = await db.queue_config.current()
    assert current == second
    assert current.settings == {"strategy": "round_robin", "ring_timeout": 20}
    assert current.author == "admin:budi" and current.created_at == at(60)
    assert [v.version for v in await db.queue_config.history()] == [2, 1]
    assert (await db.queue_config.get(1)).settings["strategy"] == "longest_idle"


async def test_initial_queue_config_is_seeded_only_once(db):
    seeded = await db.queue_config.ensure_initial({"strategy": "longest_idle"})
    again = await db.queue_config.ensure_initial({"strategy": "fewest_calls"})
    assert seeded == again and seeded.version == 1 and seeded.author == "config"


async def test_concurrent_saves_get_distinct_versions(db):
    saved = await asyncio.gather(*(db.queue_config.save({"n": n}, f"admin{n}") for n in range(5)))
    assert sorted(v.version for v in saved) == [1, 2, 3, 4, 5]
    assert (await db.queue_config.current()).version == 5


async def test_audit_log_keeps_who_did_what_with_details(db, at):
    details = {"version": 2, "changes": ["ring_timeout"]}
    await db.audit.record("admin:budi", "queue_config.saved", details, at(1))
    await db.audit.record("seat01", "seat.paused", {"reason": "break"}, at(2))
    await db.audit.record("admin:budi", "user.created", {"username": "sari"}, at(3))
    entries = await db.audit.recent()
    assert [e.action for e in entries] == ["user.created", "seat.paused", "queue_config.saved"]
    assert entries[2].details == {"version": 2, "changes": ["ring_timeout"]}
    assert [e.at for e in await db.audit.recent(actor="admin:budi")] == [at(3), at(1)]
    assert [e.actor for e in await db.audit.recent(action="seat.paused")] == ["seat01"]
