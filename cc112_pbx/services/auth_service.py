"""Users, bearer tokens and logins for the API.

Tokens are random (shown once), stored only as a hash, and always expire. Failed logins are
counted per username and per client address in a sliding window; past the limit a login is
refused (`TooManyAttempts`) without even checking the password. Passwords, tokens and the
Authorization header are never logged: log lines name the user and the client only.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import structlog

from cc112_pbx.services.access import Principal, Role
from cc112_pbx.services.api_errors import Conflict, FieldProblem, Invalid, NotFound, TooManyAttempts, Unauthenticated
from cc112_pbx.services.ports import ApiUserStore, AuditStore, Clock

log = structlog.get_logger("cc112.auth")

LOGIN_TOKEN_TTL = timedelta(hours=12)  # a console login lasts one long shift
MAX_TOKEN_TTL = timedelta(days=366)
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 8


class LoginLimiter:
    """At most `per_user` failed logins per username and `per_client` per client address within
    `window` seconds; a success clears the username's count."""

    def __init__(self, monotonic: Callable[[], float], *, window: float = 300.0, per_user: int = 5,
                 per_client: int = 20) -> None:
        self.monotonic = monotonic
        self.window = window
        self.limits = {"user": per_user, "client": per_client}
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def check(self, username: str, client: str) -> None:
        now = self.monotonic()
        for key in (("user", username.lower()), ("client", client)):
            times = self._recent(key, now)
            if len(times) >= self.limits[key[0]]:
                raise TooManyAttempts(retry_after=max(1.0, times[0] + self.window - now))

    def failed(self, username: str, client: str) -> None:
        now = self.monotonic()
        for key in (("user", username.lower()), ("client", client)):
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str) -> None:
        self._failures.pop(("user", username.lower()), None)


def principal_of(user: Any) -> Principal:
    return Principal(user_id=user.id, username=user.username, role=Role(str(user.role)), seat_id=user.seat_id)


def user_dict(user: Any) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": str(user.role), "seat": user.seat_id,
            "disabled": bool(user.disabled), "created_at": user.created_at.isoformat()}


def token_dict(token: Any) -> dict[str, Any]:
    return {"id": token.id, "user_id": token.user_id, "label": token.label,
            "created_at": token.created_at.isoformat(),
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None}


