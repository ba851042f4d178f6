"""Recording checksums (stored when the recording ends), the retention policy (explicit `now`) and
the recordings part of `/healthz`."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cc112_pbx.harness import Switchboard
from cc112_pbx.services.recording_health import RecordingHealth
from cc112_pbx.services.recording_integrity import check_recordings
from cc112_pbx.services.retention import RetentionService
from cc112_pbx.storage import Database
from cc112_pbx.storage.records import IncidentStatus
from tests.waiting import wait_until


async def _checked(db, call_id: str):
    rows = await db.recordings.for_call(call_id)
    return rows[0] if rows and rows[0].checksum_state is not None else None


async def test_an_ended_recording_gets_its_files_size_and_sha256_beside_its_row(tmp_path):
    async with Switchboard(tmp_path, seats=1, queue={"wrapup_time": 0}) as sb:
        await sb.login_all()
        call = sb.emulator.place_call(number="+6281234567890", talk_time=0.5)
        await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=10)
        db = sb.app.db
        await sb.settled()
        (incident,) = await db.incidents.recent()
        (inbound,) = [c for c in await db.calls.for_incident(incident.id) if c.direction == "inbound"]
        row = await wait_until(lambda: _checked(db, inbound.id), timeout=10, what="the recording checked")
    data = await asyncio.to_thread(Path(row.path).read_bytes)
    assert row.checksum_state == "ok"
    assert row.size_bytes == len(data) > 0
    assert row.sha256 == hashlib.sha256(data).hexdigest()


async def test_a_recording_whose_file_is_not_on_this_host_is_stored_as_not_checked(tmp_path):
    from cc112_pbx.services.journal import Journal
    from cc112_pbx.services.lanes import Lanes
    from cc112_pbx.services.recording_checksums import RecordingChecksums

    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}") as db:
        await db.upgrade()
        now = datetime.now(UTC)
        await db.calls.add(call_id="c1", direction="inbound", channel_id="c1", channel_name="PJSIP/x",
                           arrived_at=now)
        await db.recordings.add(call_id="c1", path="/nowhere/on/this/host/c1.wav", started_at=now)
        journal, lanes = Journal(), Lanes()
        await journal.start()
        checksums = RecordingChecksums(db.recordings, journal, lanes.submit, lambda: now)
        await checksums.check("c1", "/nowhere/on/this/host/c1.wav")
        assert await journal.flush(5)
        await journal.close()
        await lanes.close()
        (row,) = await db.recordings.for_call("c1")
    assert row.checksum_state == "unchecked" and row.sha256 is None


async def _recording(db, tmp_path: Path, n: int, ended: datetime, status: IncidentStatus | None) -> tuple[int, Path]:
    path = tmp_path / "rec" / f"call{n}.wav"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"RIFF" + bytes(100 * n))
    incident_id = None
    if status is not None:
        incident, _ = await db.incidents.open_for_call(
            call_id=f"call{n}", channel_id=f"call{n}", channel_name="PJSIP/x", arrived_at=ended,
            dialled="112", caller_number=f"+62812000{n}", caller_kind="normal", category_hint=None,
            no_callback=False)
        incident_id = incident.id
        if status is not IncidentStatus.NEW:
            await db.incidents.transition(incident_id, status, actor="test", at=ended, reason="test")
    else:
        await db.calls.add(call_id=f"call{n}", direction="inbound", channel_id=f"call{n}", channel_name="x",
                           arrived_at=ended)
    record = await db.recordings.add(call_id=f"call{n}", path=str(path), started_at=ended - timedelta(minutes=1))
    await db.recordings.finish(record.id, ended)
    return record.id, path


async def test_retention_deletes_only_old_recordings_of_finished_incidents_and_keeps_qc_samples(tmp_path):
    now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    old, recent = now - timedelta(days=40), now - timedelta(days=5)
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}") as db:
        await db.upgrade()
        closed_old = await _recording(db, tmp_path, 1, old, IncidentStatus.CLOSED)
        cancelled_old = await _recording(db, tmp_path, 2, old, IncidentStatus.CANCELLED)
        open_old = await _recording(db, tmp_path, 3, old, IncidentStatus.NEW)
        closed_recent = await _recording(db, tmp_path, 4, recent, IncidentStatus.CLOSED)
        no_incident_old = await _recording(db, tmp_path, 5, old, None)
        sampled_old = await _recording(db, tmp_path, 6, old, IncidentStatus.CLOSED)

        class OneQcSample:
            async def referenced(self, ids):
                return {sampled_old[0]} & set(ids)

        service = RetentionService(db.recordings, str(tmp_path / "rec"), retention_days=30, qc=OneQcSample())
        dry = await service.prune(now, dry_run=True)
        expected = {closed_old[0], cancelled_old[0], no_incident_old[0]}
        assert {rid for rid, _ in dry.deleted} == expected and dry.kept_for_qc == [sampled_old[0]]
        assert all(path.exists() for _, path in (closed_old, cancelled_old, no_incident_old))

        report = await service.prune(now)
        assert {rid for rid, _ in report.deleted} == expected
        for rid, path in (closed_old, cancelled_old, no_incident_old):
            assert not path.exists() and (await db.recordings.get(rid)).deleted_at == now
        for rid, path in (open_old, closed_recent, sampled_old):
            assert path.exists() and (await db.recordings.get(rid)).deleted_at is None
        assert (await service.prune(now)).deleted == []  # nothing twice
        off = await RetentionService(db.recordings, str(tmp_path / "rec"), retention_days=0).prune(now)
        assert off.cutoff is None and off.deleted == []


async def test_health_counts_recordings_missing_or_changed_since_their_checksum(tmp_path):
    now = datetime.now(UTC)
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}") as db:
        await db.upgrade()
        paths = []
        for n in (1, 2, 3):
            _, path = await _recording(db, tmp_path, n, now, None)
            data = path.read_bytes()
            await db.recordings.set_checksum(f"call{n}", str(path), size_bytes=len(data),
                                             sha256=hashlib.sha256(data).hexdigest(), state="ok", at=now)
            paths.append(path)
        health = RecordingHealth(db.recordings, str(tmp_path / "rec"), min_free_mb=0, ttl=0)
        assert (await health.summary())["problems"] == 0
        paths[0].unlink()
        paths[1].write_bytes(b"RIFF" + bytes(999))
        summary = await health.summary()
        assert summary["problems"] == 2 and summary["checked"] == 3 and not summary["low_disk"]
        assert RecordingHealth.degraded(summary)
        paths[2].write_bytes(b"XXXX" + bytes(300))  # same size, other content: only the full check sees it
        problems, _, _ = check_recordings(await db.recordings.kept(), full=True)
        assert sorted(p.problem.split(" (")[0] for p in problems) == ["checksum mismatch", "missing", "size changed"]
