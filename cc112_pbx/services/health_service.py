"""Can calls be handled? ARI down: failing (nothing reaches the controller; the fallback queue
takes the calls). AMI or the database down: degraded (calls are still handled; recordings,
fallback sync or writes wait)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

DB_PING_TIMEOUT = 1.0


class HealthService:
    def __init__(self, links: Callable[[], Mapping[str, Mapping[str, str]]],
                 db_ping: Callable[[], Awaitable[None]]) -> None:
        self.links = links
        self.db_ping = db_ping

    async def database_up(self) -> bool:
        try:
            async with asyncio.timeout(DB_PING_TIMEOUT):
                await self.db_ping()
        except Exception:
            return False
        return True

    async def check(self) -> dict[str, Any]:
        links = {name: dict(state) for name, state in self.links().items()}
        db = await self.database_up()
        ari_up = links.get("ari", {}).get("state") == "connected"
        ami_up = links.get("ami", {}).get("state") == "connected"
        status = "failing" if not ari_up else ("ok" if ami_up and db else "degraded")
        return {"status": status, "ari": links.get("ari", {}), "ami": links.get("ami", {}),
                "database": {"state": "connected" if db else "disconnected"}}