class AuthService:
    def __init__(self, users: ApiUserStore, audit: AuditStore, clock: Clock, *,
                 limiter: LoginLimiter | None = None, login_ttl: timedelta = LOGIN_TOKEN_TTL) -> None:
        self.users = users
        self.audit = audit
        self.clock = clock
        self.limiter = limiter or LoginLimiter(clock.monotonic)
        self.login_ttl = login_ttl
        # issue 17: fills an agency dispatcher's agency and an officer's record (set by the dispatch service)
        self.bind: Callable[[Principal], Awaitable[Principal]] | None = None

    # --- tokens and logins -----------------------------------------------------------------------
    async def principal(self, token: str) -> Principal:
        """The principal holding a valid token; `Unauthenticated` otherwise."""
        user = await self.users.user_for_token(token, now=self.clock.wall()) if token else None
        if user is None:
            raise Unauthenticated("a valid bearer token is required",
                                  message_id="diperlukan token bearer yang valid")
        found = principal_of(user)
        return await self.bind(found) if self.bind is not None and found.is_field else found

    async def login(self, username: str, password: str, client: str) -> dict[str, Any]:
        """A new token for a username and password (rate-limited per username and client)."""
        self.limiter.check(username, client)
        user = await self.users.authenticate(username, password)
        if user is None:
            self.limiter.failed(username, client)
            log.warning("api_login_failed", username=username, client=client)
            raise Unauthenticated("wrong username or password", message_id="nama pengguna atau kata sandi salah")
        self.limiter.succeeded(username)
        token, record = await self.users.issue_token(user.id, label="login", ttl=self.login_ttl,
                                                     at=self.clock.wall())
        log.info("api_login", username=username, client=client, token_id=record.id)
        who = principal_of(user)
        if self.bind is not None and who.is_field:  # issue 17: their agency and officer record
            who = await self.bind(who)
        return {"token": token, "token_id": record.id, "expires_at": record.expires_at.isoformat(),
                "user": who.to_dict()}

    async def logout(self, principal: Principal, token: str) -> None:
        """Revoke the token this request came with."""
        await self.users.revoke_by_token(token, self.clock.wall())
        log.info("api_logout", username=principal.username)

    # --- administration (CLI and admins) ---------------------------------------------------------
    async def add_user(self, actor: str, username: str, role: str, password: str, seat_id: str | None = None
                       ) -> dict[str, Any]:
        problems = _user_problems(username, role, password, seat_id)
        if problems:
            raise Invalid(problems)
        if await self.users.by_username(username) is not None:
            raise Conflict(f"user {username!r} already exists", message_id=f"pengguna {username!r} sudah ada")
        user = await self.users.create(username, password, Role.parse(role).value, self.clock.wall(),
                                       seat_id=seat_id or None)
        await self.audit.record(actor, "user.created", {"username": username, "role": str(user.role),
                                                       "seat": seat_id}, at=self.clock.wall())
        return user_dict(user)

    async def list_users(self) -> list[dict[str, Any]]:
        return [user_dict(u) for u in await self.users.all()]

    async def update_user(self, actor: str, user_id: int, *, disabled: bool | None = None,
                          seat_id: str | object | None = ..., password: str | None = None) -> dict[str, Any]:
        user = await self.users.get(user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found", message_id=f"pengguna {user_id} tidak ditemukan")
        if password is not None and len(password) < MIN_PASSWORD:
            raise Invalid([FieldProblem("password", f"must be at least {MIN_PASSWORD} characters")])
        changes: dict[str, Any] = {}
        if disabled is not None:
            user = await self.users.set_disabled(user_id, disabled)
            changes["disabled"] = disabled
        if seat_id is not ...:
            user = await self.users.set_seat(user_id, seat_id)  # type: ignore[arg-type]
            changes["seat"] = seat_id
        if password is not None:
            await self.users.set_password(user_id, password)
            changes["password"] = "changed"
        await self.audit.record(actor, "user.updated", {"username": user.username, **changes}, at=self.clock.wall())
        return user_dict(user)

    async def disable(self, actor: str, username: str) -> dict[str, Any]:
        user = await self.users.by_username(username)
        if user is None:
            raise NotFound(f"user {username!r} not found", message_id=f"pengguna {username!r} tidak ditemukan")
        return await self.update_user(actor, user.id, disabled=True)

    async def issue_token(self, actor: str, username: str, ttl: timedelta, label: str = "") -> dict[str, Any]:
        if not timedelta(0) < ttl <= MAX_TOKEN_TTL:
            raise Invalid([FieldProblem("ttl", f"must be more than 0 and at most {MAX_TOKEN_TTL.days} days")])
        user = await self.users.by_username(username)
        if user is None:
            raise NotFound(f"user {username!r} not found", message_id=f"pengguna {username!r} tidak ditemukan")
        token, record = await self.users.issue_token(user.id, label=label, ttl=ttl, at=self.clock.wall())
        await self.audit.record(actor, "token.issued", {"username": username, "token_id": record.id,
                                                       "expires_at": record.expires_at.isoformat()},
                                at=self.clock.wall())
        return {"token": token, **token_dict(record)}

    async def revoke_token(self, actor: str, token_id: int) -> dict[str, Any]:
        if await self.users.token(token_id) is None:
            raise NotFound(f"token {token_id} not found", message_id=f"token {token_id} tidak ditemukan")
        record = await self.users.revoke_token(token_id, self.clock.wall())
        await self.audit.record(actor, "token.revoked", {"token_id": token_id}, at=self.clock.wall())
        return token_dict(record)

    async def tokens_of(self, username: str) -> list[dict[str, Any]]:
        user = await self.users.by_username(username)
        if user is None:
            raise NotFound(f"user {username!r} not found")
        return [token_dict(t) for t in await self.users.tokens(user.id)]


def _user_problems(username: str, role: str, password: str, seat_id: str | None) -> list[FieldProblem]:
    problems = []
    if not isinstance(username, str) or not USERNAME.match(username):
        problems.append(FieldProblem("username", "1-64 letters, digits, '_', '.', '@' or '-', starting with a "
                                                 "letter or digit"))
    try:
        parsed: Role | None = Role.parse(role) if isinstance(role, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        problems.append(FieldProblem("role", f"must be one of {', '.join(r.value for r in Role)}"))
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("password", f"must be at least {MIN_PASSWORD} characters"))
    if parsed is Role.CALL_TAKER and not seat_id:
        problems.append(FieldProblem("seat", "a call taker needs their seat"))
    if seat_id is not None and (not isinstance(seat_id, str) or len(seat_id) > 32):
        problems.append(FieldProblem("seat", "must be a seat id"))
    return problems


def parse_ttl(text: str) -> timedelta:
    """"90s", "30m", "12h", "30d" (or plain seconds)."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (e.g. 12h, 30d)")
    number, unit = int(match.group(1)), match.group(2) or "s"
    return timedelta(seconds=number * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit])

