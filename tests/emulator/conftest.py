"""Shared helpers for the emulator tests (core, ARI side, scenarios)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from cc112_pbx.emulator.core import Core
from cc112_pbx.emulator.core import events as ev


class EventLog:
    """Every CoreEvent the core published since creation, with a way to await one."""

    def __init__(self, core: Core) -> None:
        self.events: list[ev.CoreEvent] = []
        self._changed = asyncio.Event()
        core.subscribe(self._on_event)

    def _on_event(self, event: ev.CoreEvent) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, predicate: Callable[[ev.CoreEvent], bool], timeout: float = 2.0) -> ev.CoreEvent:
        async with asyncio.timeout(timeout):
            while True:
                found = next((e for e in self.events if predicate(e)), None)
                if found is not None:
                    return found
                self._changed.clear()
                await self._changed.wait()
