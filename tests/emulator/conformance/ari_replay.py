"""Replay a recorded ARI trace (`ari-*.jsonl`) against the emulator and compare.

The replay drives the same REST requests and WebSocket connections the trace shows, in order.
Before each request it waits (briefly) until every socket has received as many compared events
as the trace had received by then, so ids can be learned: the k-th compared event of a socket
is paired with the trace's k-th, and the trace's channel / bridge / playback ids map to the
emulator's. Requests are rewritten with those ids.

Comparison (`AriReplay.differences()`), of every event on every socket:
- REST: the status of every response; error bodies exactly; success bodies by shape (the set of
  keys, recursively; list lengths).
- Events, per socket and per channel (channel names normalised: `Local/112@from-pstn-<1>;2`):
  the sequence of event types, each event's shape (its set of fields, recursively), and the
  values that matter (args, cause, soft, cause_txt, dialstatus, digit, states, the channel's
  caller and connected line, the variable a ChannelVarset sets and for VALUE_VARIABLES its
  value, a ChannelDialplan's application and data); channel names inside values are compared
  without their numeric suffix; ids, times and other values may differ. Events about no
  channel (bridges, playbacks, recordings, endpoints, the app) are compared as one more sequence.
- Orders that are not compared, because Asterisk itself does not keep them: between sockets
  (each socket is compared on its own) and between channels (events are grouped per channel,
  which absorbs the README's "the order of the two Local halves' ChannelDestroyed differs
  between identical runs"; ari-01 and ari-06, one scenario recorded twice, interleave other
  channels' events differently too: tests/emulator/test_ari_conformance.py shows it).
`excused={(socket, event type): reason}` leaves one event type (or `ChannelVarset:NAME`, one
variable) out on one socket, for a deviation a test names with its reason (none by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp

VALUE_PATHS = (
    ("args",), ("cause",), ("soft",), ("cause_txt",), ("dialstatus",), ("digit",),
    ("channel", "state"), ("peer", "state"), ("playback", "state"), ("recording", "state"),
    ("bridge", "bridge_type"), ("bridge", "technology"), ("device_state", "state"),
    ("endpoint", "state"), ("peer", "peer_status"), ("contact_info", "contact_status"), ("variable",),
    ("dialplan_app",), ("dialplan_app_data",), ("channel", "caller"), ("channel", "connected"),
)
VALUE_VARIABLES = frozenset({"STASISSTATUS", "BRIDGEPEER", "QUEUEPOSITION", "ABANDONED", "QUEUESTATUS"})
CHANNEL_SUFFIX = re.compile(r"-[0-9a-f]{8}(?=;[12]|\b)")
LOCAL_SUFFIX = re.compile(r"-([0-9a-f]{8})(;[12])?$")
Hook = Callable[["AriReplay"], Awaitable[None]]


def is_compared(event: dict[str, Any], excused: frozenset[str]) -> bool:
    """False for an excused event type, or (`ChannelVarset:NAME`) one excused variable."""
    if event.get("type") == "ChannelVarset" and f"ChannelVarset:{event.get('variable')}" in excused:
        return False
    return event.get("type") not in excused


def load_trace(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def shape(value: Any) -> Any:
    """The structure of a JSON value without its data: dict keys recursively, list item shapes."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return ["list", shape(value[0])] if value and isinstance(value[0], dict) else "list"
    return "scalar" if value is not None else None


