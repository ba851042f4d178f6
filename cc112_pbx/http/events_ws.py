"""`GET /api/events`: a WebSocket pushing each notice as one JSON text message, filtered per role
(see `services.event_hub`). The first message is `{"kind": "hello", "user": ...}`. A client that
falls behind is closed with 1013 (try again later) and reconnects."""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import WSCloseCode, WSMsgType, web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.routing import services

HEARTBEAT = 20.0


async def events(request: web.Request) -> web.StreamResponse:
    who = principal(request)
    hub = services(request).events
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT)
    if not ws.can_prepare(request).ok:
        from cc112_pbx.services.api_errors import FieldProblem, Invalid

        raise Invalid([FieldProblem("Upgrade", "this is a WebSocket endpoint (Upgrade: websocket)")],
                      "a WebSocket upgrade is required")
    await ws.prepare(request)
    sub = hub.subscribe(who)
    try:
        await ws.send_json({"kind": "hello", "user": who.to_dict()})
        reader = asyncio.ensure_future(_drain(ws))
        try:
            while not ws.closed:
                getter = asyncio.ensure_future(sub.queue.get())
                lost = asyncio.ensure_future(sub.lost.wait())
                done, _ = await asyncio.wait({getter, lost, reader}, return_when=asyncio.FIRST_COMPLETED)
                for pending in (getter, lost):
                    if pending not in done:
                        pending.cancel()
                if getter in done:
                    try:
                        await ws.send_json(getter.result())
                    except ConnectionResetError:  # the client went away meanwhile
                        break
                if reader in done or (lost in done and getter not in done):
                    break
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        if sub.lost.is_set() and not ws.closed:
            await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"fell behind or server stopping")
    except ConnectionResetError:
        pass
    finally:
        hub.unsubscribe(sub)
        if not ws.closed:
            with contextlib.suppress(ConnectionResetError):
                await ws.close()
    return ws


async def _drain(ws: web.WebSocketResponse) -> None:
    """Read (and ignore) what the client sends, until it closes."""
    async for msg in ws:
        if msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
            break
