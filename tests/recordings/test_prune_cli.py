"""`cc112 recordings prune [--dry-run] [--now]`: the retention policy from the command line."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from cc112_pbx.cli.main import main
from cc112_pbx.storage import Database

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


async def _one_old_recording(url: str, path) -> None:
    async with Database(url) as db:
        await db.upgrade()
        ended = NOW - timedelta(days=10)
        await db.calls.add(call_id="c1", direction="inbound", channel_id="c1", channel_name="x", arrived_at=ended)
        record = await db.recordings.add(call_id="c1", path=str(path), started_at=ended)
        await db.recordings.finish(record.id, ended)


def test_prune_dry_run_lists_then_prune_deletes_a_recording_older_than_retention_days(tmp_path, monkeypatch,
                                                                                          capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    (tmp_path / "rec").mkdir()
    wav = tmp_path / "rec" / "c1.wav"
    wav.write_bytes(b"RIFF....")
    asyncio.run(_one_old_recording(url, wav))
    monkeypatch.setenv("CC112_DATABASE_URL", url)
    monkeypatch.setenv("CC112_ASTERISK_RECORDINGS_DIR", str(tmp_path / "rec"))
    monkeypatch.setenv("CC112_RECORDINGS_RETENTION_DAYS", "7")
    monkeypatch.delenv("CC112_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)

    assert main(["recordings", "prune", "--dry-run", "--now", NOW.isoformat()]) == 0
    assert f"would delete recording 1: {wav}" in capsys.readouterr().out and wav.exists()
    assert main(["recordings", "prune", "--now", (NOW - timedelta(days=5)).isoformat()]) == 0
    assert "deleted 0 recording(s)" in capsys.readouterr().out and wav.exists()  # only 5 days old then
    assert main(["recordings", "prune", "--now", NOW.isoformat()]) == 0
    assert f"deleted recording 1: {wav}" in capsys.readouterr().out and not wav.exists()

    monkeypatch.setenv("CC112_RECORDINGS_RETENTION_DAYS", "0")
    assert main(["recordings", "prune"]) == 0
    assert "kept forever" in capsys.readouterr().out
