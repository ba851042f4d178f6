"""The checks of `cc112 doctor`: each returns one `Check` (OK, WARN or FAIL, the reason, the fix).

Settings first (nothing else can run without them), then the database (reachable, schema at
head), ARI and AMI (reachable, our credentials accepted; short timeouts), the recordings disk
and the recordings themselves (file present, size and SHA-256 as stored when the call ended).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cc112_pbx.settings import Settings, SettingsError, load_settings
from cc112_pbx.settings.summary import safe_url

OK, WARN, FAIL = "OK", "WARN", "FAIL"
PROBE_TIMEOUT = 3.0  # seconds for each of ARI, AMI and the database
SHOWN_PROBLEMS = 20  # recordings named in the human output (all of them in --json)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""
    items: tuple[str, ...] = ()  # e.g. each recording with a problem


def check_settings(path: Path | None) -> tuple[Check, Settings | None]:
    where = str(path) if path is not None else "built-in defaults"
    try:
        settings = load_settings(path, os.environ)
    except SettingsError as exc:
        return Check("settings", FAIL, f"{where}: {len(exc.errors)} problem(s)", "correct the keys named below "
                     "(`cc112 config check FILE`)", tuple(exc.errors)), None
    return Check("settings", OK, f"{where}: valid ({len(settings.seats)} seats)"), settings


async def check_database(settings: Settings) -> tuple[Check, Any]:
    """The check and, when the schema is at head, the open `Database` (the caller disposes it)."""
    from cc112_pbx.storage import Database, head_revision

    url = safe_url(settings.database.url)
    db = Database(settings.database.url)
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            await db.start()
            await db.ping()
            revision = await db.revision()
    except Exception as exc:
        await db.dispose()
        return Check("database", FAIL, f"{url} unreachable: {_reason(exc)}",
                     "start the database or correct [database] url / CC112_DATABASE_URL"), None
    head = head_revision()
    if revision != head:
        await db.dispose()
        return Check("database", FAIL, f"{url} schema at {revision or 'nothing'}, this version needs {head}",
                     "run `cc112 db upgrade` (the controller also does it at start)"), None
    return Check("database", OK, f"{url} reachable, schema at head ({head})"), db


async def check_ari(settings: Settings) -> Check:
    from cc112_pbx.asterisk import AriClient

    short = _short(settings)
    url = settings.asterisk.ari_url
    try:
        async with asyncio.timeout(PROBE_TIMEOUT * 2):
            async with AriClient.from_settings(short) as ari:
                channels = await ari.list_channels()
    except Exception as exc:
        return Check("ari", FAIL, f"ARI at {url} (user {settings.asterisk.ari_user}): {_reason(exc)}",
                     "check that Asterisk runs, [asterisk] ari_url and ari_user, CC112_ASTERISK_ARI_PASSWORD, "
                     "and ari.conf/http.conf")
    return Check("ari", OK, f"ARI at {url} reachable, credentials accepted ({len(channels)} channels)")


async def check_ami(settings: Settings) -> Check:
    from cc112_pbx.asterisk import AmiManager

    a = settings.asterisk
    where = f"AMI at {a.ami_host}:{a.ami_port}"
    try:
        if a.ami_secret is None:
            raise ValueError("AMI secret is not configured (CC112_ASTERISK_AMI_SECRET)")
        manager = AmiManager(a.ami_host, a.ami_port, a.ami_user, a.ami_secret.reveal(),
                             connect_timeout=PROBE_TIMEOUT, action_timeout=PROBE_TIMEOUT, boot_timeout=0.5)
        async with asyncio.timeout(PROBE_TIMEOUT * 2):
            await manager.start()
        await manager.stop()
    except Exception as exc:
        return Check("ami", FAIL, f"{where} (user {a.ami_user}): {_reason(exc)}",
                     "check that Asterisk runs, [asterisk] ami_host/ami_port/ami_user, CC112_ASTERISK_AMI_SECRET "
                     "and manager.conf")
    return Check("ami", OK, f"{where} reachable, login accepted")


async def check_disk(settings: Settings) -> Check:
    from cc112_pbx.services.recording_integrity import free_megabytes

    directory = settings.asterisk.recordings_dir
    minimum = settings.recordings.min_free_mb
    free = await asyncio.to_thread(free_megabytes, directory)
    if free is None:
        return Check("disk", WARN, f"recordings directory {directory} is not on this host: disk space and "
                     "recordings not checked here", "run `cc112 doctor` on the host that holds the recordings")
    if free < minimum:
        return Check("disk", WARN, f"{directory}: {free} MB free, below [recordings] min_free_mb = {minimum}",
                     "free space, add disk, or shorten [recordings] retention_days (`cc112 recordings prune`)")
    return Check("disk", OK, f"{directory}: {free} MB free (warning below {minimum} MB)")


async def check_recordings(db: Any) -> Check:
    from cc112_pbx.services.recording_integrity import check_recordings as verify

    rows = await db.recordings.kept()
    problems, checked, unchecked = await asyncio.to_thread(verify, rows, full=True)
    note = f"; {unchecked} not checked (no checksum: file not readable from the controller)" if unchecked else ""
    if problems:
        return Check("recordings", FAIL, f"{len(problems)} of {checked} recordings missing or changed{note}",
                     "restore each file from backup (the stored SHA-256 tells the right copy) and find out who "
                     "changed it", tuple(str(p) for p in problems))
    return Check("recordings", OK, f"{checked} recordings present with their size and SHA-256{note}")


async def run_checks(config: Path | None) -> list[Check]:
    settings_check, settings = check_settings(config)
    checks = [settings_check]
    if settings is None:
        return checks
    database, db = await check_database(settings)
    checks.append(database)
    checks += await asyncio.gather(check_ari(settings), check_ami(settings), check_disk(settings))
    if db is None:
        checks.append(Check("recordings", FAIL, "not checked: the database is not usable", "see the database line"))
        return checks
    try:
        checks.append(await check_recordings(db))
    finally:
        await db.dispose()
    return checks


def _short(settings: Settings) -> Settings:
    a = settings.asterisk
    return dataclasses.replace(settings, asterisk=dataclasses.replace(
        a, connect_timeout=min(a.connect_timeout, PROBE_TIMEOUT), request_timeout=min(a.request_timeout,
                                                                                        PROBE_TIMEOUT)))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {PROBE_TIMEOUT:g}s"
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:300]
