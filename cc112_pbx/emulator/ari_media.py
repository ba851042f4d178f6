"""Playbacks, live and stored recordings, and music on hold, as ARI sees them.

A channel playback is a command on the channel's Stasis control queue (`ari_control`, trace
ari-15): it starts when the commands before it have run, so a channel's prompts play one after
the other, and the channel's later commands wait for them. `DELETE /playbacks/{id}` of a playing
playback stops it (the next queued one starts); of a queued one cancels it: when its turn comes
it ends at once (PlaybackFinished `done`, no PlaybackStarted), as res_stasis_playback.c does.
Bridge playbacks are not queued on any channel: they queue on the bridge's own Announcer channel.

Quirks kept from Asterisk 22.10.1 (trace ari-10): playing on a bridge whose music is on gives
PlaybackStarted then PlaybackFinished `failed`; a missing sound file the same; a media URI
with an unknown scheme gives PlaybackStarted and never a PlaybackFinished (and the playback is
gone at once: GET is 404). Bridge music stops when the last channel leaves the bridge.
Stored recordings are WAV files (silence of the recorded length) under `recordings_dir`.
"""

from __future__ import annotations

import asyncio
import contextlib
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ari_control import StasisControls, announcer_queue
from .core import Core, CoreError
from .core import events as ev

MEDIA_SCHEMES = ("sound:", "recording:", "number:", "digits:", "characters:", "tone:")
SAMPLE_RATE = 8000


@dataclass(eq=False)
class Playback:
    id: str
    media_uri: str
    target_uri: str
    language: str
    state: str = "queued"
    channel_ids: tuple[str, ...] = ()
    bridge_id: str | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    cancelled: bool = False  # stopped while still queued
    ran: bool = False  # its command started (a dropped one never does)
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "media_uri": self.media_uri, "target_uri": self.target_uri,
                "language": self.language, "state": self.state}


@dataclass(eq=False)
class LiveRecording:
    name: str
    format: str
    target_uri: str
    state: str = "queued"
    started_at: float = 0.0
    duration: int | None = None
    channel_ids: tuple[str, ...] = ()
    bridge_id: str | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "format": self.format, "state": self.state,
                                "target_uri": self.target_uri}
        if self.duration is not None:
            body["duration"] = self.duration
        return body


