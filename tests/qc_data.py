"""Recorded, answered calls written straight into the database for the QC tests (issue 18): weeks
of calls in the past, which the emulator could only make in real time."""

from __future__ import annotations

import wave
from datetime import datetime, timedelta
from pathlib import Path

from cc112_pbx.domain.timeline import TimelineEntry, TimelineKind, offered_to_seat


def write_wav(path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * int(8000 * seconds))


async def add_recorded_call(db, call_id: str, seat: str, connected_at: datetime, *, talk_s: float = 120.0,
                            wait_s: float = 6.0, offered_after_s: float = 2.0, recordings_dir: Path | None = None,
                            dispatched_after_s: float | None = None, audio_s: float = 0.5) -> int:
    """An answered inbound call at `seat` (its incident, timeline and recording); returns the
    recording id. `recordings_dir`: also write a short WAV there (for playing it)."""
    arrived = connected_at - timedelta(seconds=wait_s)
    incident, _ = await db.incidents.open_for_call(
        call_id=call_id, channel_id=f"ch-{call_id}", channel_name=f"Local/112@cc112-inbound-{call_id}",
        arrived_at=arrived, dialled="112", caller_number="081234567890", caller_kind="normal")
    await db.timeline.append(incident.id, [offered_to_seat(arrived + timedelta(seconds=offered_after_s), call_id,
                                                           seat)])
    if dispatched_after_s is not None:
        await db.timeline.append(incident.id, [TimelineEntry(
            TimelineKind.STATUS_CHANGED, arrived + timedelta(seconds=dispatched_after_s), seat, None,
            {"old": "in_progress", "new": "dispatched", "reason": ""})])
    await db.calls.mark_connected(call_id, connected_at, seat_id=seat)
    ended = connected_at + timedelta(seconds=talk_s)
    await db.calls.end(call_id, ended, "answered")
    folder = recordings_dir or Path("/nonexistent/cc112-recordings")
    path = folder / f"{call_id}.wav"
    if recordings_dir is not None:
        write_wav(path, audio_s)
    recording = await db.recordings.add(call_id=call_id, path=str(path), started_at=connected_at, seat_id=seat)
    await db.recordings.finish(recording.id, ended)
    return recording.id
