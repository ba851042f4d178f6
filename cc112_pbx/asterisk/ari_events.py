"""The ARI event WebSocket (`/ari/events?app=cc112`) as a stream of telephony events.

    async with AriClient(...) as ari, AriEventStream(ari) as stream:
        async for event in stream:
            ...

`start()` connects once and fails fast (`AsteriskUnavailable` naming the URL and the cause).
After that one owned task reads the socket; when it drops, or another process takes the app
(`ApplicationReplaced`: that socket is dead), the task reconnects with bounded, jittered
backoff, then resyncs (`resync.StasisTracker`): consumers get `ConnectionChanged`, the calls
that ended meanwhile as `ChannelGone(while_disconnected=True)`, and `StreamResynced`.
The first connect resyncs too, so callers already in the app at startup arrive as
`CallEntered(recovered=True)`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Self

import aiohttp
import structlog

from cc112_pbx.asterisk import errors as e
from cc112_pbx.asterisk.ari_client import AriClient
from cc112_pbx.asterisk.health import LinkHealth, LinkState
from cc112_pbx.asterisk.reconnect import ReconnectPolicy
from cc112_pbx.asterisk.resync import StasisTracker
from cc112_pbx.asterisk.translate import DropCounter, parse_ari_frame
from cc112_pbx.domain import telephony as t

SEAT_ENDPOINTS = "endpoint:PJSIP"

log = structlog.get_logger(__name__)

_END = object()
REPLACED = "replaced by another connection to the same app"


class AriEventStream:
    """Telephony events from the app's WebSocket, across reconnects. Iterate it; `stop()` ends it."""

    def __init__(self, client: AriClient, *, app: str | None = None, subscribe_all: bool = False,
                 policy: ReconnectPolicy | None = None, health: LinkHealth | None = None,
                 connect_timeout: float | None = None, heartbeat: float | None = 15.0,
                 event_sources: tuple[str, ...] = ()) -> None:
        self.client = client
        self.app = app or client.app
        self.subscribe_all = subscribe_all
        self.event_sources = event_sources
        self.policy = policy or ReconnectPolicy()
        self.health = health or LinkHealth("ari")
        self.connect_timeout = connect_timeout or client.http.request_timeout
        self.heartbeat = heartbeat
        self.drops = DropCounter("ari")
        self.tracker = StasisTracker(self.app)
        self.reconnects = 0
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        # an active/standby pair (issue 21): asked before taking the app back from whoever replaced us;
        # False (a former leader, its successor holds the app now) leaves the stream down for good
        self.may_take_back: Callable[[], Awaitable[bool]] | None = None

    @classmethod
    def from_settings(cls, client: AriClient, settings, *, health: LinkHealth | None = None) -> Self:
        a = settings.asterisk
        policy = ReconnectPolicy(min_delay=a.reconnect_min_delay, max_delay=a.reconnect_max_delay)
        # the seats' endpoints: registered (online) as soon as a contact exists, before any qualify
        return cls(client, app=a.ari_app, policy=policy, health=health, connect_timeout=a.connect_timeout,
                   event_sources=(SEAT_ENDPOINTS,))

    @property
    def url(self) -> str:
        return f"{self.client.http.root}/events?app={self.app}&subscribeAll={str(self.subscribe_all).lower()}"

    # --- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Connect and resync once (raising AsteriskUnavailable), then read in an owned task."""
        if self._task is not None:
            raise RuntimeError("AriEventStream already started")
        self._stopped = False
        try:
            self._ws = await self._connect()
            events = await self._resync()
        except BaseException:
            await self._close_ws()
            raise
        self._up(events)
        self._task = asyncio.create_task(self._run(), name=f"ari-events-{self.app}")

    async def stop(self) -> None:
        """Stop reading, close the socket, end the iteration. Idempotent."""
        self._stopped = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close_ws()
        self.health.set(LinkState.STOPPED)
        self._queue.put_nowait(_END)

    def watch(self, channel_id: str) -> None:
        """Have a channel reported (`ChannelGone(while_disconnected=True)`) if it vanishes during a
        gap, even before any event about it arrived: call it right after `originate`."""
        self.tracker.watch(channel_id)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> t.TelephonyEvent:
        item = await self._queue.get()
        if item is _END:
            self._queue.put_nowait(_END)  # every later reader ends too
            raise StopAsyncIteration
        return item  # type: ignore[return-value]

    async def get(self, timeout: float | None = None) -> t.TelephonyEvent:
        """The next event (for tests and simple consumers); TimeoutError after `timeout` s."""
        async with asyncio.timeout(timeout):
            return await self.__anext__()

    # --- the owned task ---------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopped:
            try:
                reason = await self._pump()
            except Exception as exc:  # a bug must not end the event stream of an emergency line
                log.exception("ari_events_reader_failed")
                reason = f"reader failed: {exc!r}"
            await self._close_ws()
            self._down(reason)
            if reason == REPLACED and self.may_take_back is not None and not await self.may_take_back():
                log.error("ari_app_left_to_the_new_leader", app=self.app)
                self.health.set(LinkState.STOPPED, "another controller leads")
                return
            delay = self.policy.after_replaced() if reason == REPLACED else self.policy.delay(0)
            self._up(await self._reconnect(delay))

    async def _pump(self) -> str:
        """Read frames until the socket ends; returns why it ended."""
        ws = self._ws
        assert ws is not None
        while True:
            try:
                msg = await ws.receive()
            except (aiohttp.ClientError, ConnectionError) as exc:
                return f"read failed: {exc!r}"
            if msg.type is aiohttp.WSMsgType.TEXT:
                if self._deliver(parse_ari_frame(msg.data, self.drops)) == REPLACED:
                    return REPLACED
            elif msg.type is aiohttp.WSMsgType.BINARY:
                self.drops.bad("binary WebSocket frame", msg.data[:40])
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                return f"closed by the server (code {ws.close_code})"
            elif msg.type is aiohttp.WSMsgType.ERROR:
                return f"socket error: {ws.exception()!r}"

    def _deliver(self, event: t.TelephonyEvent | None) -> str | None:
        if event is None or not self.tracker.observe(event):
            return None
        self._queue.put_nowait(event)
        if isinstance(event, t.ApplicationReplaced):
            log.error("ari_application_replaced", app=self.app, url=self.url,
                      hint="another process connected to the same Stasis app; reconnecting after a pause")
            return REPLACED
        return None

    async def _reconnect(self, delay: float) -> list[t.TelephonyEvent]:
        """Retry until connected and resynced; returns the resync's events."""
        attempt = 0
        while True:
            await asyncio.sleep(delay)
            try:
                self._ws = await self._connect()
                events = await self._resync()
                self.reconnects += 1
                return events
            except Exception as exc:  # keep trying whatever went wrong; only a stop() ends this
                await self._close_ws()
                self.health.set(LinkState.RECONNECTING, str(exc))
                if isinstance(exc, e.AsteriskError):
                    log.debug("ari_reconnect_failed", attempt=attempt + 1, error=str(exc))
                else:
                    log.exception("ari_reconnect_failed_unexpectedly", attempt=attempt + 1)
            attempt += 1
            delay = self.policy.delay(attempt)

    async def _connect(self) -> aiohttp.ClientWebSocketResponse:
        where = f"ARI at {self.client.base_url}"
        params = {"app": self.app, "subscribeAll": "true" if self.subscribe_all else "false"}
        try:
            async with asyncio.timeout(self.connect_timeout):
                return await self.client.http.session.ws_connect(
                    f"{self.client.http.root}/events", params=params, heartbeat=self.heartbeat)
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status in (401, 403):
                user = self.client.http.user
                raise e.AsteriskUnavailable(f"{where} answered {exc.status} for user {user}") from exc
            raise e.AsteriskUnavailable(
                f"{where} answered {exc.status} to the event WebSocket {self.url}") from exc
        except TimeoutError as exc:
            raise e.AsteriskTimeout(
                f"{where}: event WebSocket not open within {self.connect_timeout:g}s") from exc
        except aiohttp.ClientConnectorError as exc:
            raise e.AsteriskUnavailable(f"{where} is unreachable: {exc.os_error}") from exc
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise e.AsteriskUnavailable(f"{where}: event WebSocket failed: {exc!r}") from exc

    async def _resync(self) -> list[t.TelephonyEvent]:
        endpoints = await self._subscribe()
        channels = await self.client.list_channels()
        bridges = await self.client.list_bridges()
        events = endpoints + self.tracker.resync(channels, bridges, datetime.now(UTC))
        log.info("ari_resynced", app=self.app, channels=len(self.tracker.channels),
                 gone=sum(isinstance(ev, t.ChannelGone) for ev in events))
        return events

    async def _subscribe(self) -> list[t.TelephonyEvent]:
        """Subscribe the app to `event_sources` (again: a restarted Asterisk forgot them), and
        report the endpoints' registration as it is now (events in a gap are lost)."""
        now, events = datetime.now(UTC), []
        for source in self.event_sources:
            await self.client.subscribe(source)
            kind, _, technology = source.partition(":")
            if kind == "endpoint" and technology and "/" not in technology:
                for endpoint in await self.client.list_endpoints(technology):
                    events.append(t.EndpointReachability(at=now, endpoint=endpoint.endpoint, online=endpoint.online))
        return events

    async def _close_ws(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None and not ws.closed:
            await ws.close()

    # --- health -----------------------------------------------------------------------------

    def _up(self, resync_events: list[t.TelephonyEvent]) -> None:
        if self.health.set(LinkState.CONNECTED):
            log.info("ari_events_connected", url=self.url)
        self._queue.put_nowait(t.ConnectionChanged(at=datetime.now(UTC), link="ari", connected=True))
        for event in resync_events:
            self._queue.put_nowait(event)

    def _down(self, reason: str) -> None:
        if self.health.set(LinkState.RECONNECTING, reason):
            log.warning("ari_events_lost", url=self.url, reason=reason)
        self._queue.put_nowait(t.ConnectionChanged(at=datetime.now(UTC), link="ari", connected=False,
                                                   detail=reason))
