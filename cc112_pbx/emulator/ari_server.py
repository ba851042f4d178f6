"""The ARI HTTP + WebSocket server of the emulator (aiohttp), around one `Core`.

    server = AriServer(core, host="127.0.0.1", port=0, user="cc112", password="secret",
                       recordings_dir=Path(...))
    await server.start(); server.port; server.url  # "http://127.0.0.1:PORT"
    await server.stop()

Test hook: `await server.drop_event_sockets()` closes every events WebSocket from the server side
(a network blip, a restarting proxy): the apps stay registered with their channels and bridges,
the events of the gap are lost, nothing is replayed when the client reconnects (ari-08).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from aiohttp import WSCloseCode, WSMsgType, web

from . import ari_rest_bridges, ari_rest_channels, ari_rest_misc
from .ari_apps import AriApplications
from .ari_control import StasisControls
from .ari_media import AriMedia
from .ari_models import error
from .ari_rest_common import STATE_KEY, AriState, Handler, as_bool
from .core import Core

log = structlog.get_logger(__name__)


def _credentials(request: web.Request) -> str | None:
    """`user:password` from `api_key` or a Basic Authorization header."""
    if "api_key" in request.query:
        return request.query["api_key"]
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            return base64.b64decode(header[6:]).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


def _unauthorized() -> web.Response:
    response = error(401, "Authentication required")
    response.headers["WWW-Authenticate"] = 'Basic realm="Asterisk REST Interface"'
    return response


class AriServer:
    def __init__(self, core: Core, *, host: str = "127.0.0.1", port: int = 8088, user: str = "cc112",
                 password: str = "cc112secret", recordings_dir: Path | None = None,
                 sound_seconds: Callable[[str], float] | None = None,
                 sound_exists: Callable[[str], bool] | None = None, serial_commands: bool = True) -> None:
        self.core = core
        self.host, self._requested_port = host, port
        self._credentials = f"{user}:{password}"
        self.apps = AriApplications(core)
        self.controls = StasisControls(core, serial=serial_commands)
        media_kwargs: dict[str, Any] = {"controls": self.controls}
        if sound_seconds is not None:
            media_kwargs["sound_seconds"] = sound_seconds
        if sound_exists is not None:
            media_kwargs["sound_exists"] = sound_exists
        self.media = AriMedia(core, recordings_dir or Path("recordings"), **media_kwargs)
        self.state = AriState(core, self.apps, self.media, core.now(), controls=self.controls)
        self._sockets: dict[web.WebSocketResponse, asyncio.Event] = {}  # set when its handler ended
        self._socket_owners: dict[web.WebSocketResponse, tuple[list[str], web.Request]] = {}
        self._runner: web.AppRunner | None = None
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth_middleware])
        app[STATE_KEY] = self.state
        app.router.add_get("/ari/events", self._events)
        for module in (ari_rest_channels, ari_rest_bridges, ari_rest_misc):
            app.router.add_routes(module.routes)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.build_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info("emulator_ari_listening", url=self.url)

    @property
    def event_socket_count(self) -> int:
        """How many events WebSockets are open now."""
        return len(self._sockets)

    async def drop_event_sockets(self) -> int:
        """Close every events WebSocket from the server side, as when the network blips or
        Asterisk's HTTP server restarts; return how many were closed.

        Returns once each socket's handler has finished: its apps are detached from it, they stay
        registered and keep their channels and bridges (as Asterisk does, ari-08), and whatever
        happens until a client reconnects is never sent to anyone."""
        dropped = list(self._sockets.items())
        for ws, _ in dropped:
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"emulator: connection dropped")
        for _, finished in dropped:
            await finished.wait()
        log.info("emulator_ari_ws_dropped", sockets=len(dropped))
        return len(dropped)

    async def abort_event_sockets(self, app: str | None = None) -> int:
        """Cut the events WebSocket(s) of `app` (all: None) at the TCP level, with no close
        handshake, as when the client process is killed; returns once their handlers ended (the
        apps are detached, stay registered with their channels and bridges: ari-14)."""
        chosen = [(ws, finished) for ws, finished in self._sockets.items()
                  if app is None or app in self._socket_owners.get(ws, ([], None))[0]]
        for ws, _ in chosen:
            transport = self._socket_owners[ws][1].transport
            if transport is not None:
                transport.abort()
        for _, finished in chosen:
            await finished.wait()
        log.info("emulator_ari_ws_aborted", sockets=len(chosen), app=app)
        return len(chosen)

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.apps.close()
        self.media.close()
        self.controls.close()

    @web.middleware
    async def _auth_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if _credentials(request) != self._credentials:
            return _unauthorized()
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return error(404, "Resource not found")
        except web.HTTPMethodNotAllowed:
            return error(405, "Invalid method")

    async def _events(self, request: web.Request) -> web.StreamResponse:
        names = [n for n in request.query.get("app", "").split(",") if n]
        if not names:
            return error(400, "Missing param: app")
        ws = web.WebSocketResponse(protocols=("ari",), heartbeat=None)
        await ws.prepare(request)
        finished = self._sockets[ws] = asyncio.Event()
        self._socket_owners[ws] = (names, request)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        writer = asyncio.get_running_loop().create_task(self._write(ws, queue), name="ari-ws-writer")
        subscribe_all = as_bool(request.query.get("subscribeAll"))
        sockets = [self.apps.connect(n, queue.put_nowait, subscribe_all) for n in names]
        log.info("emulator_ari_ws_connected", apps=names)
        try:
            async for message in ws:
                if message.type == WSMsgType.ERROR:
                    break
        finally:
            for socket in sockets:
                self.apps.disconnect(socket)
            queue.put_nowait(None)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            self._sockets.pop(ws, None)
            self._socket_owners.pop(ws, None)
            finished.set()
            log.info("emulator_ari_ws_closed", apps=names)
        return ws

    @staticmethod
    async def _write(ws: web.WebSocketResponse, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        while (event := await queue.get()) is not None:
            if ws.closed:
                return
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(json.dumps(event))