def pick(event: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = event
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return "<absent>"
        value = value[key]
    return value


@dataclass
class SocketLog:
    label: str
    app: str
    excused: frozenset[str]
    events: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def significant(self) -> list[dict[str, Any]]:
        return [e for e in self.events if is_compared(e, self.excused)]


@dataclass
class RestExchange:
    seq: int
    method: str
    path: str
    trace_status: int
    trace_body: Any
    status: int = 0
    body: Any = None
    elapsed: float = 0.0  # seconds from sending the request to its answer


class AriReplay:
    def __init__(self, base_url: str, records: list[dict[str, Any]], *, user: str, password: str,
                 hooks: dict[int, Hook] | None = None, excused: Mapping[tuple[str, str], str] | None = None,
                 sync_timeout: float = 2.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.records = records
        self.auth = aiohttp.encode_basic_auth(user, password)
        self.hooks = hooks or {}
        self.excused = dict(excused or {})
        self.sync_timeout = sync_timeout
        self.ids: dict[str, str] = {}
        self.logs: dict[str, SocketLog] = {}
        self.trace_logs: dict[str, SocketLog] = {}
        self.exchanges: list[RestExchange] = []
        self.ws_outcomes: list[tuple[str, int | None, int | None]] = []  # label, trace, emulator status
        self._sockets: dict[str, aiohttp.ClientWebSocketResponse] = {}
        self._readers: dict[str, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    # ---- running ---------------------------------------------------------------------------------
    async def run(self) -> None:
        self._session = aiohttp.ClientSession()
        try:
            for index, record in enumerate(self.records):
                await self._step(index, record)
            await self._sync(len(self.records))
        finally:
            await self.close()

    async def close(self) -> None:
        for label in list(self._sockets):
            await self._close_socket(label)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _step(self, index: int, record: dict[str, Any]) -> None:
        kind = record["kind"]
        if record["seq"] in self.hooks:
            await self._sync(index)
            await self.hooks[record["seq"]](self)
        if kind == "ws_connect":
            await self._connect(index, record)
        elif kind == "ws_closed" and record["ws"] in self._sockets:
            await self._sync(index)
            await self._close_socket(record["ws"])
        elif kind == "rest_request":
            await self._sync(index)
            await self._request(index, record)

    def _trace_count(self, label: str, before: int) -> int:
        log = self.logs[label]
        return sum(1 for r in self.records[:before]
                   if r["kind"] == "ws_event" and r["ws"] == label and is_compared(r["event"], log.excused))

    async def _sync(self, before: int) -> None:
        """Wait until each socket has as many compared events as the trace had at this point."""
        for label, log in self.logs.items():
            wanted = self._trace_count(label, before)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.sync_timeout):
                    while len(log.significant()) < wanted:
                        log.changed.clear()
                        await log.changed.wait()
            self._learn_ids(label)

    # ---- WebSockets ------------------------------------------------------------------------------
    async def _connect(self, index: int, record: dict[str, Any]) -> None:
        label = record["ws"]
        query = dict(parse_qsl(urlsplit(record["url"]).query))
        expected_error = next((r for r in self.records[index + 1:]
                               if r["kind"] == "ws_error" and r["ws"] == label), None)
        url = f"{self.base_url}/ari/events"
        assert self._session is not None
        try:
            ws = await self._session.ws_connect(url, params=query)
        except aiohttp.WSServerHandshakeError as err:
            self.ws_outcomes.append((label, expected_error and expected_error["status"], err.status))
            return
        self.ws_outcomes.append((label, expected_error and expected_error["status"], 101))
        self.logs[label] = SocketLog(label, query.get("app", ""), self.excused_types(label))
        self._sockets[label] = ws
        self._readers[label] = asyncio.get_running_loop().create_task(self._read(label, ws))

    async def _read(self, label: str, ws: aiohttp.ClientWebSocketResponse) -> None:
        log = self.logs[label]
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                log.events.append(json.loads(message.data))
                log.changed.set()

    async def _close_socket(self, label: str) -> None:
        ws = self._sockets.pop(label)
        await ws.close()
        reader = self._readers.pop(label)
        with contextlib.suppress(asyncio.CancelledError):
            await reader

    # ---- REST ------------------------------------------------------------------------------------
    def exchange(self, seq: int) -> RestExchange:
        """The replayed exchange of the trace's request `seq`."""
        return next(e for e in self.exchanges if e.seq == seq)

    def translate(self, text: str) -> str:
        return self.ids.get(text, text)

    async def _request(self, index: int, record: dict[str, Any]) -> None:
        response = next(r for r in self.records[index + 1:] if r["kind"] == "rest_response")
        path = "/".join(self.translate(part) for part in record["path"].split("/"))
        query = {k: ",".join(self.translate(v) for v in str(value).split(","))
                 for k, value in (record.get("query") or {}).items()}
        headers = {"Authorization": self.auth}
        if "bad password" in (record.get("tag") or ""):
            headers["Authorization"] = aiohttp.encode_basic_auth("cc112", "wrong")
        assert self._session is not None
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with self._session.request(record["method"], f"{self.base_url}/ari{path}", params=query,
                                         headers=headers) as reply:
            text = await reply.text()
            body = json.loads(text) if text and reply.content_type == "application/json" else None
        exchange = RestExchange(record["seq"], record["method"], record["path"], response["status"],
                                response.get("body"), reply.status, body, loop.time() - started)
        self.exchanges.append(exchange)
        self._learn_from_bodies(exchange.trace_body, body)

    def _learn_from_bodies(self, trace: Any, emulated: Any) -> None:
        if isinstance(trace, dict) and isinstance(emulated, dict):
            for key in ("id",):
                if isinstance(trace.get(key), str) and isinstance(emulated.get(key), str):
                    self.ids.setdefault(trace[key], emulated[key])
        elif isinstance(trace, list) and isinstance(emulated, list):
            by_name = {normalise_name(e.get("name", "")): e for e in emulated if isinstance(e, dict)}
            for item in trace:
                if isinstance(item, dict) and "name" in item:
                    match = by_name.get(normalise_name(item["name"]))
                    if match is not None:
                        self._learn_from_bodies(item, match)

    def _learn_ids(self, label: str) -> None:
        log = self.logs[label]
        trace = [r["event"] for r in self.records if r["kind"] == "ws_event" and r["ws"] == label
                 and is_compared(r["event"], log.excused)]
        for mine, theirs in zip(log.significant(), trace, strict=False):
            if mine["type"] != theirs["type"]:
                continue
            for key in ("channel", "peer", "bridge", "playback"):
                a, b = theirs.get(key), mine.get(key)
                if isinstance(a, dict) and isinstance(b, dict) and "id" in a and "id" in b:
                    self.ids.setdefault(a["id"], b["id"])

    # ---- results ---------------------------------------------------------------------------------
    def excused_types(self, label: str) -> frozenset[str]:
        return frozenset(event_type for (socket, event_type) in self.excused if socket == label)

    def trace_events(self, label: str) -> list[dict[str, Any]]:
        excused = self.excused_types(label)
        return [r["event"] for r in self.records
                if r["kind"] == "ws_event" and r["ws"] == label and is_compared(r["event"], excused)]

    def differences(self, ignore: tuple[str, ...] = ()) -> list[str]:
        """Every mismatch found, minus those starting with one of the `ignore` prefixes."""
        return [p for p in self._differences() if not p.startswith(ignore)]

    def _differences(self) -> list[str]:
        problems: list[str] = []
        for exchange in self.exchanges:
            problems.extend(compare_rest(exchange))
        for label, trace_status, status in self.ws_outcomes:
            expected = trace_status or 101
            if expected != status:
                problems.append(f"ws {label}: handshake status {status}, trace {expected}")
        for label, log in self.logs.items():
            problems.extend(compare_events(label, self.trace_events(label), log.significant()))
        return problems


def normalise_name(name: str, seen: dict[str, dict[str, int]] | None = None) -> str:
    """`Local/112@from-pstn-0000000b;2` -> `Local/112@from-pstn-<1>;2`: n counts the distinct
    channels of that base name in order of first sight."""
    match = LOCAL_SUFFIX.search(name)
    if not match:
        return name
    base, half = name[:match.start()], match.group(2) or ""
    if seen is None:
        return f"{base}-<n>{half}"
    numbers = seen.setdefault(base, {})
    number = numbers.setdefault(match.group(1), len(numbers) + 1)
    return f"{base}-<{number}>{half}"


def compare_rest(exchange: RestExchange) -> list[str]:
    where = f"#{exchange.seq} {exchange.method} {exchange.path}"
    if exchange.status != exchange.trace_status:
        return [f"{where}: status {exchange.status} {exchange.body}, trace {exchange.trace_status} "
                f"{exchange.trace_body}"]
    if exchange.status >= 400:
        return [] if exchange.body == exchange.trace_body else [
            f"{where}: body {exchange.body}, trace {exchange.trace_body}"]
    if shape(exchange.body) != shape(exchange.trace_body):
        return [f"{where}: body shape {shape(exchange.body)}, trace {shape(exchange.trace_body)}"]
    if isinstance(exchange.body, list) and len(exchange.body) != len(exchange.trace_body):
        return [f"{where}: {len(exchange.body)} items, trace {len(exchange.trace_body)}"]
    return []


def _by_channel(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    seen: dict[str, dict[str, int]] = {}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        subject = event.get("channel") or event.get("peer")
        named = isinstance(subject, dict) and "name" in subject
        key = normalise_name(subject["name"], seen) if named else "-"
        grouped.setdefault(key, []).append(event)
    return grouped


def _summary(event: dict[str, Any]) -> tuple[Any, ...]:
    """The values compared; channel names inside values lose their numeric suffix."""
    values = [pick(event, path) for path in VALUE_PATHS]
    if event.get("variable") in VALUE_VARIABLES:
        values.append(event.get("value"))
    return tuple(CHANNEL_SUFFIX.sub("-<n>", v) if isinstance(v, str) else v for v in (event["type"], *values))


def compare_events(label: str, trace: list[dict[str, Any]], mine: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    theirs_grouped, mine_grouped = _by_channel(trace), _by_channel(mine)
    for key in sorted(set(theirs_grouped) | set(mine_grouped)):
        a, b = theirs_grouped.get(key, []), mine_grouped.get(key, [])
        types_a, types_b = [e["type"] for e in a], [e["type"] for e in b]
        if types_a != types_b:
            problems.append(f"ws {label} [{key}]: events {types_b}, trace {types_a}")
            continue
        for event_a, event_b in zip(a, b, strict=True):
            if _summary(event_a) != _summary(event_b):
                problems.append(f"ws {label} [{key}] {event_a['type']}: values {_summary(event_b)}, "
                                f"trace {_summary(event_a)}")
            elif shape(event_a) != shape(event_b):
                problems.append(f"ws {label} [{key}] {event_a['type']}: shape {shape(event_b)}, "
                                f"trace {shape(event_a)}")
    return problems
