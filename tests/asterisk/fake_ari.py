"""A small ARI server (aiohttp, real loopback HTTP + WebSocket) answering with trace bodies.

State is two dicts of raw ARI JSON (`channels`, `bridges`) the test edits directly. Faults are
queued per "METHOD /path": a status + body, a delay, or "drop" (close the socket without an
answer). `send()` pushes a frame to every open event socket; `close_sockets()` closes them
from the server side; `stop()` / `start()` restart on the same port.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from dataclasses import dataclass

from aiohttp import WSCloseCode, web

from tests.asterisk.traces import rest_body

USER, PASSWORD = "cc112", "cc112secret"


@dataclass
class Fault:
    status: int = 500
    body: str = '{"message":"Internal Server Error"}'
    delay: float = 0.0  # seconds this Asterisk takes to answer: the scenario of a slow server
    drop: bool = False
    then_event: str | None = None  # push this frame on the sockets before answering


def trace_json(trace: str, method: str, path: str, nth: int = 0) -> object:
    return json.loads(rest_body(trace, method, path, nth)[1])


def stasis_channel(channel_id: str, app_data: str = "cc112,inbound,112", number: str = "+4930123456") -> dict:
    """A channel in Stasis, shaped like `GET /channels/{id}` of the ari-07 trace."""
    body = dict(trace_json("ari-07-stasis-args-and-list.jsonl", "GET", "/channels/1795938506.1"))  # type: ignore[arg-type]
    body.update(id=channel_id, name=f"PJSIP/pstn-{channel_id}", caller={"name": "", "number": number},
                dialplan={"context": "cc112-inbound", "exten": "112", "priority": 2, "app_name": "Stasis",
                          "app_data": app_data})
    return body


def stasis_start(channel: dict, args: list[str] | None = None) -> str:
    app, *rest = channel["dialplan"]["app_data"].split(",")
    return json.dumps({"type": "StasisStart", "timestamp": "2026-11-29T07:48:34.331+0000",
                       "args": rest if args is None else args, "channel": channel, "application": app})


class FakeAri:
    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.channels: dict[str, dict] = {}
        self.bridges: dict[str, dict] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[tuple[str, str, dict[str, str], object]] = []
        self.ws_connects = 0
        self.sockets: set[web.WebSocketResponse] = set()
        self._connected = asyncio.Event()
        self.deaf = False
        self._wake = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fault(self, method: str, path: str, *faults: Fault) -> None:
        self.faults.setdefault(f"{method} {path}", []).extend(faults)

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _, _ in self.requests if (m, p) == (method, path))

    async def start(self) -> None:
        app = web.Application(middlewares=[self._auth_and_faults])
        app.router.add_get("/ari/events", self._events)
        app.router.add_route("*", "/ari/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self.close_sockets()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeAri:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def send(self, frame: str | dict) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        for ws in list(self.sockets):
            await ws.send_str(text)

    async def close_sockets(self) -> None:
        self._wake.set()
        for ws in list(self.sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY)

    async def wait_for_sockets(self, count: int, timeout: float = 3.0) -> None:
        async with asyncio.timeout(timeout):
            while self.ws_connects < count:
                self._connected.clear()
                await self._connected.wait()

    # --- HTTP -----------------------------------------------------------------------------

    @web.middleware
    async def _auth_and_faults(self, request: web.Request, handler):
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return web.json_response({"message": "Authentication required"}, status=401)
        path = request.path.removeprefix("/ari")
        body = await request.json() if request.can_read_body else None
        self.requests.append((request.method, path, dict(request.query), body))
        queued = self.faults.get(f"{request.method} {path}")
        if queued:
            fault = queued.pop(0)
            if fault.then_event:
                await self.send(fault.then_event)
            if fault.drop:
                assert request.transport is not None
                request.transport.close()
                raise ConnectionResetError("dropped by the test")
            if fault.delay:
                await asyncio.sleep(fault.delay)  # the slow answer is the scenario, not a wait
            if fault.status:
                return web.Response(status=fault.status, text=fault.body, content_type="application/json")
        return await handler(request)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        if "app" not in request.query:
            return web.Response(status=400, text="missing app")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.ws_connects += 1
        self.sockets.add(ws)
        self._connected.set()
        try:
            if self.deaf:  # a half-open peer: reads nothing, so answers no ping
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=5)
            async for _ in ws:
                pass
        finally:
            self.sockets.discard(ws)
        return ws

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        method, parts = request.method, request.path.removeprefix("/ari/").split("/")
        if parts == ["asterisk", "info"]:
            return web.json_response(trace_json("ari-01-bridge-record-seat.jsonl", "GET", "/asterisk/info"))
        if parts[0] == "channels":
            return self._channels(method, parts[1:], request)
        if parts[0] == "bridges":
            return self._bridges(method, parts[1:])
        return web.json_response({"message": "Resource not found"}, status=404)

    def _channels(self, method: str, rest: list[str], request: web.Request) -> web.Response:
        if not rest:
            if method == "GET":
                return web.json_response(list(self.channels.values()))
            channel_id = request.query.get("channelId", "1795938506.9")
            body = stasis_channel(channel_id, app_data="cc112,seat,seat01")
            self.channels[body["id"]] = body
            return web.json_response(body)
        channel = self.channels.get(rest[0])
        if channel is None:
            return web.json_response({"message": "Channel not found"}, status=404)
        if method == "DELETE" and len(rest) == 1:
            del self.channels[rest[0]]
            return web.Response(status=204)
        if method == "GET":
            return web.json_response(channel)
        if rest[1:] == ["play"]:
            body = dict(trace_json("ari-01-bridge-record-seat.jsonl", "POST", "/channels/1795938140.23/play"))  # type: ignore[arg-type]
            body.update(media_uri=request.query.get("media", ""), target_uri=f"channel:{rest[0]}")
            return web.json_response(body, status=201)
        return web.Response(status=204)

    def _bridges(self, method: str, rest: list[str]) -> web.Response:
        if not rest and method == "GET":
            return web.json_response(list(self.bridges.values()))
        if not rest:
            body = trace_json("ari-01-bridge-record-seat.jsonl", "POST", "/bridges")
            self.bridges[body["id"]] = body  # type: ignore[index]
            return web.json_response(body)
        bridge = self.bridges.get(rest[0])
        if bridge is None:
            return web.json_response({"message": "Bridge not found"}, status=404)
        if method == "DELETE" and len(rest) == 1:
            del self.bridges[rest[0]]
            return web.Response(status=204)
        if method == "GET":
            return web.json_response(bridge)
        return web.Response(status=204)
