from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from cc112_pbx.cli.main import main
from cc112_pbx.storage import Database, head_revision, upgrade
from cc112_pbx.storage.models import Base

REPO = Path(__file__).resolve().parents[2]
TABLES = {
    "incidents", "calls", "recordings", "callbacks", "callback_attempts", "seats",
    "queue_config_versions", "audit_log", "api_users", "api_tokens", "incident_events",
    "aml_positions",  # 0005 (issue 19)
    "call_tags",  # 0010 (issue 19)
    "agencies", "officers", "agency_dispatchers", "dispatches", "officer_positions",  # 0007 (issue 17)
    "qc_rubric_versions", "qc_sample_runs", "qc_samples", "qc_evaluations", "qc_responses",  # 0009 (issue 18)
    "leadership",  # 0011 (issue 21)
}


async def table_names(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def test_upgrade_creates_every_table_from_an_empty_database(empty_db_url):
    async with Database(empty_db_url) as db:
        assert await db.revision() is None
        await db.upgrade()
        assert await table_names(db) == TABLES | {"alembic_version"}
        assert await db.revision() == head_revision()


async def test_upgrade_twice_is_harmless(db):
    await db.upgrade()
    assert await db.revision() == head_revision()


async def test_migrations_match_the_orm_models(db):
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}),
                                          Base.metadata)
        )
    assert diff == []


async def test_downgrade_to_nothing_and_back_up(db):
    from cc112_pbx.storage.migrate import downgrade_engine

    await downgrade_engine(db.engine, "base")
    assert await table_names(db) == {"alembic_version"}
    await db.upgrade()
    assert await table_names(db) == TABLES | {"alembic_version"}


async def test_module_level_upgrade_creates_the_sqlite_directory(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/not/yet/there/cc112.sqlite3"
    await upgrade(url)
    assert (tmp_path / "not/yet/there/cc112.sqlite3").is_file()
    async with Database(url) as db:
        assert await db.revision() == head_revision()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    async with Database(f"sqlite+aiosqlite:///{tmp_path}/cc112.sqlite3") as db:
        async with db.engine.connect() as conn:
            pragmas = {name: (await conn.execute(sa.text(f"PRAGMA {name}"))).scalar()
                       for name in ("journal_mode", "foreign_keys", "busy_timeout")}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}


async def test_in_memory_sqlite_keeps_its_schema_across_sessions():
    async with Database("sqlite+aiosqlite://") as db:
        await db.upgrade()
        await db.audit.record("tester", "memory.works")
        assert [e.action for e in await db.audit.recent()] == ["memory.works"]


async def test_using_a_database_before_start_is_a_clear_error():
    from cc112_pbx.storage import DatabaseNotStarted

    with pytest.raises(DatabaseNotStarted):
        await Database("sqlite+aiosqlite://").ping()


def test_cc112_db_upgrade_command_migrates_the_configured_database(tmp_path, capsys, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("CC112_DATABASE_URL", url)
    assert main(["db", "upgrade", "--config", str(REPO / "config" / "cc112.toml")]) == 0
    assert f"is at revision {head_revision()}" in capsys.readouterr().out
    assert main(["db", "current", "--url", url]) == 0
    assert f"database {url} is at revision {head_revision()}" in capsys.readouterr().out


def test_cc112_db_upgrade_with_a_broken_config_exits_2(tmp_path, capsys):
    broken = tmp_path / "broken.toml"
    broken.write_text('[database]\nurl = "mysql://nope"\n')
    assert main(["db", "upgrade", "--config", str(broken)]) == 2
    assert "database.url: must start with" in capsys.readouterr().err


def test_cc112_db_upgrade_reports_an_unreachable_server(capsys):
    assert main(["db", "upgrade", "--url", "postgresql+asyncpg://cc112:pw@127.0.0.1:1/cc112"]) == 1
    err = capsys.readouterr().err
    assert "database upgrade failed for postgresql+asyncpg://cc112:***@127.0.0.1:1/cc112" in err
    assert ":pw@" not in err


def test_only_storage_code_holds_a_session():
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "cc112_pbx").rglob("*.py")
        if "storage" not in path.relative_to(REPO / "cc112_pbx").parts
        and ("AsyncSession" in path.read_text() or "async_sessionmaker" in path.read_text())
    ]
    assert offenders == []


async def test_upgrading_0001_data_maps_it_to_the_one_vocabulary(empty_db_url):
    async with Database(empty_db_url) as db:
        await db.upgrade("0001")
        async with db.engine.begin() as conn:
            for n, (status, hint) in enumerate([("draft", "sar"), ("open", "health"), ("closed", "ambulance")], 1):
                await conn.execute(sa.text(
                    "INSERT INTO incidents (id, opened_at, status, dialled, category_hint, no_callback, notes) "
                    f"VALUES ({n}, '2026-11-29 08:00:00+00', '{status}', '112', '{hint}', false, '')"))
        await db.upgrade()
        stored = [(i.status, i.category_hint, i.category, i.verification) for i in await db.incidents.recent()]
    assert sorted(stored) == sorted([
        ("new", "search_and_rescue", "search_and_rescue", "unverified"),
        ("in_progress", "medical", "medical", "unverified"),
        ("closed", "medical", "medical", "unverified"),
    ])
