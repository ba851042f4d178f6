"""A minimal raw AMI client (asyncio streams) for tests and tools that poke the emulator.

Not the production manager (that one is panoramisk-based, in `asterisk/`): this one keeps
every received message in order, so tests can assert on exact sequences and fields.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable

from cc112_pbx.emulator.ami_protocol import AmiFrameParser, AmiMessage, encode

Predicate = Callable[[AmiMessage], bool]


class AmiTestClient:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.banner = ""
        self.received: list[AmiMessage] = []
        self.closed = False
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._parser = AmiFrameParser(max_line=1 << 20, max_headers=1 << 12)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._pump: asyncio.Task[None] | None = None

    async def connect(self) -> AmiTestClient:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self.banner = (await asyncio.wait_for(self._reader.readline(), 5)).decode()
        self._pump = asyncio.get_running_loop().create_task(self._read_loop())
        return self

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump

    async def __aenter__(self) -> AmiTestClient:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _read_loop(self) -> None:
        assert self._reader is not None
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    break
                messages = self._parser.feed(data)
                if messages:
                    async with self._changed:
                        self.received.extend(messages)
                        self._changed.notify_all()
        except (ConnectionError, OSError):
            pass
        finally:
            async with self._changed:
                self.closed = True
                self._changed.notify_all()

    def write_raw(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)

    def send(self, action: str, **fields: str) -> str:
        """Send an action (fields in order; `ActionID` added when missing); returns the ActionID."""
        pairs = [("Action", action)]
        action_id = fields.pop("ActionID", None) or f"t-{next(self._ids)}"
        pairs.append(("ActionID", action_id))
        pairs += [(key, value) for key, value in fields.items()]
        self.write_raw(encode(pairs))
        return action_id

    def send_pairs(self, pairs: list[tuple[str, str]]) -> None:
        self.write_raw(encode(pairs))

    async def wait_for(self, predicate: Predicate, timeout: float = 5.0, start: int = 0) -> AmiMessage:
        """The first received message (from index `start`) matching `predicate`."""

        async def find() -> AmiMessage:
            async with self._changed:
                while True:
                    for message in self.received[start:]:
                        if predicate(message):
                            return message
                    if self.closed:
                        raise ConnectionError("AMI connection closed while waiting")
                    await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)

    async def wait_until(self, check: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until `check()` holds (re-checked on every received batch); False on timeout or close."""

        async def until() -> bool:
            async with self._changed:
                while not check():
                    if self.closed:
                        return False
                    await self._changed.wait()
                return True

        try:
            return await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            return False

    async def wait_closed(self, timeout: float = 5.0) -> None:
        async def until_closed() -> None:
            async with self._changed:
                while not self.closed:
                    await self._changed.wait()

        await asyncio.wait_for(until_closed(), timeout)

    async def action(self, action: str, timeout: float = 5.0, **fields: str) -> AmiMessage:
        """Send an action and return its response."""
        action_id = self.send(action, **fields)
        return await self.wait_for(lambda m: m.has("Response") and m.get("ActionID") == action_id, timeout)

    async def list_action(
        self, action: str, complete: str, timeout: float = 5.0, **fields: str
    ) -> tuple[AmiMessage, list[AmiMessage]]:
        """A list action: (response, items) once `complete` arrived (items exclude it)."""
        action_id = self.send(action, **fields)
        response = await self.wait_for(lambda m: m.has("Response") and m.get("ActionID") == action_id, timeout)
        if response.get("Response") != "Success":
            return response, []
        await self.wait_for(lambda m: m.get("Event") == complete and m.get("ActionID") == action_id, timeout)
        items = [
            m for m in self.received if m.has("Event") and m.get("ActionID") == action_id and m.get("Event") != complete
        ]
        return response, items

    async def login(self, user: str = "cc112", secret: str = "cc112secret", events: str = "on") -> AmiMessage:
        return await self.action("Login", Username=user, Secret=secret, Events=events)

    def events(self, name: str) -> list[AmiMessage]:
        return [m for m in self.received if m.get("Event") == name]
