"""`cc112 qc sample` and `cc112 qc report` (issue 18): a week drawn once from the command line, the
report as CSV and HTML files; and the retention policy keeps a sampled call's recording."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cc112_pbx.cli.main import main
from cc112_pbx.domain.qc import Week
from cc112_pbx.services.access import Principal, Role
from cc112_pbx.services.context import SystemClock
from cc112_pbx.services.qc_service import QcPolicy, QcService
from cc112_pbx.services.retention import RetentionService
from cc112_pbx.storage import Database
from tests.qc_data import add_recorded_call

MONDAY = datetime(2026, 9, 28, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # 2026-W40


async def _calls(url: str, recordings) -> None:
    async with Database(url) as db:
        await db.upgrade()
        for seat, n in (("seat01", 5), ("seat02", 1)):
            for i in range(n):
                await add_recorded_call(db, f"{seat}-{i}", seat, MONDAY + timedelta(hours=i), recordings_dir=recordings)


async def _score_all(url: str) -> None:
    async with Database(url) as db:
        service = QcService(db, db.audit, SystemClock(), QcPolicy())
        eva = Principal(1, "eva", Role.QC_EVALUATOR)
        rubric = await service.rubric(eva)
        for sample in await db.qc.samples(week="2026-W40"):
            scores = {e["key"]: "yes" for e in rubric["elements"]}
            if sample.seat_id == "seat02":
                scores["greeting"] = "no"
            await service.evaluate(eva, sample.id, {"scores": scores})


def test_qc_sample_draws_a_week_once_and_qc_report_writes_csv_and_html(tmp_path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    asyncio.run(_calls(url, tmp_path / "rec"))
    monkeypatch.setenv("CC112_DATABASE_URL", url)
    monkeypatch.delenv("CC112_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)

    assert main(["qc", "sample", "--week", "2026-W40", "--seed", "11"]) == 0
    out = capsys.readouterr().out
    assert "week 2026-W40: drew; seed 11, 3 sample(s)" in out
    assert "shortfall: seat02 had 1 eligible call(s), 1 fewer than wanted" in out
    assert main(["qc", "sample", "--week", "2026-W40", "--seed", "12"]) == 0
    assert "already drawn (nothing new drawn); seed 11, 3 sample(s)" in capsys.readouterr().out

    asyncio.run(_score_all(url))
    assert main(["qc", "report", "--week", "2026-W40", "--format", "csv", "--output", str(tmp_path / "r.csv")]) == 0
    lines = (tmp_path / "r.csv").read_text().splitlines()
    assert "taker,2026-W40,seat01,,2,36,36,1,,,," in lines
    assert "taker,2026-W40,seat02,,1,17,18,0.944444,,,,greeting:1" in lines
    assert main(["qc", "report", "--week", "2026-W40", "--format", "html", "--output", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text()
    assert "data:image/png;base64," in page and "94.4%" in page


def test_a_bad_week_is_refused_by_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["qc", "sample", "--week", "2026-40"])
    assert exited.value.code == 2
    assert "not an ISO week (YYYY-Www" in capsys.readouterr().err


async def test_the_retention_policy_keeps_the_recordings_of_sampled_calls(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    recordings = tmp_path / "rec"
    await _calls(url, recordings)
    async with Database(url) as db:
        service = QcService(db, db.audit, SystemClock(), QcPolicy())
        draw = await service.sample_week(Week.parse("2026-W40"), actor="test", seed=3)
        sampled = {s["recording_id"] for s in draw["samples"]}
        for incident in (await db.incidents.search(limit=50)).items:
            await db.incidents.transition(incident.id, "cancelled", actor="test", at=datetime.now(UTC))
        retention = RetentionService(db.recordings, str(recordings), 1, qc=db.qc)
        report = await retention.prune(datetime(2027, 1, 1, tzinfo=UTC))
        assert set(report.kept_for_qc) == sampled and len(sampled) == 3
        assert len(report.deleted) == 3  # the six calls' other recordings
