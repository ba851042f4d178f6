"""The OSRM-compatible road router (issue 17): an adapter for the services' `Router` port.

One `GET {base}/table/v1/driving/{lon,lat;...}?sources=0;..;n-1&destinations=n&annotations=duration`
per suggestion: the durations (seconds) from every officer to the scene. A non-200 answer, a
`code` other than "Ok" or a timeout raises `RouterError` (the caller falls back to the straight line).
"""

from __future__ import annotations

from collections.abc import Sequence

import aiohttp


class RouterError(Exception):
    pass


class OsrmRouter:
    def __init__(self, base_url: str, *, timeout: float = 2.0, profile: str = "driving") -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.profile = profile
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def durations(self, sources: Sequence[tuple[float, float]], destination: tuple[float, float]
                        ) -> list[float | None]:
        if not sources:
            return []
        points = [*sources, destination]
        coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        url = f"{self.base_url}/table/v1/{self.profile}/{coordinates}"
        params = {"sources": ";".join(str(i) for i in range(len(sources))),
                  "destinations": str(len(sources)), "annotations": "duration"}
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.get(url, params=params) as response:
                if response.status != 200:
                    raise RouterError(f"router answered {response.status}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise RouterError(f"router unavailable: {exc!r}") from exc
        if not isinstance(body, dict) or body.get("code") != "Ok":
            raise RouterError(f"router refused: {body.get('code') if isinstance(body, dict) else body!r}")
        rows = body.get("durations")
        if not isinstance(rows, list) or len(rows) != len(sources):
            raise RouterError("router answer has no durations")
        result: list[float | None] = []
        for row in rows:
            value = row[0] if isinstance(row, list) and row else None
            result.append(float(value) if isinstance(value, int | float) else None)
        return result
