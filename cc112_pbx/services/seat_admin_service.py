"""Seats through the API: the stored definition with the live state, changes by admins, and
login/logout/pause/unpause (a call taker only for their own seat), all through the controller."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cc112_pbx.services.access import ADMIN_ONLY, Principal, require, require_own_seat, seat_scope
from cc112_pbx.services.api_errors import Conflict, FieldProblem, Invalid, NotFound
from cc112_pbx.services.live_control import LiveControl, seat_dict
from cc112_pbx.services.ports import AuditStore, Clock, SeatDirectory

SEAT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
MAX_REASON = 64


class SeatAdminService:
    def __init__(self, seats: SeatDirectory, audit: AuditStore, live: LiveControl, clock: Clock) -> None:
        self.seats = seats
        self.audit = audit
        self.live = live
        self.clock = clock

    def _merge(self, record: Any, views: Mapping[str, Any]) -> dict[str, Any]:
        view = views.get(record.id)
        live = seat_dict(view, self.clock.monotonic()) if view is not None else {"status": "unknown"}
        live.pop("seat", None)
        return {"id": record.id, "name": record.name, "dial_string": record.dial_string,
                "overflow": record.overflow, "origin": record.origin, **live}

    async def list(self, principal: Principal) -> list[dict[str, Any]]:
        scope = seat_scope(principal)
        views = self.live.seat_views()
        return [self._merge(r, views) for r in await self.seats.all() if scope is None or r.id == scope]

    async def get(self, principal: Principal, seat_id: str) -> dict[str, Any]:
        require_own_seat(principal, seat_id)
        record = await self.seats.get(seat_id)
        if record is None:
            raise NotFound(f"seat {seat_id} not found", message_id=f"meja {seat_id} tidak ditemukan")
        return self._merge(record, self.live.seat_views())

    async def create(self, principal: Principal, body: Mapping[str, Any]) -> dict[str, Any]:
        require(principal, ADMIN_ONLY)
        values = _validate(body, creating=True)
        if await self.seats.get(values["id"]) is not None:
            raise Conflict(f"seat {values['id']} exists already", message_id=f"meja {values['id']} sudah ada")
        return await self._put(principal, values["id"], values, "seat.created")

    async def update(self, principal: Principal, seat_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        require(principal, ADMIN_ONLY)
        record = await self.seats.get(seat_id)
        if record is None:
            raise NotFound(f"seat {seat_id} not found", message_id=f"meja {seat_id} tidak ditemukan")
        values = {"name": record.name, "dial_string": record.dial_string, "overflow": record.overflow,
                  **_validate(body, creating=False)}
        return await self._put(principal, seat_id, values, "seat.updated")

    async def _put(self, principal: Principal, seat_id: str, values: Mapping[str, Any], action: str
                   ) -> dict[str, Any]:
        at = self.clock.wall()
        record = await self.seats.put(seat_id, name=values["name"], dial_string=values["dial_string"],
                                      overflow=values["overflow"], at=at)
        await self.live.define_seat(seat_id, values["dial_string"], values["overflow"])
        await self.audit.record(principal.username, action, {"seat": seat_id, "name": values["name"],
                                                            "dial_string": values["dial_string"],
                                                            "overflow": values["overflow"]}, at=at)
        return self._merge(record, self.live.seat_views())

    async def delete(self, principal: Principal, seat_id: str) -> None:
        require(principal, ADMIN_ONLY)
        if await self.seats.get(seat_id) is None:
            raise NotFound(f"seat {seat_id} not found", message_id=f"meja {seat_id} tidak ditemukan")
        await self.live.remove_seat(seat_id)  # Conflict while on a call: nothing changes
        await self.seats.delete(seat_id)
        await self.audit.record(principal.username, "seat.deleted", {"seat": seat_id}, at=self.clock.wall())

    async def act(self, principal: Principal, seat_id: str, action: str, reason: str | None = None
                  ) -> dict[str, Any]:
        require_own_seat(principal, seat_id)
        if action == "pause":
            reason = (reason or "break").strip()
            if not reason or len(reason) > MAX_REASON:
                raise Invalid([FieldProblem("reason", f"1-{MAX_REASON} characters")])
        view = await self.live.seat_action(seat_id, action, reason or "break")
        await self.audit.record(principal.username, f"seat.{action}", {"seat": seat_id, "reason": reason},
                                at=self.clock.wall())
        return seat_dict(view, self.clock.monotonic())


def _validate(body: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise Invalid([FieldProblem("body", "must be a JSON object")])
    problems: list[FieldProblem] = []
    known = {"id", "name", "dial_string", "overflow"} if creating else {"name", "dial_string", "overflow"}
    problems += [FieldProblem(str(k), "not a seat field") for k in body if k not in known]
    values: dict[str, Any] = {}
    if creating:
        seat_id = body.get("id")
        if not isinstance(seat_id, str) or not SEAT_ID.match(seat_id):
            problems.append(FieldProblem("id", "1-32 lower-case letters, digits, '_' or '-'"))
        values["id"] = seat_id
        values.setdefault("overflow", False)
        for name in ("name", "dial_string"):
            if name not in body:
                problems.append(FieldProblem(name, "is required"))
    for name, limit in (("name", 128), ("dial_string", 256)):
        if name in body:
            value = body[name]
            if not isinstance(value, str) or not value.strip() or len(value) > limit:
                problems.append(FieldProblem(name, f"1-{limit} characters"))
            else:
                values[name] = value.strip()
    if "dial_string" in values and not re.match(r"^[A-Za-z]+/\S+$", values["dial_string"]):
        problems.append(FieldProblem("dial_string", "a dial string like PJSIP/seat01"))
    if "overflow" in body:
        if not isinstance(body["overflow"], bool):
            problems.append(FieldProblem("overflow", "must be true or false"))
        else:
            values["overflow"] = body["overflow"]
    if problems:
        raise Invalid(problems)
    return values
