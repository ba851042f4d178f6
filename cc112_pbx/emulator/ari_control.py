"""Each Stasis channel's control queue (res_stasis `control.c`), as ARI sees it (trace ari-15).

Asterisk runs a Stasis channel's commands one after the other on the channel's own thread: a
channel playback is such a command and lasts as long as its sound, so every command queued
after it waits. `POST /bridges/{id}/addChannel` (and removeChannel, answer) waits for its
command to run before answering; ari-15: four channel prompts queued (21.25 s of audio), then
addChannel: its 204 and the ChannelEnteredBridge events come when the last prompt ends. Bridge
playbacks are not on a channel's queue (2 ms). Asynchronous commands (play, continue, ring,
moh, record, dtmf) answer at once and take effect in turn.

When the channel leaves Stasis (continue, hang-up) the commands still queued are dropped
unrun (`control_flush_queue`): a dropped playback never starts and sends no event.
A command already queued runs even if the REST client that sent it is gone (the app died).

`StasisControls(core, serial=False)` is the emulator's older, unrealistic behaviour, kept for
suites written before ari-15: every command runs at once, playbacks of a channel overlap.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .core import Core
from .core import events as ev

Command = Callable[[], Any]  # a plain function or a coroutine function


def announcer_queue(bridge_id: str) -> str:
    """The control queue of a bridge's hidden Announcer channel (its playbacks, one at a time)."""
    return f"announcer:{bridge_id}"


@dataclass(eq=False)
class _Queue:
    channel_id: str
    items: deque[tuple[Command, asyncio.Future[Any]]] = field(default_factory=deque)
    running: bool = False


class StasisControls:
    """`run(channel_id, command)` queues a command on the channel's control queue and returns a
    future of its result (None when the command was dropped)."""

    def __init__(self, core: Core, *, serial: bool = True) -> None:
        self.core = core
        self.serial = serial
        self._queues: dict[str, _Queue] = {}
        self._unsubscribe = core.subscribe(self._on_core_event)

    def close(self) -> None:
        self._unsubscribe()

    def pending(self, channel_id: str) -> int:
        """How many commands the channel's queue holds (the running one included)."""
        queue = self._queues.get(channel_id)
        return len(queue.items) + (1 if queue and queue.running else 0) if queue else 0

    def run(self, channel_id: str, command: Command, *, name: str = "command") -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        queue = self._queues.get(channel_id)
        if queue is None or not self.serial:  # not serial: a queue of its own for each command
            queue = _Queue(channel_id)
            if self.serial:
                self._queues[channel_id] = queue
        queue.items.append((command, future))
        if not queue.running:
            queue.running = True
            self.core.spawn(self._work(queue), name=f"stasis-control:{channel_id}:{name}")
        return future

    async def call(self, channel_id: str, command: Command, *, name: str = "command") -> Any:
        """Queue `command` and wait until it has run (a synchronous command: answer, addChannel);
        the command still runs if the waiter is cancelled."""
        return await asyncio.shield(self.run(channel_id, command, name=name))

    async def _work(self, queue: _Queue) -> None:
        try:
            while queue.items:
                command, future = queue.items.popleft()
                try:
                    result = command()
                    if inspect.isawaitable(result):
                        result = await result
                except Exception as err:  # the command's own failure goes to its waiter
                    if not future.done():
                        future.set_exception(err)
                    else:
                        raise
                else:
                    if not future.done():
                        future.set_result(result)
        finally:
            queue.running = False
            if self._queues.get(queue.channel_id) is queue and not queue.items:
                del self._queues[queue.channel_id]

    def flush(self, channel_id: str) -> None:
        """Drop the commands not yet started (the running one ends on its own)."""
        queue = self._queues.get(channel_id)
        if queue is None:
            return
        while queue.items:
            _command, future = queue.items.popleft()
            if not future.done():
                future.set_result(None)
        if not queue.running:
            self._queues.pop(channel_id, None)

    def _on_core_event(self, event: ev.CoreEvent) -> None:
        if isinstance(event, ev.StasisEnd | ev.ChannelDestroyed):
            self.flush(event.channel_id)
        elif isinstance(event, ev.BridgeDestroyed):
            self.flush(announcer_queue(event.bridge_id))
