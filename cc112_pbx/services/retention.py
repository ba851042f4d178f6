"""The retention policy: recordings older than `[recordings] retention_days` are deleted.

Only when the call ended before the limit and nothing still needs it: no open incident (status
not closed or cancelled) and no QC sample refers to it (`QcSampleReferences`: the QC repository;
`NoQcSamples` when none is wired). The row is marked deleted first, then the file is removed (a
file left behind by a failure is harmless; a row claiming a file that is gone would not be).
`prune(now)` takes the time explicitly (tests, `cc112 recordings prune`); `run_daily()` is the
controller's timer, a task owned by its supervisor.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from cc112_pbx.services.ports import QcSampleReferences, RecordingUpkeepStore

log = structlog.get_logger("cc112.retention")

DAY = 86_400.0


class NoQcSamples:
    """The hook for quality control: a pending QC sample will keep its recordings. None exist today."""

    async def referenced(self, recording_ids: Sequence[int]) -> set[int]:
        return set()


@dataclass(slots=True)
class PruneReport:
    cutoff: datetime | None  # None: retention is off (retention_days = 0)
    dry_run: bool
    deleted: list[tuple[int, str]] = field(default_factory=list)  # (recording id, path): deleted or would be
    kept_for_qc: list[int] = field(default_factory=list)
    skipped: str | None = None  # why nothing was done


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


class RetentionService:
    def __init__(self, recordings: RecordingUpkeepStore, recordings_dir: str, retention_days: int,
                 qc: QcSampleReferences | None = None) -> None:
        self.recordings = recordings
        self.recordings_dir = recordings_dir
        self.retention_days = retention_days
        self.qc = qc or NoQcSamples()

    async def prune(self, now: datetime, *, dry_run: bool = False) -> PruneReport:
        if self.retention_days <= 0:
            return PruneReport(None, dry_run, skipped="retention_days = 0: recordings are kept forever")
        cutoff = now - timedelta(days=self.retention_days)
        report = PruneReport(cutoff, dry_run)
        if not await asyncio.to_thread(os.path.isdir, self.recordings_dir):
            report.skipped = f"the recordings directory {self.recordings_dir} is not on this host"
            return report
        rows = await self.recordings.ended_before_without_open_incident(cutoff)
        held = await self.qc.referenced([row.id for row in rows])
        for row in rows:
            if row.id in held:
                report.kept_for_qc.append(row.id)
                continue
            report.deleted.append((row.id, row.path))
            if not dry_run:
                await self.recordings.mark_deleted(row.id, now)
                await asyncio.to_thread(_remove, row.path)
        log.info("recordings_pruned", cutoff=cutoff.isoformat(), deleted=len(report.deleted), dry_run=dry_run,
                 kept_for_qc=len(report.kept_for_qc))
        return report

    async def run_daily(self, wall: Callable[[], datetime], interval: float = DAY) -> None:
        """Prune now, then every `interval` seconds, until cancelled; a failed run is logged and retried
        at the next one."""
        while True:
            try:
                await self.prune(wall())
            except Exception as exc:
                log.warning("recordings_prune_failed", error=repr(exc))
            await asyncio.sleep(interval)
