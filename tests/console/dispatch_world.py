"""A small dispatch world for the console's browser tests (issue 17), built over the real HTTP API:
agencies, officers with their device tokens, positions posted over the OsmAnd endpoint as a phone
would, incidents from real emulated calls, dispatches moved through their statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from cc112_pbx.harness import Switchboard

SEMARANG = (-6.9903, 110.4229)


@dataclass
class DispatchWorld:
    sb: Switchboard
    http: aiohttp.ClientSession
    admin: str
    seat_ready: bool = False

    @property
    def url(self) -> str:
        return self.sb.api_url

    async def call(self, method: str, path: str, token: str | None = None, expect: int = 200, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token or self.admin}"}
        async with self.http.request(method, self.url + path, headers=headers, **kwargs) as response:
            body = await response.json(content_type=None) if response.status != 204 else None
            assert response.status == expect, (method, path, response.status, body)
            return body

    async def agency(self, code: str, name: str, kind: str, categories: list[str]) -> dict[str, Any]:
        return await self.call("POST", "/api/agencies", expect=201,
                               json={"code": code.lower(), "name": name, "kind": kind, "categories": categories})

    async def officer(self, agency_id: int, name: str, callsign: str, username: str | None = None) -> dict[str, Any]:
        return await self.call("POST", "/api/officers", expect=201, json={
            "agency_id": agency_id, "name": name, "callsign": callsign, "device_id": f"dev-{callsign.lower()}",
            "username": username})

    async def position(self, officer: dict[str, Any], lat: float, lon: float) -> None:
        """What OsmAnd / Traccar Client sends: a query string with the device id, its token and the fix."""
        query = {"id": officer["device_id"], "token": officer["device_token"], "lat": f"{lat:.6f}",
                 "lon": f"{lon:.6f}", "timestamp": str(int(datetime.now(UTC).timestamp())), "speed": "12",
                 "accuracy": "8"}
        async with self.http.post(self.url + "/api/positions/osmand", params=query) as response:
            assert response.status == 200, (response.status, await response.text())

    async def incident(self, lat: float, lon: float, category: str = "medical", number: str = "+6281234500071",
                       dialled: str = "118") -> int:
        """A real call through the emulator, answered and hung up; its incident gets a place and category."""
        sb = self.sb
        if not self.seat_ready:
            await sb.app.api.seats.act(await sb.app.api.auth.principal(self.admin), "seat01", "login", None)
            self.seat_ready = True
        call = sb.emulator.place_call(number=number, dialled=dialled, talk_time=0.5)
        await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=8)
        await sb.settled()
        page = await self.call("GET", "/api/incidents?limit=50")
        incident_id = next(i["id"] for i in page["items"] if i.get("caller_number") == number)
        await self.call("PATCH", f"/api/incidents/{incident_id}", json={
            "latitude": lat, "longitude": lon, "location_source": "caller", "category": category,
            "address": "Jl. Pemuda 150, Semarang Tengah", "priority": 1})
        return incident_id

    async def dispatch(self, incident_id: int, agency_id: int, instructions: str = "",
                       token: str | None = None) -> dict[str, Any]:
        answer = await self.call("POST", f"/api/incidents/{incident_id}/dispatches", token, expect=201,
                                 json={"agency_id": agency_id, "instructions": instructions, "priority": 2})
        return answer["dispatches"][0]

    async def move(self, dispatch_id: int, status: str, token: str | None = None, **extra: Any) -> dict[str, Any]:
        return await self.call("POST", f"/api/dispatches/{dispatch_id}/transition", token,
                               json={"status": status, **extra})
