"""The agency directory (issue 17): agencies, their officers, units and volunteer teams, the users
bound to them, and each officer's latest position, kept in memory (a city has hundreds, not
millions) and written through to the store. Admins change it; everyone else reads it, an agency
dispatcher or an officer only their own agency's part."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import structlog

from cc112_pbx.domain.agencies import AgencyKind, AgencyProfile, OfficerKind
from cc112_pbx.domain.categories import parse_category
from cc112_pbx.domain.geo import LatLon
from cc112_pbx.domain.officer_ranking import OfficerState, is_stale
from cc112_pbx.services.access import ADMIN_ONLY, Principal, Role, require
from cc112_pbx.services.api_errors import Conflict, FieldProblem, Forbidden, Invalid, NotFound, Unauthenticated
from cc112_pbx.services.plain import plain_value
from cc112_pbx.services.ports import Clock, DispatchStore, Notices

log = structlog.get_logger("cc112.dispatch")

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
DEVICE = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
AGENCY_FIELDS = ("code", "name", "kind", "contacts", "categories", "area", "active")
OFFICER_FIELDS = ("agency_id", "name", "callsign", "kind", "device_id", "available", "active", "username")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _text(body: Mapping[str, Any], name: str, problems: list[FieldProblem], *, max_len: int = 128,
          pattern: re.Pattern[str] | None = None, required: bool = False) -> str | None:
    if name not in body:
        if required:
            problems.append(FieldProblem(name, "is required"))
        return None
    value = body[name]
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_len:
        problems.append(FieldProblem(name, f"text up to {max_len} characters"))
        return None
    if pattern is not None and not pattern.match(value):
        problems.append(FieldProblem(name, f"must match {pattern.pattern}"))
        return None
    return value.strip()


def _bool(body: Mapping[str, Any], name: str, problems: list[FieldProblem]) -> bool | None:
    if name not in body:
        return None
    if not isinstance(body[name], bool):
        problems.append(FieldProblem(name, "true or false"))
        return None
    return bool(body[name])


def _area(value: Any, problems: list[FieldProblem]) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        problems.append(FieldProblem("area", "an object {description, lat, lon, radius_km}"))
        return None
    area: dict[str, Any] = {"description": str(value.get("description", ""))[:256]}
    for key, low, high in (("lat", -90, 90), ("lon", -180, 180), ("radius_km", 0, 1000)):
        item = value.get(key)
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, int | float) or not low <= item <= high:
            problems.append(FieldProblem(f"area.{key}", f"a number from {low} to {high}"))
        else:
            area[key] = float(item)
    return area


class DispatchDirectory:
    def __init__(self, store: DispatchStore, clock: Clock, notices: Notices, *, stale_after: float) -> None:
        self.store = store
        self.clock = clock
        self.notices = notices
        self.stale_after = stale_after
        self.agencies: dict[int, Any] = {}
        self.officers: dict[int, Any] = {}
        self.by_device: dict[str, int] = {}
        self.usernames: dict[int, str] = {}  # user id -> name, for officers bound to a user
        self.dispatchers: dict[int, int] = {}  # user id -> agency id
        self.latest: dict[int, dict[str, Any]] = {}  # officer id -> its newest position (plain)
        self.busy: dict[int, int] = {}  # officer id -> the open dispatch it is assigned to

    # --- loading and seeding ---------------------------------------------------------------------
    async def load(self) -> None:
        self.agencies = {a.id: a for a in await self.store.agencies.all()}
        self.officers = {}
        for officer in await self.store.officers.all():
            self._keep(officer)
            if officer.user_id is not None and officer.user_id not in self.usernames:
                user = await self.store.api_users.get(officer.user_id)
                if user is not None:
                    self.usernames[officer.user_id] = user.username
        self.dispatchers = {d.user_id: d.agency_id for d in await self.store.agencies.dispatchers()}
        for position in await self.store.positions.latest():
            self.latest[position.officer_id] = self._position_dict(position)

    async def seed(self, agencies: Sequence[Mapping[str, Any]]) -> None:
        """The settings file's agencies and officers (matched by code and device id)."""
        now = self.clock.wall()
        ids = await self.store.agencies.seed([{k: v for k, v in a.items() if k != "officers"} for a in agencies], now)
        officers = []
        for agency in agencies:
            for officer in agency.get("officers", []):
                fields = {k: v for k, v in officer.items() if k != "username"}
                if officer.get("username"):
                    user = await self.store.api_users.by_username(officer["username"])
                    fields["user_id"] = user.id if user is not None else None
                officers.append({**fields, "agency_id": ids[agency["code"]]})
        await self.store.officers.seed(officers, now)
        log.info("agencies_seeded", agencies=len(agencies), officers=len(officers))

    def _keep(self, officer: Any) -> None:
        old = self.officers.get(officer.id)
        if old is not None and self.by_device.get(old.device_id) == officer.id:
            del self.by_device[old.device_id]
        self.officers[officer.id] = officer
        self.by_device[officer.device_id] = officer.id

    # --- binding users ---------------------------------------------------------------------------
    async def bind(self, principal: Principal) -> Principal:
        """An agency dispatcher's agency, an officer's record and agency (`AuthService.bind`)."""
        if principal.role is Role.AGENCY_DISPATCHER:
            return replace(principal, agency_id=self.dispatchers.get(principal.user_id))
        if principal.role is Role.OFFICER:
            officer = next((o for o in self.officers.values() if o.user_id == principal.user_id), None)
            if officer is not None:
                return replace(principal, officer_id=officer.id, agency_id=officer.agency_id)
        return principal

    async def bind_dispatcher(self, principal: Principal, agency_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        require(principal, ADMIN_ONLY)
        self.agency(agency_id)
        username = body.get("username") if isinstance(body, Mapping) else None
        user = await self.store.api_users.by_username(username) if isinstance(username, str) else None
        if user is None or str(user.role) != Role.AGENCY_DISPATCHER.value:
            raise Invalid([FieldProblem("username", "the name of a user with the role agency_dispatcher")])
        await self.store.agencies.bind_dispatcher(user.id, agency_id, self.clock.wall())
        self.dispatchers[user.id] = agency_id
        return {"user_id": user.id, "username": user.username, "agency_id": agency_id}

    # --- reading ---------------------------------------------------------------------------------
    def agency(self, agency_id: int) -> Any:
        agency = self.agencies.get(agency_id)
        if agency is None:
            raise NotFound(f"agency {agency_id} not found", message_id=f"instansi {agency_id} tidak ditemukan")
        return agency

    def officer(self, officer_id: int) -> Any:
        officer = self.officers.get(officer_id)
        if officer is None:
            raise NotFound(f"officer {officer_id} not found", message_id=f"petugas {officer_id} tidak ditemukan")
        return officer

    @staticmethod
    def check_agency(principal: Principal, agency_id: int) -> None:
        """Field roles see only their own agency; everyone else every agency."""
        if principal.is_field and principal.agency_id != agency_id:
            raise Forbidden("an agency's people see only their own agency",
                            message_id="petugas instansi hanya melihat instansinya sendiri")

    def agency_dict(self, agency: Any) -> dict[str, Any]:
        return {"id": agency.id, "code": agency.code, "name": agency.name, "kind": str(agency.kind),
                "contacts": list(agency.contacts), "categories": list(agency.categories), "area": dict(agency.area),
                "active": agency.active, "origin": agency.origin}

    def officer_state(self, officer: Any, now: datetime) -> str:
        if not officer.active or not officer.available:
            return "unavailable"
        if officer.id in self.busy:
            return "busy"
        position = self.latest.get(officer.id)
        seen = datetime.fromisoformat(position["at"]) if position else None
        return "stale" if is_stale(seen, now, self.stale_after) else "available"

    def position_view(self, officer_id: int, now: datetime) -> dict[str, Any] | None:
        position = self.latest.get(officer_id)
        if position is None:
            return None
        age = (now - datetime.fromisoformat(position["at"])).total_seconds()
        officer = self.officers.get(officer_id)
        return {**position, "agency_id": officer.agency_id if officer is not None else None,
                "age_s": round(max(0.0, age), 1), "stale": age > self.stale_after}

    def officer_dict(self, officer: Any, now: datetime | None = None) -> dict[str, Any]:
        now = now or self.clock.wall()
        return {"id": officer.id, "agency_id": officer.agency_id, "name": officer.name, "callsign": officer.callsign,
                "kind": str(officer.kind), "device_id": officer.device_id, "available": officer.available,
                "active": officer.active, "username": self.usernames.get(officer.user_id or 0),
                "state": self.officer_state(officer, now), "dispatch_id": self.busy.get(officer.id),
                "position": self.position_view(officer.id, now)}

    def profiles(self) -> list[AgencyProfile]:
        return [AgencyProfile(a.id, AgencyKind(a.kind), tuple(parse_category(c) for c in a.categories), a.active,
                              a.name) for a in self.agencies.values()]

    def states(self) -> list[OfficerState]:
        states = []
        for officer in self.officers.values():
            position = self.latest.get(officer.id)
            states.append(OfficerState(
                officer.id, officer.agency_id, officer.available, officer.active, officer.id in self.busy,
                LatLon(position["lat"], position["lon"]) if position else None,
                datetime.fromisoformat(position["at"]) if position else None))
        return states

    def list_agencies(self, principal: Principal) -> list[dict[str, Any]]:
        return [self.agency_dict(a) for a in self.agencies.values()
                if not principal.is_field or a.id == principal.agency_id]

    def get_agency(self, principal: Principal, agency_id: int) -> dict[str, Any]:
        agency = self.agency(agency_id)
        self.check_agency(principal, agency_id)
        return self.agency_dict(agency)

    def list_officers(self, principal: Principal, query: Mapping[str, str]) -> list[dict[str, Any]]:
        wanted: int | None = None
        if query.get("agency_id"):
            if not query["agency_id"].isdigit():
                raise Invalid([FieldProblem("agency_id", "an agency id")])
            wanted = int(query["agency_id"])
            self.check_agency(principal, wanted)
        if principal.is_field:
            wanted = principal.agency_id if principal.agency_id is not None else -1
        now = self.clock.wall()
        return [self.officer_dict(o, now) for o in self.officers.values() if wanted is None or o.agency_id == wanted]

    def get_officer(self, principal: Principal, officer_id: int) -> dict[str, Any]:
        officer = self.officer(officer_id)
        self.check_agency(principal, officer.agency_id)
        return self.officer_dict(officer)

    # --- administration --------------------------------------------------------------------------
    def _agency_changes(self, body: Any, creating: bool) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise Invalid([FieldProblem("body", "a JSON object")])
        problems: list[FieldProblem] = []
        unknown = [k for k in body if k not in AGENCY_FIELDS]
        problems += [FieldProblem(k, "not a field of an agency") for k in unknown]
        changes: dict[str, Any] = {}
        code = _text(body, "code", problems, max_len=32, pattern=CODE, required=creating)
        name = _text(body, "name", problems, required=creating)
        changes |= {k: v for k, v in (("code", code), ("name", name)) if v is not None}
        if "kind" in body or creating:
            if body.get("kind") not in AgencyKind.__members__.values():
                problems.append(FieldProblem("kind", f"one of {', '.join(AgencyKind)}"))
            else:
                changes["kind"] = body["kind"]
        if "categories" in body:
            try:
                if not isinstance(body["categories"], list):
                    raise ValueError("a list of categories")
                changes["categories"] = [parse_category(str(c)).value for c in body["categories"]]
            except ValueError as exc:
                problems.append(FieldProblem("categories", str(exc)))
        if "contacts" in body:
            contacts = body["contacts"]
            if not isinstance(contacts, list) or not all(
                    isinstance(c, Mapping) and isinstance(c.get("number"), str) and len(c["number"]) <= 32
                    for c in contacts):
                problems.append(FieldProblem("contacts", "a list of {label, number}"))
            else:
                changes["contacts"] = [{"label": str(c.get("label", ""))[:64], "number": c["number"]}
                                       for c in contacts]
        if "area" in body:
            area = _area(body["area"], problems)
            if area is not None:
                changes["area"] = area
        active = _bool(body, "active", problems)
        if active is not None:
            changes["active"] = active
        if problems:
            raise Invalid(problems)
        if "code" in changes and any(a.code == changes["code"] for a in self.agencies.values()):
            raise Conflict(f"agency code {changes['code']!r} is taken", message_id="kode instansi sudah dipakai")
        return changes

    async def create_agency(self, principal: Principal, body: Any) -> dict[str, Any]:
        require(principal, ADMIN_ONLY)
        changes = self._agency_changes(body, creating=True)
        changes = {"contacts": [], "categories": [], "area": {}, "active": True, **changes}
        agency = await self.store.agencies.add(at=self.clock.wall(), origin="api", **changes)
        self.agencies[agency.id] = agency
        return self.agency_dict(agency)

    async def update_agency(self, principal: Principal, agency_id: int, body: Any) -> dict[str, Any]:
        require(principal, ADMIN_ONLY)
        self.agency(agency_id)
        changes = self._agency_changes(body, creating=False)
        agency = await self.store.agencies.update(agency_id, changes, self.clock.wall())
        self.agencies[agency.id] = agency
        return self.agency_dict(agency)

    async def _officer_changes(self, principal: Principal, body: Any, creating: bool) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise Invalid([FieldProblem("body", "a JSON object")])
        problems: list[FieldProblem] = [FieldProblem(k, "not a field of an officer") for k in body
                                        if k not in OFFICER_FIELDS]
        changes: dict[str, Any] = {}
        if "agency_id" in body or creating:
            agency_id = body.get("agency_id")
            if isinstance(agency_id, bool) or not isinstance(agency_id, int) or agency_id not in self.agencies:
                problems.append(FieldProblem("agency_id", "the id of an agency"))
            else:
                changes["agency_id"] = agency_id
        for name, max_len, pattern in (("name", 128, None), ("callsign", 32, None), ("device_id", 64, DEVICE)):
            value = _text(body, name, problems, max_len=max_len, pattern=pattern,
                          required=creating and name in ("name", "device_id"))
            if value is not None:
                changes[name] = value
        if "kind" in body:
            if body["kind"] not in OfficerKind.__members__.values():
                problems.append(FieldProblem("kind", f"one of {', '.join(OfficerKind)}"))
            else:
                changes["kind"] = body["kind"]
        for name in ("available", "active"):
            value = _bool(body, name, problems)
            if value is not None:
                changes[name] = value
        if "username" in body:
            username = body["username"]
            user = await self.store.api_users.by_username(username) if isinstance(username, str) else None
            if username is None:
                changes["user_id"] = None
            elif user is None or str(user.role) != Role.OFFICER.value:
                problems.append(FieldProblem("username", "the name of a user with the role officer"))
            else:
                changes["user_id"] = user.id
                self.usernames[user.id] = user.username
        if problems:
            raise Invalid(problems)
        if "device_id" in changes and changes["device_id"] in self.by_device:
            raise Conflict(f"device id {changes['device_id']!r} is taken", message_id="id perangkat sudah dipakai")
        return changes

    async def create_officer(self, principal: Principal, body: Any) -> dict[str, Any]:
        require(principal, ADMIN_ONLY)
        changes = await self._officer_changes(principal, body, creating=True)
        token = secrets.token_urlsafe(24)
        officer = await self.store.officers.add(at=self.clock.wall(), **{
            "kind": OfficerKind.OFFICER.value, "callsign": "", "available": True, "active": True,
            **changes, "token_sha256": token_hash(token)})
        self._keep(officer)
        log.info("officer_created", officer_id=officer.id, agency_id=officer.agency_id, actor=principal.username)
        return {**self.officer_dict(officer), "device_token": token}

    async def update_officer(self, principal: Principal, officer_id: int, body: Any) -> dict[str, Any]:
        if not principal.is_field:
            require(principal, ADMIN_ONLY)
        officer = self.officer(officer_id)
        if principal.is_field:  # an agency dispatcher: their officers' availability; an officer: their own
            self.check_agency(principal, officer.agency_id)
            if principal.role is Role.OFFICER and principal.officer_id != officer_id:
                raise Forbidden("an officer changes only their own availability",
                                message_id="petugas hanya boleh mengubah ketersediaannya sendiri")
            if not isinstance(body, Mapping) or set(body) - {"available"}:
                raise Forbidden("only an officer's availability may be changed here",
                                message_id="di sini hanya ketersediaan petugas yang boleh diubah")
        changes = await self._officer_changes(principal, body, creating=False)
        officer = await self.store.officers.update(officer_id, changes, self.clock.wall())
        self._keep(officer)
        view = self.officer_dict(officer)
        self.notices.publish("officer_changed", officer=view, agency_id=officer.agency_id, officer_id=officer.id)
        return view

    async def new_device_token(self, principal: Principal, officer_id: int) -> dict[str, Any]:
        require(principal, ADMIN_ONLY)
        self.officer(officer_id)
        token = secrets.token_urlsafe(24)
        officer = await self.store.officers.update(officer_id, {"token_sha256": token_hash(token)}, self.clock.wall())
        self._keep(officer)
        return {**self.officer_dict(officer), "device_token": token}

    # --- devices ---------------------------------------------------------------------------------
    def device(self, device_id: str, token: str) -> Any:
        """The active officer whose device this is, when the token is its own; `Unauthenticated` otherwise
        (the same answer for an unknown device and a wrong token)."""
        officer = self.officers.get(self.by_device.get(device_id, -1))
        expected = officer.token_sha256 if officer is not None else None
        if not token or expected is None or not hmac.compare_digest(token_hash(token), expected) \
                or not officer.active:
            raise Unauthenticated("unknown device or wrong device token",
                                  message_id="perangkat tidak dikenal atau token perangkat salah")
        return officer

    @staticmethod
    def _position_dict(position: Any) -> dict[str, Any]:
        return {k: plain_value(getattr(position, k)) for k in (
            "officer_id", "lat", "lon", "at", "received_at", "speed_kmh", "bearing", "altitude", "accuracy_m",
            "battery", "source")}
