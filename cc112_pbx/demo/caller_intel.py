"""The demo's caller intelligence (issue 19): handsets that send their AML position (some before
the call arrives, some during it) over the real HTTP AML endpoint with a sender token; one number
that pranks three times (its call taker tags each call prank over the HTTP API, with their own
call-taker token, so the third call arrives flagged, and is still answered); ghost callers who
hang up at once (tagged by the system); and a caller who cannot speak: after the silence the
controller's prompt asks them to press 5 5 (the `caller_silent` notice), and they do.

`assign(callers, pace)` picks those callers among the scenario's reporting citizens (without
touching the random stream, so the rest of the scenario is as before); `CallerIntel` plays their
part while the demo runs and adds `aml_matched`, `prank_tagged`, `ghost_tagged`,
`silent_emergencies` and `prank_flagged_calls` to the demo's result.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import structlog

if TYPE_CHECKING:
    from cc112_pbx.demo.scenario import DemoCaller, DemoScenario
    from cc112_pbx.harness import Switchboard

log = structlog.get_logger("cc112.demo.intel")

PRANK_NUMBER = "+6281299000112"  # the demo's repeat prank caller
SEMARANG = (-6.9903, 110.4229)
GHOST_PATIENCE = 0.25  # seconds: hangs up before any seat could answer (below the demo's ghost threshold)
AML_BEFORE = 2.0  # seconds before the call its position is posted (scaled by the pace)
AML_DURING = 0.5  # seconds after the call arrived


def assign(callers: Sequence[DemoCaller], pace: float) -> list[DemoCaller]:
    """Three callers become one prank number, one a silent caller (5 5), one a ghost caller, and
    three more send AML positions (two before their call, one during it): all chosen among the
    reporting citizens with a number, the pranks spread over the run."""
    reports = [i for i, c in enumerate(callers) if c.kind == "report" and c.number and c.number.startswith("+")]
    out = list(callers)
    n = len(reports)
    if n < 4:
        return out
    pranks = sorted({reports[0], reports[n // 4], reports[-1]})  # the last late: the first two tagged by then
    free = [i for i in reports if i not in pranks]
    changes: dict[int, dict[str, Any]] = {i: {"number": PRANK_NUMBER, "kind": "prank"} for i in pranks}
    if free:
        changes[free[0]] = {"kind": "silent", "silent": True}  # presses 5 5 when the prompt asks
    if len(free) >= 3:
        changes[free[len(free) // 2]] = {"kind": "ghost", "patience": GHOST_PATIENCE}
    aml = [i for i in free if i not in changes]
    for i, when in zip(aml[:2] + aml[-1:] if len(aml) >= 3 else aml, ("before", "before", "during"), strict=False):
        changes[i] = {"aml": when}
    for i, change in changes.items():
        out[i] = dataclasses.replace(out[i], **change)
    return out


def position_of(caller: DemoCaller) -> tuple[float, float, float]:
    """A repeatable position in Semarang for the caller, and its accuracy radius (m)."""
    digest = hashlib.sha256((caller.number or "").encode()).digest()
    lat = SEMARANG[0] + (digest[0] - 128) / 128 * 0.04
    lon = SEMARANG[1] + (digest[1] - 128) / 128 * 0.06
    return round(lat, 5), round(lon, 5), float(8 + digest[2] % 40)


def aml_form(caller: DemoCaller, message_number: int) -> dict[str, str]:
    lat, lon, radius = position_of(caller)
    top = (datetime.now(UTC) - timedelta(seconds=3)).strftime("%Y%m%d%H%M%S")
    return {"v": "1", "thisMsgNum": str(message_number), "msisdn": caller.number or "", "lt": f"{lat:.5f}",
            "lg": f"{lon:.5f}", "rd": f"{radius:.0f}", "top": top, "lc": "68", "pm": "G", "si": "510100000000000",
            "ei": "355458061005220", "mcc": "510", "mnc": "10", "ml": "150"}


class CallerIntel:
    def __init__(self, scenario: DemoScenario, pace: float = 1.0) -> None:
        self.scenario = scenario
        self.pace = pace
        self._token = secrets.token_urlsafe(24)
        digest = hashlib.sha256(self._token.encode()).hexdigest()
        # the `[aml]` settings of the demo's controller: one operator, its token known only to this run
        self.aml_settings = {"senders": (f"demo-operator:{digest}",), "match_window": 300}
        self.prank_numbers = {c.number for c in scenario.callers if c.kind == "prank"}
        self.silent_numbers = {c.number for c in scenario.callers if c.kind == "silent"}
        self.aml_posted = 0
        self.prank_flagged_calls = 0
        self.tag_failures = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: aiohttp.ClientSession | None = None
        self._sb: Switchboard | None = None
        self._seat_tokens: dict[str, str] = {}
        self._unsubscribe: Callable[[], None] | None = None

    async def start(self, sb: Switchboard, seats: int) -> None:
        """With the API up: a call-taker token per seat, and the AML posts on the scenario's clock
        (started with the callers)."""
        if not sb.api:
            return
        self._sb = sb
        self._http = aiohttp.ClientSession()
        for n in range(1, seats + 1):
            seat = f"seat{n:02d}"
            self._seat_tokens[seat] = await sb.api_token(f"demo-{seat}", "call_taker", seat=seat)
        self._unsubscribe = sb.notifier.subscribe(self._notice)
        self._spawn(self._post_positions(time.monotonic()))

    def _spawn(self, job: Any) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post_positions(self, start: float) -> None:
        plan = sorted(((max(0.0, c.at - AML_BEFORE * self.pace) if c.aml == "before" else c.at + AML_DURING * self.pace,
                        c) for c in self.scenario.callers if c.aml), key=lambda item: item[0])
        for n, (at, caller) in enumerate(plan, start=1):
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            await self._post("/api/aml", self._token, data=aml_form(caller, n))
            self.aml_posted += 1

    async def _post(self, path: str, token: str, **kwargs: Any) -> dict[str, Any] | None:
        assert self._http is not None and self._sb is not None
        try:
            async with self._http.post(self._sb.api_url + path, headers={"Authorization": f"Bearer {token}"},
                                       **kwargs) as response:
                body = await response.json(content_type=None)
                if response.status >= 300:
                    log.warning("demo_intel_refused", path=path, status=response.status, body=body)
                    return None
                return body
        except aiohttp.ClientError as exc:
            log.warning("demo_intel_failed", path=path, error=str(exc))
            return None

    def _notice(self, notice: dict[str, Any]) -> None:
        """A notifier listener: a prank caller reached a call taker, who tags the call (one key press)."""
        kind = notice.get("kind")
        if kind == "call_arrived" and self._sb is not None:
            session = self._sb.controller.ctx.sessions.calls.get(notice.get("call_id", ""))
            if session is not None and session.prank_flag:
                self.prank_flagged_calls += 1
        elif kind == "caller_silent" and self._sb is not None:
            session = self._sb.controller.ctx.sessions.calls.get(notice.get("call_id", ""))
            if session is not None and session.caller_number in self.silent_numbers:
                self._spawn(self._press_5_5(session.channel_id))
        elif kind == "call_connected" and notice.get("caller") in self.prank_numbers:
            token = self._seat_tokens.get(notice.get("seat") or "")
            if token is not None:
                self._spawn(self._tag(notice["call_id"], token))

    async def _press_5_5(self, channel_id: str) -> None:
        """The silent caller heard the prompt: 5 5 from their handset (the emulated caller's leg)."""
        assert self._sb is not None
        emulator = self._sb.emulator
        call = next((c for c in emulator.timeline.calls if c.inbound_id == channel_id), None)
        if call is not None and call.ended_at is None:
            await emulator.core.send_dtmf(call.channel_id, "55", between_ms=150, duration_ms=120)

    async def _tag(self, call_id: str, token: str) -> None:
        if await self._post(f"/api/calls/{call_id}/tags", token, json={"tag": "prank"}) is None:
            self.tag_failures += 1

    async def finish(self, sb: Switchboard) -> dict[str, Any]:
        """Wait for the last posts and tags; the counts for the demo's result."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._http is not None:
            await self._http.close()
        db, now = sb.app.db, datetime.now(UTC)
        tags = await db.call_tags.between(now - timedelta(days=1), now + timedelta(minutes=1))
        api = sb.app.api
        return {
            "aml_posted": self.aml_posted,
            "aml_matched": api.aml.counts.matched if api is not None else 0,
            "prank_tagged": sum(1 for t in tags if t.tag == "prank"),
            "prank_flagged_calls": self.prank_flagged_calls,
            "ghost_tagged": sum(1 for t in tags if t.tag == "ghost"),
            "silent_emergencies": sum(1 for t in tags if t.tag == "silent" and t.actor == "system"),
        }
