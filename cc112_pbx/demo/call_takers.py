"""The demo's call takers write each report down: when a call that reached a seat ends, the
incident gets the category, a short description and the place the citizen gave, through the
same incident service the console uses (each change on the incident's timeline).

A `Notifier` listener: it never blocks; the writes run as tasks, awaited by `drain()` before
the summary is counted.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog

from cc112_pbx.demo.scenario import DemoCaller
from cc112_pbx.services.access import Principal, Role

log = structlog.get_logger("cc112.demo")


class CallTakers:
    def __init__(self, app: Any) -> None:
        self.app = app  # the running `Cc112App` (its in-process API services)
        self.callers: dict[str, DemoCaller] = {}  # the emulator's inbound channel id -> who calls
        self._calls: dict[str, DemoCaller] = {}  # the controller's call id -> who calls
        self._tasks: set[asyncio.Task[None]] = set()
        self.written = 0

    def placed(self, inbound_channel_id: str, caller: DemoCaller) -> None:
        self.callers[inbound_channel_id] = caller

    def __call__(self, notice: dict[str, Any]) -> None:
        kind = notice.get("kind")
        if kind == "call_arrived":
            session = self.app.api.live.session(notice["call_id"]) if self.app.api is not None else None
            caller = self.callers.get(session.channel_id) if session is not None else None
            if caller is not None:
                self._calls[notice["call_id"]] = caller
        elif kind == "call_ended" and notice.get("outcome") in ("answered", "dropped"):
            caller = self._calls.pop(notice.get("call_id", ""), None)
            if caller is not None and caller.category and notice.get("incident_id") is not None:
                task = asyncio.get_running_loop().create_task(
                    self._write(notice["incident_id"], notice.get("seat"), caller))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _write(self, incident_id: int, seat: str | None, caller: DemoCaller) -> None:
        # the demo has no user per seat: the change is made as a supervisor named after the seat
        who = Principal(user_id=0, username=f"demo-{seat or 'calltaker'}", role=Role.SUPERVISOR)
        changes = {"category": caller.category, "description": caller.description, "address": caller.address}
        try:
            await self.app.api.incidents.change(who, incident_id, {k: v for k, v in changes.items() if v})
            self.written += 1
        except Exception as exc:  # a closed incident, the database away: the demo goes on
            log.warning("demo_report_not_written", incident_id=incident_id, error=repr(exc))

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
