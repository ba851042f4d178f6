"""The protocol floor: the least an ARI consumer must do to take the bench's calls.

`python -m cc112_pbx.bench.floor ARI_URL USER PASSWORD SEATS`: one aiohttp session, the
`/ari/events` WebSocket and the same REST requests the controller makes for a call, in the
same order per call, with no logic beyond a FIFO of free seats and one of waiting callers:
no ACD, no database, no journal, no recording (no AMI at all), no logging.

Per caller: a free seat: originate it; answer, four greeting prompts, `TALK_DETECT(set)`;
music once the prompts have ended. Seat answers: stop the caller's prompts and music, create
a mixing bridge, add both. One side ends: hang up the other, destroy the bridge; the seat
takes the next waiting caller or joins the free seats.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

APP = "cc112"
PROMPTS = (("greeting", "id"), ("silent-call", "id"), ("greeting", "en"), ("silent-call", "en"))


@dataclass(eq=False)
class _Call:
    channel_id: str
    lane: deque[Callable[[], Awaitable[Any]]] = field(default_factory=deque)
    worker: asyncio.Task[None] | None = None
    playbacks: set[str] = field(default_factory=set)
    seat: str | None = None
    seat_channel: str | None = None
    bridge: str | None = None
    ended: bool = False


class Floor:
    def __init__(self, session: aiohttp.ClientSession, root: str, seats: int) -> None:
        self.http = session
        self.root = root
        self.free: deque[str] = deque(f"seat{n:02d}" for n in range(1, seats + 1))
        self.waiting: deque[_Call] = deque()
        self.calls: dict[str, _Call] = {}  # caller channel -> call
        self.legs: dict[str, _Call] = {}  # seat channel -> call
        self.playbacks: dict[str, _Call] = {}
        self.seq = 0

    async def rest(self, method: str, path: str, **params: str) -> Any:
        async with self.http.request(method, f"{self.root}{path}", params=params) as response:
            body = await response.read()
            return json.loads(body) if response.status < 300 and body else None

    def submit(self, call: _Call, job: Callable[[], Awaitable[Any]]) -> None:
        call.lane.append(job)
        if call.worker is None:
            call.worker = asyncio.create_task(self._work(call))

    async def _work(self, call: _Call) -> None:
        try:
            while call.lane:
                await call.lane.popleft()()
        finally:
            call.worker = None

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "StasisStart":
            args = event.get("args") or []
            channel = event["channel"]["id"]
            if args and args[0] == "seat":
                self._seat_answered(channel)
            elif args and args[0] == "inbound":
                self._arrive(channel)
        elif kind in ("StasisEnd", "ChannelDestroyed"):
            self._gone(event["channel"]["id"])
        elif kind == "PlaybackFinished":
            call = self.playbacks.pop(event["playback"]["id"], None)
            if call is not None:
                call.playbacks.discard(event["playback"]["id"])
                if not call.playbacks and call.bridge is None and not call.ended:
                    self.submit(call, lambda: self.rest("POST", f"/channels/{call.channel_id}/moh"))

    def _arrive(self, channel: str) -> None:
        call = self.calls[channel] = _Call(channel)

        async def greet() -> None:
            await self.rest("POST", f"/channels/{channel}/answer")
            for media, lang in PROMPTS:
                playback = await self.rest("POST", f"/channels/{channel}/play", media=f"sound:cc112/{media}", lang=lang)
                if playback is not None:
                    call.playbacks.add(playback["id"])
                    self.playbacks[playback["id"]] = call
            await self.rest("POST", f"/channels/{channel}/variable", variable="TALK_DETECT(set)", value="")

        if self.free:  # as the controller: a free seat's originate leads the call's requests
            self._ring(call, self.free.popleft())
        else:
            self.waiting.append(call)
        self.submit(call, greet)

    def _ring(self, call: _Call, seat: str) -> None:
        self.seq += 1
        leg = f"floor-seat-{self.seq}"
        call.seat, call.seat_channel = seat, leg
        self.legs[leg] = call
        self.submit(call, lambda: self.rest("POST", "/channels", endpoint=f"PJSIP/{seat}", app=APP,
                                            appArgs=f"seat,{seat}", callerId=f'"112" <{call.channel_id}>',
                                            timeout="20", channelId=leg))

    def _seat_answered(self, leg: str) -> None:
        call = self.legs.get(leg)
        if call is None or call.ended:
            return
        call.bridge = f"floor-call-{leg}"

        async def bridge() -> None:
            for playback in list(call.playbacks):
                await self.rest("DELETE", f"/playbacks/{playback}")
            await self.rest("DELETE", f"/channels/{call.channel_id}/moh")
            await self.rest("POST", f"/bridges/{call.bridge}", type="mixing", name=call.bridge)
            await self.rest("POST", f"/bridges/{call.bridge}/addChannel", channel=f"{call.channel_id},{leg}")

        self.submit(call, bridge)

    def _gone(self, channel: str) -> None:
        call = self.calls.pop(channel, None)
        if call is not None:  # the caller's side ended
            call.ended = True
            if call in self.waiting:
                self.waiting.remove(call)
            if call.seat_channel is not None and call.seat_channel in self.legs:
                self.submit(call, lambda: self.rest("DELETE", f"/channels/{call.seat_channel}"))
            return
        call = self.legs.pop(channel, None)
        if call is None:
            return
        if call.channel_id in self.calls:  # the seat's side ended first
            self.calls.pop(call.channel_id)
            call.ended = True
            self.submit(call, lambda: self.rest("DELETE", f"/channels/{call.channel_id}"))
        if call.bridge is not None:
            self.submit(call, lambda: self.rest("DELETE", f"/bridges/{call.bridge}"))
        for playback in call.playbacks:
            self.playbacks.pop(playback, None)
        seat = call.seat or ""
        if self.waiting:
            self._ring(self.waiting.popleft(), seat)
        else:
            self.free.append(seat)


async def run(ari_url: str, user: str, password: str, seats: int) -> None:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    connector = aiohttp.TCPConnector(limit=100)
    async with aiohttp.ClientSession(headers={"Authorization": f"Basic {token}"}, connector=connector) as session:
        floor = Floor(session, f"{ari_url}/ari", seats)
        async with session.ws_connect(f"{ari_url}/ari/events", params={"app": APP, "subscribeAll": "false"}) as ws:
            async for message in ws:
                if message.type is aiohttp.WSMsgType.TEXT:
                    floor.on_event(json.loads(message.data))


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