class AriMedia:
    def __init__(self, core: Core, recordings_dir: Path, *,
                 sound_seconds: Callable[[str], float] = lambda media: 0.3,
                 sound_exists: Callable[[str], bool] = lambda name: True,
                 controls: StasisControls | None = None) -> None:
        self.core = core
        self.controls = controls or StasisControls(core)
        self.recordings_dir = recordings_dir
        self.sound_seconds = sound_seconds
        self.sound_exists = sound_exists
        self.playbacks: dict[str, Playback] = {}
        self.recordings: dict[str, LiveRecording] = {}
        self.channel_music: dict[str, str] = {}
        self._unsubscribe = core.subscribe(self._on_core_event)

    def close(self) -> None:
        self._unsubscribe()

    def _on_core_event(self, event: ev.CoreEvent) -> None:
        if isinstance(event, ev.LeftBridge) and not event.bridge_snapshot["channels"]:
            bridge = self.core.bridges.get(event.bridge_id)
            if bridge is not None:
                bridge.music_class = None
        elif isinstance(event, ev.ChannelDestroyed):
            self.channel_music.pop(event.channel_id, None)
            for item in [*self.playbacks.values(), *self.recordings.values()]:
                if event.channel_id in item.channel_ids and item.bridge_id is None:
                    item.stop.set()
        elif isinstance(event, ev.BridgeDestroyed):
            for item in [*self.playbacks.values(), *self.recordings.values()]:
                if item.bridge_id == event.bridge_id:
                    item.stop.set()

    # ---- playback ----------------------------------------------------------------------------
    def play(self, media: list[str], lang: str, playback_id: str | None, *, channel_id: str | None = None,
             bridge_id: str | None = None) -> Playback:
        target = f"channel:{channel_id}" if channel_id else f"bridge:{bridge_id}"
        pid = playback_id or self.core.ids.uuid()
        if pid in self.playbacks:
            raise CoreError("conflict", "Playback ID already in use")
        playback = Playback(pid, media[0], target, lang or self.core.language,
                            channel_ids=(channel_id,) if channel_id else (), bridge_id=bridge_id)
        self.playbacks[pid] = playback
        # a bridge's playbacks queue on its Announcer channel's control queue, one after the other
        queue = channel_id or announcer_queue(bridge_id or "")
        queued = self.controls.run(queue, lambda: self._run_playback(playback, media), name=f"playback:{pid}")
        queued.add_done_callback(lambda _: self._forget_unplayed(playback))
        return playback

    def _forget_unplayed(self, playback: Playback) -> None:
        """A playback dropped from its channel's queue (the channel left Stasis) never started."""
        if not playback.ran:
            self.playbacks.pop(playback.id, None)
            playback.finished.set()

    def _emit_playback(self, playback: Playback, kind: str) -> None:
        channel_ids = playback.channel_ids
        if playback.bridge_id is not None:
            bridge = self.core.bridges.get(playback.bridge_id)
            channel_ids = tuple(bridge.channels) if bridge else ()
        self.core.emit(ev.PlaybackEvent(self.core.now(), kind, playback.id, playback.to_dict(),
                                        channel_ids, playback.bridge_id))

    async def _run_playback(self, playback: Playback, media: list[str]) -> None:
        playback.ran = True
        try:
            await self._play(playback, media)
        finally:
            playback.finished.set()

    async def _play(self, playback: Playback, media: list[str]) -> None:
        if playback.cancelled:  # stopped while queued: ends as its turn comes, never started
            self.playbacks.pop(playback.id, None)
            self._emit_playback(playback, "finished")
            return
        await asyncio.sleep(0)
        for channel_id in playback.channel_ids:  # a file played on a channel switches its music off
            self.channel_music.pop(channel_id, None)  # (main/file.c deactivates the MOH generator)
        playable = all(m.startswith(MEDIA_SCHEMES) for m in media)
        bridge = self.core.bridges.get(playback.bridge_id or "")
        missing = any(m.startswith("sound:") and not self.sound_exists(m[6:]) for m in media)
        fails = missing or (bridge is not None and bridge.music_class is not None)
        announcer = None
        if bridge is not None and playable and not fails:  # an Announcer channel joins while it plays
            announcer = self.core.add_hidden_participant(bridge.id, "Announcer")
        playback.state = "playing"
        self._emit_playback(playback, "started")
        if not playable:
            self.playbacks.pop(playback.id, None)  # Asterisk loses it: no PlaybackFinished, GET 404
            return
        if fails:
            playback.state = "failed"
        else:
            seconds = sum(self.sound_seconds(m) for m in media)
            with contextlib.suppress(TimeoutError):  # stopped, finished or its target gone: "done"
                await asyncio.wait_for(playback.stop.wait(), seconds)
            playback.state = "done"
        self.playbacks.pop(playback.id, None)
        self._emit_playback(playback, "finished")
        if announcer is not None and bridge is not None:
            self.core.remove_hidden_participant(bridge.id, announcer)

    async def stop_playback(self, playback_id: str) -> None:
        """Stop a playing playback (returns once it has ended, so the channel's next command can
        run) or cancel a queued channel playback (it ends when its turn comes)."""
        playback = self.playbacks.get(playback_id)
        if playback is None:
            raise CoreError("not_found", "Playback not found")
        if playback.state == "queued" and not playback.ran:
            playback.cancelled, playback.state = True, "done"
            return
        playback.stop.set()
        if playback.ran:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(playback.finished.wait(), 1.0)

    # ---- music on hold ---------------------------------------------------------------------------
    def channel_moh(self, channel_id: str, music_class: str | None) -> None:
        if music_class is None:
            self.channel_music.pop(channel_id, None)
        else:
            self.channel_music[channel_id] = music_class or "default"

    def bridge_moh_start(self, bridge_id: str, music_class: str) -> None:
        bridge = self.core.get_bridge(bridge_id)
        bridge.music_class = music_class or "default"  # an unknown class falls back to default

    def bridge_moh_stop(self, bridge_id: str) -> None:
        bridge = self.core.get_bridge(bridge_id)
        if bridge.music_class is None:
            raise CoreError("conflict", "Bridge isn't playing music")
        bridge.music_class = None

    # ---- recordings ------------------------------------------------------------------------------
    def record(self, name: str, fmt: str, if_exists: str, max_seconds: float, *,
               channel_id: str | None = None, bridge_id: str | None = None) -> LiveRecording:
        if not name:
            raise CoreError("bad_request", "Recording name is required")
        if name in self.recordings:
            raise CoreError("conflict", "Recording already in progress")
        if if_exists == "fail" and self.stored_path(name, fmt).exists():
            raise CoreError("conflict", "Recording already exists")
        target = f"channel:{channel_id}" if channel_id else f"bridge:{bridge_id}"
        recording = LiveRecording(name, fmt, target, channel_ids=(channel_id,) if channel_id else (),
                                  bridge_id=bridge_id)
        self.recordings[name] = recording
        self.core.spawn(self._run_recording(recording, max_seconds), name=f"recording:{name}")
        return recording

    def _emit_recording(self, recording: LiveRecording, kind: str) -> None:
        self.core.emit(ev.RecordingEvent(self.core.now(), kind, recording.name, recording.to_dict(),
                                         recording.channel_ids, recording.bridge_id))

    async def _run_recording(self, recording: LiveRecording, max_seconds: float) -> None:
        await asyncio.sleep(0)
        bridge = self.core.bridges.get(recording.bridge_id or "")
        recorder = self.core.add_hidden_participant(bridge.id, "Recorder") if bridge is not None else None
        recording.state, recording.started_at = "recording", self.core.clock.monotonic()
        self._emit_recording(recording, "started")
        try:
            await asyncio.wait_for(recording.stop.wait(), max_seconds or None)
        except TimeoutError:
            pass
        finally:
            if bridge is not None and recorder is not None:
                self.core.remove_hidden_participant(bridge.id, recorder)
        seconds = self.core.clock.monotonic() - recording.started_at
        self.recordings.pop(recording.name, None)
        if recording.cancelled:
            return
        recording.state, recording.duration = "done", round(seconds)
        await asyncio.to_thread(self._write_wav, self.stored_path(recording.name, recording.format), seconds)
        self._emit_recording(recording, "finished")

    def stop_recording(self, name: str, *, cancel: bool = False) -> None:
        recording = self.recordings.get(name)
        if recording is None:
            raise CoreError("not_found", "Recording not found")
        recording.cancelled = cancel
        recording.stop.set()

    def stored_path(self, name: str, fmt: str = "wav") -> Path:
        return self.recordings_dir / f"{name}.{fmt}"

    def stored(self) -> list[dict[str, str]]:
        if not self.recordings_dir.is_dir():
            return []
        return [{"name": p.stem, "format": p.suffix[1:]} for p in sorted(self.recordings_dir.iterdir())
                if p.is_file() and p.suffix]

    def find_stored(self, name: str) -> Path:
        for path in self.recordings_dir.glob(f"{name}.*") if self.recordings_dir.is_dir() else []:
            if path.stem == name:
                return path
        raise CoreError("not_found", "Recording not found")

    @staticmethod
    def _write_wav(path: Path, seconds: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(b"\x00\x00" * int(SAMPLE_RATE * seconds))
