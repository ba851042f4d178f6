"""When a call's recording ends, its file's size and SHA-256 are stored beside its row.

A subscriber of the `FactBus` (`CallFinished` with a recording). Best-effort and never in a
call's way: the file is read in a thread (`asyncio.to_thread`), in its own lane (owned and
drained by `Lanes`), after its size stopped changing; the row is written through the journal,
so a database outage only delays it. A file the controller cannot read (the recordings
directory is on the Asterisk host, or the file never appeared) is stored as "unchecked".
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime

import structlog

from cc112_pbx.services import facts as f
from cc112_pbx.services.journal import Journal
from cc112_pbx.services.ports import RecordingUpkeepStore
from cc112_pbx.services.recording_integrity import file_digest

log = structlog.get_logger("cc112.recordings")

SETTLE_TIMEOUT = 3.0  # seconds a recording's file may take to appear and stop growing after the call ended
SETTLE_INTERVAL = 0.2  # seconds between two looks at its size

Submit = Callable[[Hashable, str, Callable[[], Awaitable[object]]], None]


def _size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


class RecordingChecksums:
    def __init__(self, recordings: RecordingUpkeepStore, journal: Journal, submit: Submit,
                 wall: Callable[[], datetime], *, settle_timeout: float = SETTLE_TIMEOUT,
                 settle_interval: float = SETTLE_INTERVAL) -> None:
        self.recordings = recordings
        self.journal = journal
        self.submit = submit  # `Lanes.submit`
        self.wall = wall
        self.settle_timeout = settle_timeout
        self.settle_interval = settle_interval

    def __call__(self, fact: object) -> None:
        if not isinstance(fact, f.CallFinished) or fact.recording_path is None:
            return
        call_id, path = fact.call_id, fact.recording_path
        self.submit(("recording-checksum", call_id), "recording_checksum", lambda: self.check(call_id, path))

    async def check(self, call_id: str, path: str) -> None:
        digest = await self._settled_digest(path)
        size, sha = digest if digest is not None else (None, None)
        state = "ok" if digest is not None else "unchecked"
        at = self.wall()
        recordings = self.recordings
        if digest is None:
            log.info("recording_not_checked", call_id=call_id, path=path, reason="file not readable here")
        self.journal.submit("recording_checksum",
                            lambda: recordings.set_checksum(call_id, path, size_bytes=size, sha256=sha,
                                                            state=state, at=at),
                            call_id=call_id, state=state)

    async def _settled_digest(self, path: str) -> tuple[int, str] | None:
        if not await asyncio.to_thread(os.path.isdir, os.path.dirname(path) or "."):
            return None  # the recordings directory is not on this host
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settle_timeout
        last: int | None = None
        while True:
            size = await asyncio.to_thread(_size, path)
            if size is not None and size == last:
                break
            if loop.time() >= deadline:
                if size is None:
                    return None
                break  # still growing after the deadline: take it as it is now
            last = size
            await asyncio.sleep(self.settle_interval)
        try:
            return await asyncio.to_thread(file_digest, path)
        except OSError:
            return None
