"""Call tags through the API (issue 19): the call taker tags a call prank, abusive, ghost
(accidental) or silent in one key press; the reports count them by day, hour, tag and number.

A call taker tags only calls their own seat had (the live call at their seat, or a stored call
of their seat); staff tag any call. A prank or abusive tag counts towards the number's flag
(`NuisanceNumbers`, kept in the controller's context so the next call from that number is
flagged on its screen pop the moment it arrives). A flag never blocks a call. At start, the
prank/abusive tags still inside the window are read back from the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog

from cc112_pbx.domain.call_tags import NUISANCE, CallTag, NuisanceNumbers, TaggedCall, parse_tag, tag_statistics
from cc112_pbx.domain.caller import callback_number
from cc112_pbx.domain.timeline import TimelineEntry, TimelineKind
from cc112_pbx.services.access import STAFF, Principal, require, seat_scope
from cc112_pbx.services.api_errors import FieldProblem, Forbidden, Invalid, NotFound
from cc112_pbx.services.controller import Controller
from cc112_pbx.services.incident_service import parse_time
from cc112_pbx.services.plain import plain
from cc112_pbx.services.ports import CallHistoryStore, CallTagStore, Notices, TimelineRepository
from cc112_pbx.services.sessions import CallKind

log = structlog.get_logger("cc112.call_tags")

MAX_WINDOW = timedelta(days=366)
DEFAULT_WINDOW = timedelta(days=7)
LOAD_LANE = "call-tags-load"


class CallTagServiceStore(Protocol):
    """The database as the call tag service sees it (`cc112_pbx.storage.Database`)."""

    @property
    def call_tags(self) -> CallTagStore: ...

    @property
    def calls(self) -> CallHistoryStore: ...

    @property
    def timeline(self) -> TimelineRepository: ...


@dataclass(frozen=True, slots=True)
class _TaggedCall:
    """What a tag needs to know of its call (live or stored)."""

    call_id: str
    seat_id: str | None
    incident_id: int | None
    number: str | None


def _tag_named(text: object) -> CallTag:
    try:
        return parse_tag(text)
    except ValueError as exc:
        raise Invalid([FieldProblem("tag", str(exc))], "unknown call tag",
                      message_id="tanda panggilan tidak dikenal") from None


def time_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("time_zone_unknown", time_zone=name, using="UTC")
        return ZoneInfo("UTC")


class CallTagService:
    def __init__(self, store: CallTagServiceStore, controller: Controller, notices: Notices,
                 zone_name: str = "Asia/Jakarta") -> None:
        self.store = store
        self.controller = controller
        self.notices = notices
        self.clock = controller.ctx.clock
        self.zone_name = zone_name
        self.zone = time_zone(zone_name)

    @property
    def nuisance(self) -> NuisanceNumbers:
        return self.controller.ctx.nuisance

    # --- start: the flags survive a restart ----------------------------------------------------------
    def start(self) -> None:
        """Read back the prank/abusive tags still inside the flag window (a lane job)."""
        self.controller.ctx.lanes.submit(LOAD_LANE, "call_tags_load", self.load)

    async def load(self) -> int:
        now = self.clock.wall()
        since = now - timedelta(seconds=self.nuisance.policy.flag_window)
        rows = await self.store.call_tags.between(since, now + timedelta(seconds=1), tags=[t.value for t in NUISANCE])

        def remember() -> None:
            for row in rows:
                self.nuisance.add(row.number, row.at)

        await self.controller.request(remember)
        log.info("call_tags_loaded", nuisance=len(rows))
        return len(rows)

    # --- tagging --------------------------------------------------------------------------------------
    async def _call(self, principal: Principal, call_id: str) -> _TaggedCall:
        def live() -> _TaggedCall | None:
            session = self.controller.ctx.sessions.calls.get(call_id)
            if session is None or session.kind is not CallKind.INBOUND:
                return None
            return _TaggedCall(call_id, session.seat_id, session.incident_id, callback_number(session.caller_number))

        call = await self.controller.request(live)
        if call is None:
            stored = await self.store.calls.get(call_id)
            if stored is None or stored.direction != "inbound":
                raise NotFound(f"call {call_id} not found", message_id=f"panggilan {call_id} tidak ditemukan")
            call = _TaggedCall(call_id, stored.seat_id, stored.incident_id, callback_number(stored.caller_number))
        scope = seat_scope(principal)
        if scope is not None and call.seat_id != scope:
            raise Forbidden("a call taker tags only the calls their own seat had",
                            message_id="petugas hanya menandai panggilan di mejanya sendiri")
        return call

    async def tag(self, principal: Principal, call_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        tag = _tag_named(body.get("tag") if isinstance(body, Mapping) else None)
        call = await self._call(principal, call_id)
        now = self.clock.wall()
        record, created = await self.store.call_tags.add(call_id=call_id, tag=tag.value, actor=principal.username,
                                                         at=now, incident_id=call.incident_id, number=call.number)
        flag = None
        if created:
            if call.incident_id is not None:
                await self.store.timeline.append(call.incident_id, [TimelineEntry(
                    TimelineKind.NOTE, now, principal.username, call_id,
                    {"text": f"Call tagged {tag.value}", "tag": tag.value})], key=f"tag:{call_id}:{tag.value}")
            if tag in NUISANCE:
                await self.controller.request(lambda: self.nuisance.add(call.number, record.at))
        if call.number is not None:
            flag = await self.controller.request(lambda: self.nuisance.flag(call.number, now))
        flag_dict = flag.as_dict() if flag is not None else None
        log.info("call_tagged", call_id=call_id, tag=tag.value, actor=principal.username, created=created,
                 flagged=flag is not None)
        self.notices.publish("call_tagged", call_id=call_id, incident_id=call.incident_id, seat=call.seat_id,
                             tag=tag.value, actor=principal.username, prank_flag=flag_dict)
        return {"tag": plain(record), "created": created, "prank_flag": flag_dict,
                "tags": [str(t.tag) for t in await self.store.call_tags.for_call(call_id)]}

    async def untag(self, principal: Principal, call_id: str, tag_name: str) -> dict[str, Any]:
        tag = _tag_named(tag_name)
        await self._call(principal, call_id)
        removed = await self.store.call_tags.remove(call_id, tag.value)
        if removed is None:
            raise NotFound(f"call {call_id} has no tag {tag.value}",
                           message_id=f"panggilan {call_id} tidak bertanda {tag.value}")
        if tag in NUISANCE:
            await self.controller.request(lambda: self.nuisance.remove(removed.number, removed.at))
        log.info("call_untagged", call_id=call_id, tag=tag.value, actor=principal.username)
        return {"removed": plain(removed), "tags": [str(t.tag) for t in await self.store.call_tags.for_call(call_id)]}

    async def tags_of(self, principal: Principal, call_id: str) -> dict[str, Any]:
        await self._call(principal, call_id)
        return {"call_id": call_id, "tags": [plain(t) for t in await self.store.call_tags.for_call(call_id)]}

    # --- reports --------------------------------------------------------------------------------------
    async def statistics(self, principal: Principal, query: Mapping[str, str]) -> dict[str, Any]:
        """Tags in [from, to) (default: the last 7 days) by tag, local day, local hour and number
        (the `top` numbers, default 20), in `[http] time_zone`; and the numbers flagged now."""
        require(principal, STAFF)
        problems: list[FieldProblem] = []
        now = self.clock.wall()
        start = parse_time("from", query.get("from"), problems)
        end = parse_time("to", query.get("to"), problems)
        top = 20
        if "top" in query:
            try:
                top = int(query["top"])
                if not 1 <= top <= 200:
                    raise ValueError
            except ValueError:
                problems.append(FieldProblem("top", "a whole number from 1 to 200"))
        end = end or now
        start = start or end - DEFAULT_WINDOW
        if not problems and start >= end:
            problems.append(FieldProblem("from", "must be before `to`"))
        if not problems and end - start > MAX_WINDOW:
            problems.append(FieldProblem("to", "the window may span at most 366 days"))
        if problems:
            raise Invalid(problems)
        rows = await self.store.call_tags.between(start, end)
        stats = tag_statistics((TaggedCall(str(r.tag), r.number, r.at) for r in rows), self.zone, top=top)
        numbers = {item["number"] for item in stats["by_number"]}
        flags = await self.controller.request(
            lambda: [f for f in (self.nuisance.flag(n, now) for n in sorted(numbers)) if f is not None])
        return {"from": start.isoformat(), "to": end.isoformat(), "time_zone": self.zone_name, **stats,
                "flagged_numbers": [f.as_dict() for f in flags]}
