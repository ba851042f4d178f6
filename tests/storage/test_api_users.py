import datetime as dt

import pytest

from cc112_pbx.storage import DuplicateUser
from cc112_pbx.storage.records import ApiRole
from cc112_pbx.storage.repositories.api_users import hash_password, verify_password


def test_password_hash_is_salted_and_verifiable():
    first, second = hash_password("rahasia"), hash_password("rahasia")
    assert first != second and "rahasia" not in first
    assert verify_password("rahasia", first) and not verify_password("salah", first)
    assert not verify_password("rahasia", "garbage")


async def test_user_logs_in_with_the_right_password_only(db):
    user = await db.api_users.create("budi", "rahasia", "admin")
    assert user.role is ApiRole.ADMIN and user.disabled is False
    assert await db.api_users.authenticate("budi", "rahasia") == user
    assert await db.api_users.authenticate("budi", "salah") is None
    assert await db.api_users.authenticate("nobody", "rahasia") is None


async def test_duplicate_username_is_refused(db):
    await db.api_users.create("sari", "pw1", ApiRole.CALL_TAKER)
    with pytest.raises(DuplicateUser, match="'sari' already exists"):
        await db.api_users.create("sari", "pw2", "supervisor")


async def test_disabled_user_cannot_log_in_or_use_tokens(db):
    user = await db.api_users.create("eko", "pw", "supervisor")
    token, _ = await db.api_users.issue_token(user.id)
    await db.api_users.set_disabled(user.id, True)
    assert await db.api_users.authenticate("eko", "pw") is None
    assert await db.api_users.user_for_token(token) is None


async def test_password_change_takes_effect(db):
    user = await db.api_users.create("dewi", "old", "call_taker")
    await db.api_users.set_password(user.id, "new")
    assert await db.api_users.authenticate("dewi", "old") is None
    assert (await db.api_users.authenticate("dewi", "new")).id == user.id


async def test_token_identifies_its_user_until_it_expires_or_is_revoked(db, at):
    user = await db.api_users.create("budi", "pw", "admin")
    eight_hours = dt.timedelta(hours=8)
    token, record = await db.api_users.issue_token(user.id, label="laptop", ttl=eight_hours, at=at(0))
    assert record.expires_at == at(8 * 3600) and record.label == "laptop"
    assert (await db.api_users.user_for_token(token, now=at(60))).username == "budi"
    assert await db.api_users.user_for_token(token, now=at(8 * 3600)) is None
    assert await db.api_users.user_for_token("not-a-token", now=at(60)) is None
    await db.api_users.revoke_token(record.id, at(120))
    assert await db.api_users.user_for_token(token, now=at(60)) is None
    [stored] = await db.api_users.tokens(user.id)
    assert stored.revoked_at == at(120)


async def test_tokens_are_stored_only_as_hashes(db):
    import sqlalchemy as sa

    user = await db.api_users.create("budi", "pw", "admin")
    token, _ = await db.api_users.issue_token(user.id)
    async with db.engine.connect() as conn:
        stored = (await conn.execute(sa.text("SELECT token_hash FROM api_tokens"))).scalar_one()
    assert token not in stored and len(stored) == 64


def test_new_password_hashes_are_argon2id():
    from cc112_pbx.storage.repositories.api_users import needs_rehash

    stored = hash_password("rahasia")
    assert stored.startswith("$argon2id$") and not needs_rehash(stored)


async def test_an_old_scrypt_hash_still_verifies_and_is_upgraded_to_argon2id_at_login(db):
    import sqlalchemy as sa

    from cc112_pbx.storage.repositories.api_users import _hash_scrypt

    user = await db.api_users.create("lama", "rahasia", "admin")
    async with db.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE api_users SET password_hash = :h"), {"h": _hash_scrypt("rahasia")})
    assert await db.api_users.authenticate("lama", "salah") is None
    assert (await db.api_users.authenticate("lama", "rahasia")).id == user.id
    async with db.engine.connect() as conn:
        stored = (await conn.execute(sa.text("SELECT password_hash FROM api_users"))).scalar_one()
    assert stored.startswith("$argon2id$")
    assert (await db.api_users.authenticate("lama", "rahasia")).id == user.id


async def test_a_call_taker_user_carries_their_seat(db):
    user = await db.api_users.create("sari", "pw", "call_taker", seat_id="seat01")
    assert user.seat_id == "seat01"
    assert (await db.api_users.set_seat(user.id, "seat02")).seat_id == "seat02"
