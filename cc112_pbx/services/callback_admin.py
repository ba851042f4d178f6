"""Callbacks through the API: list (a call taker sees those reserved for their seat), cancel and
retry (supervisors and admins), and the supervisor's no-callback list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cc112_pbx.domain.callbacks import OPEN_CALLBACK_STATUSES, CallbackStatus
from cc112_pbx.services.access import STAFF, Principal, require, seat_scope
from cc112_pbx.services.api_errors import Conflict, FieldProblem, Invalid, NotFound
from cc112_pbx.services.incident_service import parse_page
from cc112_pbx.services.live_control import LiveControl
from cc112_pbx.services.plain import plain
from cc112_pbx.services.ports import AuditStore, CallbackStore, Clock

RETRYABLE = (*OPEN_CALLBACK_STATUSES, CallbackStatus.EXHAUSTED)


class CallbackAdminService:
    def __init__(self, callbacks: CallbackStore, audit: AuditStore, clock: Clock, live: LiveControl) -> None:
        self.callbacks = callbacks
        self.audit = audit
        self.clock = clock
        self.live = live

    async def list(self, principal: Principal, query: Mapping[str, str]) -> list[dict[str, Any]]:
        problems: list[FieldProblem] = []
        statuses = tuple(s for s in query.get("status", "").split(",") if s)
        if any(s not in CallbackStatus.__members__.values() for s in statuses):
            problems.append(FieldProblem("status", f"one or more of {', '.join(CallbackStatus)}"))
        limit, offset = parse_page(query, problems, default=100)
        if problems:
            raise Invalid(problems)
        rows = await self.callbacks.listing(statuses=statuses, seat_id=seat_scope(principal), limit=limit,
                                            offset=offset)
        return [plain(r) for r in rows]

    async def no_callback_list(self, principal: Principal, query: Mapping[str, str]) -> list[dict[str, Any]]:
        require(principal, STAFF)
        problems: list[FieldProblem] = []
        limit, offset = parse_page(query, problems, default=100)
        if problems:
            raise Invalid(problems)
        return [plain(r) for r in await self.callbacks.no_callback_list(limit, offset)]

    async def _get(self, callback_id: int) -> Any:
        callback = await self.callbacks.get(callback_id)
        if callback is None:
            raise NotFound(f"callback {callback_id} not found", message_id=f"panggilan balik {callback_id} tidak ada")
        return callback

    async def cancel(self, principal: Principal, callback_id: int, reason: str) -> dict[str, Any]:
        require(principal, STAFF)
        callback = await self._get(callback_id)
        if callback.status not in OPEN_CALLBACK_STATUSES:
            raise Conflict(f"callback {callback_id} is {callback.status}; only an open one can be cancelled",
                           message_id="hanya panggilan balik yang masih terbuka yang bisa dibatalkan")
        reason = (reason or "cancelled by a supervisor").strip()[:128]
        at = self.clock.wall()
        await self.live.cancel_callback(callback_id, reason, principal.username)
        record = await self.callbacks.cancel(callback_id, at, actor=principal.username, reason=reason)
        await self.audit.record(principal.username, "callback.cancelled", {"callback_id": callback_id,
                                                                         "reason": reason}, at=at)
        return plain(record)

    async def retry(self, principal: Principal, callback_id: int) -> dict[str, Any]:
        """Due now: the callbacks engine tries it at once (taken up again if it had given up)."""
        require(principal, STAFF)
        callback = await self._get(callback_id)
        if callback.status not in RETRYABLE:
            raise Conflict(f"callback {callback_id} is {callback.status}; it cannot be retried",
                           message_id="panggilan balik ini tidak bisa diulang")
        at = self.clock.wall()
        record = await self.callbacks.reschedule(callback_id, at)
        if record.number:
            await self.live.retry_callback(record)
        await self.audit.record(principal.username, "callback.retried", {"callback_id": callback_id}, at=at)
        return plain(record)
