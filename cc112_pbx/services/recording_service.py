"""Recordings through the API: metadata and the file to send (supervisors and admins; a call
taker only their own calls'). Only files inside the recordings directory are ever served."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cc112_pbx.services.access import Principal, seat_scope
from cc112_pbx.services.api_errors import FieldProblem, Forbidden, Invalid, NotFound
from cc112_pbx.services.incident_service import parse_page
from cc112_pbx.services.plain import plain
from cc112_pbx.services.ports import CallHistoryStore, RecordingStore


class RecordingService:
    def __init__(self, recordings: RecordingStore, calls: CallHistoryStore, recordings_dir: str) -> None:
        self.recordings = recordings
        self.calls = calls
        self.root = Path(recordings_dir).resolve()

    def _dict(self, record: Any) -> dict[str, Any]:
        return {**plain(record, drop=("path",)), "file": Path(record.path).name,
                "audio_url": f"/api/recordings/{record.id}/audio"}

    async def list(self, principal: Principal, query: Mapping[str, str]) -> list[dict[str, Any]]:
        problems: list[FieldProblem] = []
        limit, offset = parse_page(query, problems, default=100)
        if problems:
            raise Invalid(problems)
        rows = await self.recordings.recent(limit, offset, seat_id=seat_scope(principal))
        return [self._dict(r) for r in rows]

    async def _own(self, principal: Principal, recording_id: int) -> Any:
        record = await self.recordings.get(recording_id)
        if record is None:
            raise NotFound(f"recording {recording_id} not found", message_id=f"rekaman {recording_id} tidak ada")
        scope = seat_scope(principal)
        if scope is not None and record.seat_id != scope:
            call = await self.calls.get(record.call_id)
            if call is None or call.seat_id != scope:
                raise Forbidden("a call taker hears only their own calls",
                                message_id="petugas hanya boleh mendengar panggilannya sendiri")
        return record

    async def get(self, principal: Principal, recording_id: int) -> dict[str, Any]:
        return self._dict(await self._own(principal, recording_id))

    async def audio_file(self, principal: Principal, recording_id: int) -> Path:
        record = await self._own(principal, recording_id)
        path = await asyncio.to_thread(_existing_file, record.path)
        if path is None or not path.is_relative_to(self.root):
            raise NotFound(f"the audio of recording {recording_id} is not available",
                           message_id="berkas rekaman tidak tersedia")
        return path


def _existing_file(path: str) -> Path | None:
    resolved = Path(path).resolve()
    return resolved if resolved.is_file() else None
