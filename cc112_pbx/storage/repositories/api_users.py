"""API users (argon2id-hashed passwords) and their bearer tokens (stored as SHA-256 only).

Passwords hashed before argon2id (`scrypt$n$r$p$salt$hash`) still verify, and are re-hashed with
argon2id at the next successful `authenticate`.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cc112_pbx.storage.models import ApiToken, ApiUser
from cc112_pbx.storage.records import ApiRole, ApiTokenRecord, ApiUserRecord, to_record
from cc112_pbx.storage.repositories.base import Repository, utcnow

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_HASHER = PasswordHasher()  # argon2id, argon2-cffi's defaults (RFC 9106 low-memory profile)


class DuplicateUser(ValueError):
    pass


def hash_password(password: str) -> str:
    """argon2id, in the PHC string format (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`)."""
    return _HASHER.hash(password)


def needs_rehash(stored: str) -> bool:
    """True for a hash of an older scheme (scrypt) or weaker argon2 parameters."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("$argon2"):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return _verify_scrypt(password, stored)


def _hash_scrypt(password: str) -> str:
    """The scheme before argon2id (`scrypt$n$r$p$salt$hash`): kept only to test the migration."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiUserRepository(Repository):
    async def create(
        self, username: str, password: str, role: ApiRole | str, at: dt.datetime | None = None,
        *, seat_id: str | None = None,
    ) -> ApiUserRecord:
        if not username or not password:
            raise ValueError("username and password must not be empty")
        hashed = await asyncio.to_thread(hash_password, password)
        row = ApiUser(username=username, password_hash=hashed, role=ApiRole(role),
                      created_at=at or utcnow(), disabled=False, seat_id=seat_id)
        try:
            async with self._transaction() as session:
                session.add(row)
        except sa.exc.IntegrityError:
            raise DuplicateUser(f"user {username!r} already exists") from None
        return to_record(ApiUserRecord, row)

    async def get(self, user_id: int) -> ApiUserRecord | None:
        async with self._transaction() as session:
            row = await session.get(ApiUser, user_id)
            return to_record(ApiUserRecord, row) if row is not None else None

    async def by_username(self, username: str) -> ApiUserRecord | None:
        async with self._transaction() as session:
            row = await session.scalar(sa.select(ApiUser).where(ApiUser.username == username))
            return to_record(ApiUserRecord, row) if row is not None else None

    async def all(self) -> list[ApiUserRecord]:
        async with self._transaction() as session:
            rows = (await session.scalars(sa.select(ApiUser).order_by(ApiUser.username))).all()
            return [to_record(ApiUserRecord, r) for r in rows]

    async def authenticate(self, username: str, password: str) -> ApiUserRecord | None:
        """The user when the password matches and the user is enabled, else None."""
        async with self._transaction() as session:
            row = await session.scalar(sa.select(ApiUser).where(ApiUser.username == username))
        if row is None or row.disabled:
            return None
        ok = await asyncio.to_thread(verify_password, password, row.password_hash)
        if not ok:
            return None
        if needs_rehash(row.password_hash):  # an older scheme: upgrade it now that we know the password
            await self.set_password(row.id, password)
        return to_record(ApiUserRecord, row)

    async def set_password(self, user_id: int, password: str) -> None:
        hashed = await asyncio.to_thread(hash_password, password)
        async with self._transaction() as session:
            row = await self._get_or_raise(session, ApiUser, user_id, "user")
            row.password_hash = hashed

    async def set_seat(self, user_id: int, seat_id: str | None) -> ApiUserRecord:
        async with self._transaction() as session:
            row = await self._get_or_raise(session, ApiUser, user_id, "user")
            row.seat_id = seat_id
        return to_record(ApiUserRecord, row)

    async def set_disabled(self, user_id: int, disabled: bool) -> ApiUserRecord:
        async with self._transaction() as session:
            row = await self._get_or_raise(session, ApiUser, user_id, "user")
            row.disabled = disabled
        return to_record(ApiUserRecord, row)

    async def issue_token(
        self, user_id: int, *, label: str = "", ttl: dt.timedelta | None = None, at: dt.datetime | None = None
    ) -> tuple[str, ApiTokenRecord]:
        """A new bearer token: the plain token (shown once, never stored) and its record."""
        at = at or utcnow()
        token = secrets.token_urlsafe(32)
        row = ApiToken(user_id=user_id, token_hash=token_hash(token), label=label, created_at=at,
                       expires_at=at + ttl if ttl is not None else None, revoked_at=None)
        async with self._transaction() as session:
            await self._get_or_raise(session, ApiUser, user_id, "user")
            session.add(row)
        return token, to_record(ApiTokenRecord, row)

    async def user_for_token(self, token: str, now: dt.datetime | None = None) -> ApiUserRecord | None:
        """The enabled user holding this token, if it is neither revoked nor expired."""
        now = now or utcnow()
        query = (
            sa.select(ApiUser, ApiToken)
            .join(ApiToken, ApiToken.user_id == ApiUser.id)
            .where(ApiToken.token_hash == token_hash(token))
        )
        async with self._transaction() as session:
            found = (await session.execute(query)).first()
        if found is None:
            return None
        user, row = found
        expired = row.expires_at is not None and row.expires_at <= now
        if user.disabled or row.revoked_at is not None or expired:
            return None
        return to_record(ApiUserRecord, user)

    async def revoke_token(self, token_id: int, at: dt.datetime | None = None) -> ApiTokenRecord:
        async with self._transaction() as session:
            row = await self._get_or_raise(session, ApiToken, token_id, "token")
            if row.revoked_at is None:
                row.revoked_at = at or utcnow()
        return to_record(ApiTokenRecord, row)

    async def revoke_by_token(self, token: str, at: dt.datetime | None = None) -> bool:
        """Revoke the token itself (a logout); False when no such token is stored."""
        async with self._transaction() as session:
            row = await session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
            if row is None:
                return False
            if row.revoked_at is None:
                row.revoked_at = at or utcnow()
        return True

    async def token(self, token_id: int) -> ApiTokenRecord | None:
        async with self._transaction() as session:
            row = await session.get(ApiToken, token_id)
            return to_record(ApiTokenRecord, row) if row is not None else None

    async def tokens(self, user_id: int) -> list[ApiTokenRecord]:
        query = sa.select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        async with self._transaction() as session:
            return [to_record(ApiTokenRecord, r) for r in (await session.scalars(query)).all()]
