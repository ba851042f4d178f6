"""AMI session: connect, log in, wait for FullyBooted, ping, reconnect; typed actions; events.

    manager = AmiManager("127.0.0.1", 5038, "cc112", "secret")
    await manager.start()            # fails fast: AsteriskUnavailable naming host, port and cause
    await manager.queue_add("cc112-fallback", "PJSIP/seat01", member_name="Meja 1")
    async for event in manager: ...  # telephony events (DeviceStateChanged, QueueCallerJoined, ...)
    await manager.stop()

Two owned tasks, both awaited by `stop()`: `ami-connection-<host>:<port>` (pings; on loss it
marks health `reconnecting`, emits `ConnectionChanged`, reconnects with backoff and logs in
again) and `ami-events-<host>:<port>` (consumes the queue of raw events, translates them with
the one dispatch table of `translate_ami`, and queues telephony events for consumers).
An action sent while disconnected fails at once with `AsteriskUnavailable`; every action
has a timeout (`AsteriskTimeout`); error responses become `asterisk.errors` exceptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import UTC, datetime
from typing import Any, Self

import structlog
from panoramisk.actions import Action

from cc112_pbx.asterisk import errors as e
from cc112_pbx.asterisk.ami_actions import AmiActions
from cc112_pbx.asterisk.ami_protocol import AmiLink, HardenedAmiProtocol, header, raise_for_error
from cc112_pbx.asterisk.health import LinkHealth, LinkState
from cc112_pbx.asterisk.reconnect import ReconnectPolicy
from cc112_pbx.asterisk.translate import DropCounter
from cc112_pbx.asterisk.translate_ami import translate_ami_event
from cc112_pbx.domain import telephony as t

log = structlog.get_logger(__name__)

_END = object()


class AmiManager(AmiActions):
    def __init__(self, host: str, port: int, user: str, secret: str, *, connect_timeout: float = 5.0,
                 action_timeout: float = 10.0, boot_timeout: float = 2.0, ping_interval: float = 20.0,
                 policy: ReconnectPolicy | None = None, health: LinkHealth | None = None) -> None:
        self.host, self.port, self.user = host, port, user
        self._secret = secret
        self.connect_timeout = connect_timeout
        self.action_timeout = action_timeout
        self.boot_timeout = boot_timeout
        self.ping_interval = ping_interval
        self.policy = policy or ReconnectPolicy()
        self.health = health or LinkHealth("ami")
        self.drops = DropCounter("ami")
        self.reconnects = 0
        self._ids = itertools.count(1)
        self._raw: asyncio.Queue[Any] = asyncio.Queue()
        self._out: asyncio.Queue[object] = asyncio.Queue()
        self._protocol: HardenedAmiProtocol | None = None
        self._link: AmiLink | None = None
        self._booted = asyncio.Event()
        self._ready = False
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    @classmethod
    def from_settings(cls, settings: Any, *, health: LinkHealth | None = None) -> Self:
        a = settings.asterisk
        if a.ami_secret is None:
            raise e.AsteriskUnavailable("AMI secret is not configured (CC112_ASTERISK_AMI_SECRET)")
        policy = ReconnectPolicy(min_delay=a.reconnect_min_delay, max_delay=a.reconnect_max_delay)
        return cls(a.ami_host, a.ami_port, a.ami_user, a.ami_secret.reveal(),
                   connect_timeout=a.connect_timeout, action_timeout=a.request_timeout, policy=policy,
                   health=health)

    @property
    def where(self) -> str:
        return f"AMI at {self.host}:{self.port}"

    # --- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Connect and log in once (raising AsteriskUnavailable), then run the owned tasks."""
        if self._tasks:
            raise RuntimeError("AmiManager already started")
        self._stopping = False
        # the consumer runs first: it is what sees FullyBooted during the login
        self._tasks = [asyncio.create_task(self._consume(), name=f"ami-events-{self.host}:{self.port}")]
        try:
            await self._connect_and_login()
        except BaseException:
            await self._cancel_tasks()
            raise
        self._up()
        name = f"ami-connection-{self.host}:{self.port}"
        self._tasks.append(asyncio.create_task(self._supervise(), name=name))

    async def stop(self) -> None:
        """Close the socket, stop both tasks, end the iteration. Idempotent."""
        self._stopping = True
        await self._cancel_tasks()
        await self._disconnect()
        self.health.set(LinkState.STOPPED)
        self._out.put_nowait(_END)

    async def _cancel_tasks(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> t.TelephonyEvent:
        item = await self._out.get()
        if item is _END:
            self._out.put_nowait(_END)
            raise StopAsyncIteration
        return item  # type: ignore[return-value]

    async def get(self, timeout: float | None = None) -> t.TelephonyEvent:
        async with asyncio.timeout(timeout):
            return await self.__anext__()

    # --- sending ----------------------------------------------------------------------------

    async def send(self, fields: dict[str, Any], *, as_list: bool | None = False,
                   timeout: float | None = None) -> Any:
        """Send one action; return panoramisk's response (a list for list actions).

        `as_list=False` for single-response actions (panoramisk 1.4's heuristics would wait
        forever on `Added interface to queue` or `Originate successfully queued`, its issue 54);
        `as_list=None` for list actions, so that an Error answer (`No Contacts found`) still
        resolves. Raises AsteriskUnavailable when not connected, AsteriskTimeout on no answer.
        """
        protocol, link = self._protocol, self._link
        name = str(fields.get("Action", "?"))
        logged_in = self._ready or name == "Login"
        if protocol is None or link is None or link.lost.is_set() or not logged_in:
            since = self.health.since.isoformat() if self.health.since else "?"
            raise e.AsteriskUnavailable(f"{self.where} is not connected ({self.health.state} since {since}); "
                                        f"{name} not sent")
        action = Action({**fields, "ActionID": f"cc112-{next(self._ids)}"}, as_list=as_list)
        future = protocol.send(action, as_list=as_list)
        link.pending.add(future)
        limit = timeout or self.action_timeout
        try:
            async with asyncio.timeout(limit):
                return await future
        except TimeoutError as exc:
            protocol.responses.pop(action.id, None)
            raise e.AsteriskTimeout(f"{self.where}: no answer to {name} within {limit:g}s") from exc
        finally:
            link.pending.discard(future)

    async def call(self, fields: dict[str, Any], *, as_list: bool | None = False,
                   timeout: float | None = None) -> Any:
        """`send`, then raise the project's exception for an error response."""
        response = await self.send(fields, as_list=as_list, timeout=timeout)
        raise_for_error(str(fields.get("Action", "?")), response)
        return response

    # --- connection ---------------------------------------------------------------------------

    async def _connect_and_login(self) -> None:
        loop = asyncio.get_running_loop()
        link = AmiLink(self._raw.put_nowait, self.drops)
        self._booted.clear()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, protocol = await loop.create_connection(
                    lambda: HardenedAmiProtocol(link), self.host, self.port)
        except TimeoutError as exc:
            raise e.AsteriskTimeout(
                f"{self.where}: no TCP connection within {self.connect_timeout:g}s") from exc
        except OSError as exc:
            raise e.AsteriskUnavailable(f"{self.where} is unreachable: {exc}") from exc
        self._protocol, self._link = protocol, link
        try:
            await self._login()
        except BaseException:
            await self._disconnect()
            raise
        self._ready = True

    async def _login(self) -> None:
        fields = {"Action": "Login", "Username": self.user, "Secret": self._secret, "Events": "on"}
        try:
            response = await self.send(fields, timeout=self.connect_timeout)
        except e.AsteriskTimeout as exc:
            raise e.AsteriskTimeout(f"{self.where} did not answer Login within {self.connect_timeout:g}s "
                                    "(is it an AMI port?)") from exc
        except e.ConnectionLost as exc:
            raise e.AsteriskUnavailable(f"{self.where} closed the connection during login") from exc
        if header(response, "Response").lower() != "success":
            reason = header(response, "Message") or "login refused"
            raise e.AsteriskUnavailable(f"{self.where} refused login for user {self.user}: {reason}")
        try:
            async with asyncio.timeout(self.boot_timeout):
                await self._booted.wait()
        except TimeoutError:
            log.warning("ami_no_fully_booted", where=self.where, waited=self.boot_timeout)

    async def _disconnect(self) -> None:
        self._ready = False
        protocol, self._protocol = self._protocol, None
        if protocol is not None and not protocol.closed:
            protocol.close()
            await asyncio.sleep(0)  # let the transport deliver connection_lost

    async def _supervise(self) -> None:
        while not self._stopping:
            link = self._link
            assert link is not None
            await self._watch(link)
            self._ready = False  # nothing but a Login goes out until we are logged in again
            await self._disconnect()
            self._down(link.lost_reason or "ping failed")
            await self._reconnect()
            self._up()

    async def _watch(self, link: AmiLink) -> None:
        """Return when the connection is lost; ping every `ping_interval` meanwhile."""
        while not link.lost.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.ping_interval):
                    await link.lost.wait()
                    return
            try:
                await self.send({"Action": "Ping"}, timeout=self.action_timeout)
            except e.AsteriskError as exc:
                link.connection_lost(f"ping failed: {exc}")  # fails pending actions, keeps this reason
                return

    async def _reconnect(self) -> None:
        attempt = 0
        while True:
            await asyncio.sleep(self.policy.delay(attempt))
            try:
                await self._connect_and_login()
                self.reconnects += 1
                return
            except Exception as exc:  # keep trying whatever went wrong; only a stop() ends this
                self.health.set(LinkState.RECONNECTING, str(exc))
                if isinstance(exc, e.AsteriskError):
                    log.debug("ami_reconnect_failed", attempt=attempt + 1, error=str(exc))
                else:
                    log.exception("ami_reconnect_failed_unexpectedly", attempt=attempt + 1)
            attempt += 1

    # --- events -----------------------------------------------------------------------------

    async def _consume(self) -> None:
        while True:
            message = await self._raw.get()
            try:
                if header(message, "Event").lower() == "fullybooted":
                    self._booted.set()
                event = translate_ami_event(message, self.drops)
            except Exception:  # translate never raises; this guards the task itself
                log.exception("ami_event_dispatch_failed")
                continue
            if event is not None:
                self._out.put_nowait(event)

    def _up(self) -> None:
        if self.health.set(LinkState.CONNECTED):
            log.info("ami_connected", where=self.where, user=self.user)
        self._out.put_nowait(t.ConnectionChanged(at=datetime.now(UTC), link="ami", connected=True))

    def _down(self, reason: str) -> None:
        if self.health.set(LinkState.RECONNECTING, reason):
            log.warning("ami_connection_lost", where=self.where, reason=reason)
        self._out.put_nowait(t.ConnectionChanged(at=datetime.now(UTC), link="ami", connected=False,
                                                 detail=reason))
