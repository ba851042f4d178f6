"""The recordings part of `/healthz`: files gone or changed since their checksum was taken, and
free disk space. A quick look (size only, the newest `limit` recordings, off the event loop),
cached for `ttl` seconds so a health probe every second costs little. Problems make the health
degraded, never failing: calls are still handled."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from cc112_pbx.services.ports import RecordingUpkeepStore
from cc112_pbx.services.recording_integrity import check_recordings, free_megabytes

HEALTH_TTL = 5.0
HEALTH_LIMIT = 500


class RecordingHealth:
    def __init__(self, recordings: RecordingUpkeepStore, recordings_dir: str, min_free_mb: int, *,
                 ttl: float = HEALTH_TTL, limit: int = HEALTH_LIMIT,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.recordings = recordings
        self.recordings_dir = recordings_dir
        self.min_free_mb = min_free_mb
        self.ttl = ttl
        self.limit = limit
        self.monotonic = monotonic
        self._cached: tuple[float, dict[str, Any]] | None = None

    async def summary(self) -> dict[str, Any]:
        now = self.monotonic()
        if self._cached is not None and now - self._cached[0] < self.ttl:
            return self._cached[1]
        rows = await self.recordings.kept(self.limit)
        problems, checked, unchecked = await asyncio.to_thread(check_recordings, rows, full=False)
        free = await asyncio.to_thread(free_megabytes, self.recordings_dir)
        result = {"problems": len(problems), "checked": checked, "not_checked": unchecked, "free_mb": free,
                  "min_free_mb": self.min_free_mb, "low_disk": free is not None and free < self.min_free_mb}
        self._cached = (now, result)
        return result

    @staticmethod
    def degraded(summary: dict[str, Any]) -> bool:
        return bool(summary.get("problems")) or bool(summary.get("low_disk"))
