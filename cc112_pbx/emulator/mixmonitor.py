"""The emulator's app_mixmonitor: `MixMonitor()` in the dialplan and over AMI, and the WAV files.

A recording starts with `VarSet MIXMONITOR_FILENAME` (absolute path; a relative `File` goes
under the recordings directory) and `MixMonitorStart`; it ends on StopMixMonitor or when the
channel hangs up, with `MixMonitorStop`. The file is then written as a real WAV (8 kHz, mono,
16-bit) as long as the recording lasted, off the event loop, to a temporary name renamed at
the end, so a file that exists is complete.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from cc112_pbx.emulator.ami_fields import channel_block
from cc112_pbx.emulator.core import events as ev

log = structlog.get_logger(__name__)

SAMPLE_RATE = 8000
CHUNK_SECONDS = 10
MAX_SECONDS = 4 * 3600  # a runaway recording is capped, not a disk filler
_OPTION = re.compile(r"([a-zA-Z])(?:\(([^)]*)\))?")


class MixMonitorError(Exception):
    """Start/stop refused; `message` is the AMI error text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(eq=False)
class Recording:
    channel_id: str
    path: Path | None  # the mixed file (None with only r()/t() files)
    extra_paths: list[Path]
    started: float  # monotonic
    options: dict[str, str] = field(default_factory=dict)
    id: str = ""  # the MixMonitorID

    @property
    def paths(self) -> list[Path]:
        return [p for p in (self.path, *self.extra_paths) if p is not None]


def parse_options(options: str) -> dict[str, str]:
    """`br(rx.wav)t(tx.wav)` -> {"b": "", "r": "rx.wav", "t": "tx.wav"}."""
    return {match.group(1): match.group(2) or "" for match in _OPTION.finditer(options or "")}


def write_wav(path: Path, seconds: float) -> None:
    """Write `seconds` of 8 kHz mono 16-bit audio: quiet comfort noise with a faint 425 Hz tone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    frames_total = int(max(0.0, min(seconds, MAX_SECONDS)) * SAMPLE_RATE)
    with wave.open(str(temporary), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        period = [int(300 * math.sin(2 * math.pi * 425 * n / SAMPLE_RATE)) for n in range(SAMPLE_RATE)]
        one_second = b"".join(v.to_bytes(2, "little", signed=True) for v in period)
        written = 0
        while written < frames_total:
            frames = min(SAMPLE_RATE * CHUNK_SECONDS, frames_total - written)
            chunk = one_second * (frames // SAMPLE_RATE + 1)
            out.writeframes(chunk[: frames * 2])
            written += frames
    temporary.replace(path)


class MixMonitorService:
    def __init__(self, core: Any, publish: Callable[..., None], recordings_dir: Path) -> None:
        self.core = core
        self.publish = publish
        self.recordings_dir = Path(recordings_dir)
        self.recordings: dict[str, list[Recording]] = {}
        self._writes: set[asyncio.Task[None]] = set()
        self._unsubscribe: Any = None
        self._ids = 0
        self._start_pending: set[str] = set()  # channels whose MixMonitorStart is not out yet

    def install(self) -> None:
        async def mixmonitor_app(core: Any, channel: Any, data: str) -> None:
            file, _, options = data.partition(",")
            options, _, _command = options.partition(",")
            try:
                self.start(channel.id, file, options)
            except MixMonitorError as error:
                log.warning("mixmonitor_app_failed", channel=channel.name, error=error.message)

        self.core.register_application("MixMonitor", mixmonitor_app)
        self._unsubscribe = self.core.subscribe(self._on_core_event)

    async def aclose(self) -> None:
        if callable(self._unsubscribe):
            self._unsubscribe()
        self._unsubscribe = None
        for channel_id in list(self.recordings):
            self._finish(self.recordings.pop(channel_id))
        await self.wait_written()

    async def wait_written(self) -> None:
        """Wait until every WAV file being written is complete."""
        while self._writes:
            await asyncio.gather(*list(self._writes), return_exceptions=True)

    def resolve_path(self, file: str) -> Path:
        path = Path(file)
        return path if path.is_absolute() else (self.recordings_dir / path).resolve()

    def start(self, channel_id: str, file: str, options: str = "") -> Recording:
        """app_mixmonitor's mixmonitor_exec: needs a File or an r()/t() file; `i(VAR)` stores the id."""
        channel = self.core.channels.get(channel_id)
        if channel is None:
            raise MixMonitorError("No such channel")
        parsed = parse_options(options)
        extras = [self.resolve_path(parsed[key]) for key in ("r", "t") if parsed.get(key)]
        if not file.strip() and not extras:
            raise MixMonitorError("Could not start monitoring channel")
        path = self.resolve_path(file.strip()) if file.strip() else None
        self._ids += 1
        recording = Recording(channel_id, path, extras, time.monotonic(), parsed, f"0x{self._ids:012x}")
        self.recordings.setdefault(channel_id, []).append(recording)
        self._start_pending.add(channel_id)
        self.core.set_variable(channel_id, "MIXMONITOR_FILENAME", str(path) if path else "")
        self._announce_start(channel_id)
        if parsed.get("i"):
            self.core.set_variable(channel_id, parsed["i"], recording.id)
        log.info("mixmonitor_started", channel=channel.name, path=str(path), extras=[str(p) for p in extras])
        return recording

    def stop(self, channel_id: str, mixmonitor_id: str = "") -> None:
        """StopMixMonitor: the recording with that id, else the channel's first one."""
        channel = self.core.channels.get(channel_id)
        if channel is None:
            raise MixMonitorError("No such channel")
        recordings = self.recordings.get(channel_id, [])
        chosen = next((r for r in recordings if not mixmonitor_id or r.id == mixmonitor_id), None)
        if chosen is None:
            raise MixMonitorError("Could not stop monitoring channel")
        recordings.remove(chosen)
        if not recordings:
            self.recordings.pop(channel_id, None)
        self._finish([chosen])
        self.publish("MixMonitorStop", "call,all", channel_block(channel.to_dict()))

    def _finish(self, recordings: list[Recording]) -> None:
        """Write each recording's files, off the event loop, as long as it lasted."""
        now = time.monotonic()
        for recording in recordings:
            seconds = now - recording.started
            for path in recording.paths:
                task = asyncio.get_running_loop().create_task(asyncio.to_thread(write_wav, path, seconds))
                self._writes.add(task)
                task.add_done_callback(self._write_done)
            log.info(
                "mixmonitor_stopped",
                channel_id=recording.channel_id,
                path=str(recording.path),
                seconds=round(seconds, 3),
            )

    def _write_done(self, task: asyncio.Task[None]) -> None:
        self._writes.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("mixmonitor_write_failed", error=repr(task.exception()))

    def _announce_start(self, channel_id: str) -> None:
        if channel_id in self._start_pending:
            self._start_pending.discard(channel_id)
            self.publish("MixMonitorStart", "call,all", channel_block(self.core.channels[channel_id].to_dict()))

    def _on_core_event(self, event: ev.CoreEvent) -> None:
        """A hang-up ends the channel's recordings; Asterisk sends no MixMonitorStop for that.
        MixMonitorStart follows the MIXMONITOR_FILENAME VarSet at once, before the bridge that
        the audiohook reconfigures re-sets BRIDGEPEER (ami-07)."""
        if isinstance(event, ev.ChannelVarSet) and event.variable == "MIXMONITOR_FILENAME":
            self._announce_start(event.channel_id)
            return
        if isinstance(event, ev.ChannelHangupRequest | ev.ChannelDestroyed) and event.channel_id in self.recordings:
            self._finish(self.recordings.pop(event.channel_id))
