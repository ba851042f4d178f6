"""A small AMI server over real TCP that answers with bytes recorded from Asterisk 22.10.1.

Replies are the trace messages carrying a recorded ActionID, with that ActionID replaced by
the client's. Fault injection: `push()` raw bytes (garbage, truncated frames), `drop_clients()`,
`stop()`/`start()` again on the same port, `mute` (answer nothing), `scripts` per action.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from tests.asterisk.traces import ami_messages

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
BAD_LOGIN_DELAY = 0.05  # s: Asterisk answers a refused Login only after a pause (about 1 s; shortened here)


def recorded(trace: str, action_id: str) -> list[bytes]:
    """The messages of `trace` that carry `ActionID: action_id`, in order."""
    needle = f"ActionID: {action_id}\r\n".encode()
    return [m for m in ami_messages(trace) if needle in m]


def parse(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in block.decode(errors="replace").split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep:
            headers[key.lower()] = value
    return headers


Reply = Callable[[dict[str, str]], list[bytes]]


def replay(trace: str, action_id: str) -> Reply:
    messages = recorded(trace, action_id)
    assert messages, f"no message with ActionID {action_id} in {trace}"
    old = f"ActionID: {action_id}".encode()
    return lambda headers: [m.replace(old, f"ActionID: {headers['actionid']}".encode()) for m in messages]


LOGIN_OK = b"Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n"
FULLY_BOOTED = (b"Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 131\r\nLastReload: 113\r\n"
                b"Status: Fully Booted\r\n\r\n")
LOGIN_FAILED = b"Response: Error\r\nActionID: {id}\r\nMessage: Authentication failed\r\n\r\n"
UNKNOWN = b"Response: Error\r\nActionID: {id}\r\nMessage: Invalid/unknown command\r\n\r\n"
PONG = b"Response: Success\r\nActionID: {id}\r\nPing: Pong\r\nTimestamp: 1795938048.980777\r\n\r\n"


class FakeAmi:
    def __init__(self, secret: str = "cc112secret", port: int = 0) -> None:
        self.secret = secret
        self.port = port
        self.scripts: dict[str, list[Reply]] = {}
        self.received: list[dict[str, str]] = []
        self.logins = 0
        self.mute = False
        self.send_fully_booted = True
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()

    def script(self, action: str, *replies: Reply) -> None:
        """Answer the next calls of `action` with these replies, in order (the last one repeats)."""
        self.scripts[action.lower()] = list(replies)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self.drop_clients()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FakeAmi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def drop_clients(self) -> None:
        for writer in list(self._writers):
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        if self._handlers:  # they end on their own once their socket is closed
            await asyncio.wait(list(self._handlers), timeout=2)

    async def push(self, data: bytes) -> None:
        for writer in list(self._writers):
            writer.write(data)
            with contextlib.suppress(ConnectionError):
                await writer.drain()

    @property
    def clients(self) -> int:
        return len(self._writers)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self._writers.add(writer)
        try:
            writer.write(BANNER)
            while True:
                block = await reader.readuntil(b"\r\n\r\n")
                if not await self._answer(parse(block), writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            self._handlers.discard(task)
            writer.close()

    async def _answer(self, headers: dict[str, str], writer: asyncio.StreamWriter) -> bool:
        self.received.append(headers)
        action, action_id = headers.get("action", "").lower(), headers.get("actionid", "").encode()
        if self.mute:
            return True
        if action == "login":
            if headers.get("secret") != self.secret:
                await asyncio.sleep(BAD_LOGIN_DELAY)
                writer.write(LOGIN_FAILED.replace(b"{id}", action_id))
                await writer.drain()
                return False  # Asterisk closes the socket after a failed login
            self.logins += 1
            booted = FULLY_BOOTED if self.send_fully_booted else b""
            writer.write(LOGIN_OK.replace(b"{id}", action_id) + booted)
        elif action == "ping":
            writer.write(PONG.replace(b"{id}", action_id))
        elif action in self.scripts:
            replies = self.scripts[action]
            reply = replies.pop(0) if len(replies) > 1 else replies[0]
            writer.write(b"".join(reply(headers)))
        else:
            writer.write(UNKNOWN.replace(b"{id}", action_id))
        await writer.drain()
        return True
