"""Can calls be handled? ARI down: failing (nothing reaches the controller; the fallback queue
takes the calls). AMI or the database down: degraded (calls are still handled; recordings,
fallback sync or writes wait).

The database counts as down when it does not answer `SELECT 1`, and also while the journal is
retrying a write it refused (an SQLite file that can be read but not written answers `SELECT 1`).
Recordings whose file is missing or changed, or a nearly full recordings disk, are degraded too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

DB_PING_TIMEOUT = 1.0
RECORDINGS_TIMEOUT = 2.0


class HealthService:
    def __init__(self, links: Callable[[], Mapping[str, Mapping[str, str]]],
                 db_ping: Callable[[], Awaitable[None]], *,
                 writes: Callable[[], Mapping[str, object]] | None = None,
                 recordings: Callable[[], Awaitable[Mapping[str, object]]] | None = None,
                 leadership: Callable[[], Mapping[str, object]] | None = None) -> None:
        self.links = links
        self.db_ping = db_ping
        self.writes = writes  # the journal's state: {"retrying": bool, "backlog": int}
        self.recordings = recordings  # `RecordingHealth.summary`
        self.leadership = leadership  # issue 21: `Leadership.describe` ({"role": "single" | "standby" | "leader"})

    async def database_up(self) -> bool:
        try:
            async with asyncio.timeout(DB_PING_TIMEOUT):
                await self.db_ping()
        except Exception:
            return False
        return True

    async def _recordings(self) -> dict[str, Any] | None:
        if self.recordings is None:
            return None
        try:
            async with asyncio.timeout(RECORDINGS_TIMEOUT):
                return dict(await self.recordings())
        except Exception:
            return {"state": "unknown"}

    async def check(self) -> dict[str, Any]:
        links = {name: dict(state) for name, state in self.links().items()}
        db = await self.database_up()
        writes = dict(self.writes()) if self.writes is not None else {}
        writing = not writes.get("retrying", False)
        ha = dict(self.leadership()) if self.leadership is not None else {"role": "single"}
        # the standby does not hold the Stasis app's event stream until it leads: ARI is not its to watch
        ari_up = ha.get("role") == "standby" or links.get("ari", {}).get("state") == "connected"
        ami_up = links.get("ami", {}).get("state") == "connected"
        recordings = await self._recordings()
        recordings_ok = recordings is None or not (recordings.get("problems") or recordings.get("low_disk"))
        healthy = ami_up and db and writing and recordings_ok
        status = "failing" if not ari_up else ("ok" if healthy else "degraded")
        database: dict[str, Any] = {"state": "connected" if db and writing else "disconnected"}
        if writes:
            database["unwritten"] = writes.get("backlog", 0)
        report = {"status": status, "role": ha.get("role"), "ha": ha, "ari": links.get("ari", {}),
                  "ami": links.get("ami", {}), "database": database}
        if recordings is not None:
            report["recordings"] = recordings
        return report
