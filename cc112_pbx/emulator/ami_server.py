"""The emulator's AMI server: TCP listener, one `AmiSession` per client, event fan-out.

`AmiServer(core, host, port, user, secret)`; `await start()`, `await stop()`, `.port`
(the bound port, useful with port 0). It subscribes to the core's events, turns them into
AMI events (`ami_events.AmiEventMapper`) and sends them to every logged-in session that has
events on. It also owns the fallback queue and MixMonitor, and registers the `Queue` and
`MixMonitor` dialplan applications with the core.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import time
from pathlib import Path
from typing import Any

import structlog

from cc112_pbx.emulator import (  # noqa: F401  (importing registers the actions)
    ami_actions_basic,
    ami_actions_call,
    ami_actions_device,
    ami_actions_queue,
)
from cc112_pbx.emulator.ami_actions import ActionContext, find_action
from cc112_pbx.emulator.ami_events import AmiEventMapper
from cc112_pbx.emulator.ami_protocol import BANNER, AmiFrameParser, AmiMessage, encode
from cc112_pbx.emulator.mixmonitor import MixMonitorService
from cc112_pbx.emulator.queue import QueueService

log = structlog.get_logger(__name__)

Pairs = list[tuple[str, str]]
BAD_LOGIN_DELAY = 1.0
MAX_WRITE_BUFFER = 8 * 1024 * 1024
READ_CHUNK = 4096


def _reveal(secret: Any) -> str:
    return secret.reveal() if hasattr(secret, "reveal") else str(secret)


class AmiServer:
    def __init__(
        self,
        core: Any,
        host: str = "127.0.0.1",
        port: int = 5038,
        user: str = "cc112",
        secret: Any = "cc112secret",
        *,
        recordings_dir: Path | str | None = None,
    ) -> None:
        self.core = core
        self.host = host
        self.port = port
        self.user = user
        self._secret = _reveal(secret)
        self.started_at = time.time()
        self._server: asyncio.Server | None = None
        self._sessions: dict[AmiSession, asyncio.Task[Any]] = {}  # each with its handler task
        self._tasks: set[asyncio.Task[Any]] = set()
        self._session_counter = 0
        self.mapper = AmiEventMapper(self)
        self.queues = QueueService(core, self.publish)
        self.mixmonitor = MixMonitorService(core, self.publish, _recordings_dir(core, recordings_dir))
        self._unsubscribe: Any = None

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        # The mapper listens first: a queue's reaction to a hangup request (abandon,
        # AgentComplete) then follows the HangupRequest event, as in Asterisk.
        self._unsubscribe = self.core.subscribe(self.mapper.on_core_event)
        self.queues.install()
        self.mixmonitor.install()
        self._server = await asyncio.start_server(self._on_client, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("ami_listening", host=self.host, port=self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for session in list(self._sessions):
            session.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if callable(self._unsubscribe):
            self._unsubscribe()
        self._unsubscribe = None
        await self.queues.aclose()
        await self.mixmonitor.aclose()
        log.info("ami_stopped")

    @property
    def session_count(self) -> int:
        """How many AMI connections are open now."""
        return len(self._sessions)

    async def drop_sessions(self) -> int:
        """Test hook: close every AMI connection from the server side (a network blip, an
        Asterisk restart of the manager); return how many. Returns once each session's handler
        has finished; events until a client reconnects are lost, nothing is replayed."""
        sessions = dict(self._sessions)
        for session in sessions:
            session.close()
        await asyncio.gather(*sessions.values(), return_exceptions=True)
        log.info("ami_sessions_dropped", sessions=len(sessions))
        return len(sessions)

    def spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        """A task the server owns (async Originate): cancelled and awaited by `stop()`."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def check_secret(self, user: str, secret: str) -> bool:
        return hmac.compare_digest(user.encode(), self.user.encode()) and hmac.compare_digest(
            secret.encode(), self._secret.encode()
        )

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._session_counter += 1
        session = AmiSession(self, reader, writer, self._session_counter)
        self._sessions[session] = task
        try:
            await session.run()
        except asyncio.CancelledError:
            pass
        finally:
            self._sessions.pop(session, None)
            session.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self._tasks.discard(task)

    # -- events ----------------------------------------------------------------------------
    def publish(self, event: str, privilege: str, pairs: Pairs, *, timestamp: bool = True) -> None:
        """Send one event to every session that wants events."""
        head: Pairs = [("Event", event), ("Privilege", privilege)]
        if timestamp:
            head.append(("Timestamp", f"{time.time():.6f}"))
        data = encode([*head, *pairs])
        for session in list(self._sessions):
            if session.wants_event(privilege):
                session.send_bytes(data)


def _recordings_dir(core: Any, explicit: Path | str | None) -> Path:
    if explicit is not None:
        return Path(explicit)
    for name in ("recordings_dir", "monitor_dir"):
        value = getattr(core, name, None)
        if value:
            return Path(value)
    return Path("var/spool/asterisk/monitor").resolve()


class AmiSession:
    """One client connection: banner, authentication, sequential action handling."""

    def __init__(
        self, server: AmiServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, number: int
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.number = number
        self.authenticated = False
        self.events_on = True
        self.event_classes: frozenset[str] | None = None  # None: every class
        self.closed = False
        self.parser = AmiFrameParser()
        peer = writer.get_extra_info("peername") or ("?", 0)
        local = writer.get_extra_info("sockname") or ("?", 0)
        self.remote = f"{peer[0]}/{peer[1]}"
        self.local = f"{local[0]}/{local[1]}"
        self.log = log.bind(ami_session=number, remote=self.remote)

    def wants_event(self, privilege: str) -> bool:
        if not (self.authenticated and self.events_on) or self.closed:
            return False
        if self.event_classes is None:
            return True
        return not self.event_classes.isdisjoint(privilege.lower().split(","))

    def set_event_mask(self, mask: str) -> bool:
        """`on`/`off` or a class list (`call,agent`) as in Login's `Events` and the Events action."""
        text = mask.strip().lower()
        if text in ("", "on", "yes", "true", "y", "t", "1"):
            self.events_on, self.event_classes = True, None
        elif text in ("off", "no", "false", "n", "f", "0"):
            self.events_on, self.event_classes = False, None
        else:
            classes = frozenset(part.strip() for part in text.split(",") if part.strip())
            self.events_on = bool(classes)
            self.event_classes = None if "all" in classes else classes
        return self.events_on

    async def run(self) -> None:
        self.send_bytes(BANNER)
        while not self.closed:
            data = await self.reader.read(READ_CHUNK)
            if not data:
                break
            for message in self.parser.feed(data):
                await self._dispatch(message)
                if self.closed:
                    break
        self.log.info("ami_session_closed")

    def send_bytes(self, data: bytes) -> None:
        if self.closed or self.writer.is_closing():
            return
        transport = self.writer.transport
        if transport.get_write_buffer_size() > MAX_WRITE_BUFFER:
            self.log.warning("ami_slow_client_dropped")
            self.close()
            return
        self.writer.write(data)

    def send_pairs(self, pairs: Pairs) -> None:
        self.send_bytes(encode(pairs))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            self.writer.close()

    async def _dispatch(self, m: AmiMessage) -> None:
        ctx = ActionContext(self.server, self)
        name = m.get("Action").strip()
        if not name:
            ctx.error(m, "Missing action in request")
            return
        lowered = name.lower()
        if lowered == "login":
            await self._login(ctx, m)
            return
        if not self.authenticated and lowered not in ("logoff", "challenge"):
            ctx.error(m, "Permission denied")
            return
        handler = find_action(name)
        if handler is None:
            ctx.error(m, f"Invalid/unknown command: {name}. Use Action: ListCommands to show available commands.")
            return
        try:
            await handler(ctx, m)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
        except Exception:  # an emulator bug must not kill the session: answer like Asterisk would
            self.log.exception("ami_action_failed", action=name)
            ctx.error(m, "Internal error")

    async def _login(self, ctx: ActionContext, m: AmiMessage) -> None:
        if self.authenticated:
            ctx.ack(m, "Already authenticated")
            return
        if not self.server.check_secret(m.get("Username"), m.get("Secret")):
            self.log.warning("ami_login_failed", username=m.get("Username"))
            await asyncio.sleep(BAD_LOGIN_DELAY)
            ctx.error(m, "Authentication failed")
            await self._drain_and_close()
            return
        self.set_event_mask(m.get("Events"))
        self.authenticated = True
        ctx.ack(m, "Authentication accepted")
        self.log.info("ami_login", username=m.get("Username"), events=self.events_on)
        self._send_boot_events(m.get("Username"))

    def _send_boot_events(self, username: str) -> None:
        uptime = int(time.time() - self.server.started_at)
        if self.wants_event("system,all"):
            self.send_pairs(
                [
                    ("Event", "FullyBooted"),
                    ("Privilege", "system,all"),
                    ("Uptime", str(uptime)),
                    ("LastReload", str(uptime)),
                    ("Status", "Fully Booted"),
                ]
            )
        if not self.wants_event("security,all"):
            return
        now = time.time()
        tv = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}+0000"
        self.send_pairs(
            [
                ("Event", "SuccessfulAuth"),
                ("Privilege", "security,all"),
                ("Timestamp", f"{now:.6f}"),
                ("EventTV", tv),
                ("Severity", "Informational"),
                ("Service", "AMI"),
                ("EventVersion", "1"),
                ("AccountID", username),
                ("SessionID", f"0x{id(self):x}"),
                ("LocalAddress", f"IPV4/TCP/{self.local}"),
                ("RemoteAddress", f"IPV4/TCP/{self.remote}"),
                ("UsingPassword", "0"),
                ("SessionTV", tv),
            ]
        )

    async def _drain_and_close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.drain(), 1.0)
        self.close()
