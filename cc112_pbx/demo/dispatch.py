"""The demo's dispatch part (issue 17): Semarang's agencies and a volunteer team, officers whose
phones post their positions over the real OsmAnd HTTP endpoint as they drive simulated tracks
around the city (lat -6.99, lon 110.42), and a share of the demo's incidents dispatched through
the whole lifecycle: sent, accepted, nearest officer assigned (from the suggestions), en route
(the officer's phone reports the drive), on scene, resolved with a report. One is rejected by its
agency and one cancelled by the call taker, as happens. A second or so of wall time."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import aiohttp
import structlog

from cc112_pbx.domain.incident import InvalidChanges
from cc112_pbx.services.access import Principal, Role
from cc112_pbx.services.api_errors import ServiceError

log = structlog.get_logger("cc112.demo")

CENTRE = (-6.99, 110.42)  # Simpang Lima
DEMO_ADMIN = Principal(0, "demo-admin", Role.ADMIN)
DEMO_TAKER = Principal(0, "demo-calltaker", Role.SUPERVISOR)  # creates and cancels dispatches
SHARE = 3  # one incident in SHARE is dispatched
AGENCIES = (
    ("polrestabes", "Polrestabes Semarang", "police", ["police", "traffic", "public_order"], "110",
     ("Bripka Adi", "Brigpol Sari", "Aiptu Joko")),
    ("damkar", "Damkar Kota Semarang", "fire", ["fire", "search_and_rescue"], "113",
     ("Regu Pemadam 1", "Regu Pemadam 2")),
    ("dinkes118", "Dinkes / Ambulans 118", "health", ["medical"], "118", ("Ambulans PSC-1", "Ambulans PSC-2")),
    ("bpbd", "BPBD Kota Semarang", "disaster", ["disaster"], "024-3545599", ("TRC BPBD",)),
    ("pln", "PLN UP3 Semarang", "electricity", ["electricity"], "123", ("Yantek PLN",)),
    ("pdam", "PDAM Tirta Moedal", "water", ["water"], "024-8315514", ("Teknisi PDAM",)),
    ("relawan", "Relawan Tagana Semarang", "volunteer", ["disaster", "search_and_rescue", "medical"], "0812-0000-112",
     ("Tim Relawan Tagana",)),
)
FALLBACK_CATEGORY = ("police", "fire", "medical", "disaster", "electricity", "water", "traffic")
REPORTS = {"police": "Lokasi diamankan, pihak terkait dibawa ke Polsek", "fire": "Api dipadamkan, tidak ada korban",
           "medical": "Pasien dibawa ke RSUP Kariadi", "disaster": "Warga dievakuasi, posko didirikan",
           "electricity": "Jaringan diperbaiki, listrik menyala kembali", "water": "Pipa bocor ditambal",
           "traffic": "Lalu lintas diurai, kendaraan diderek"}


def _offset(rng: random.Random, around: tuple[float, float], km: float) -> tuple[float, float]:
    angle, distance = rng.uniform(0, 2 * math.pi), rng.uniform(0.3, km)
    return (round(around[0] + distance / 111.0 * math.sin(angle), 6),
            round(around[1] + distance / 110.0 * math.cos(angle), 6))


class DemoPhones:
    """The officers' phones: each posts its fixes to `/api/positions/osmand` (OsmAnd protocol)."""

    def __init__(self, api_url: str | None, dispatching: Any) -> None:
        self.api_url = api_url
        self.dispatching = dispatching
        self.where: dict[int, tuple[float, float]] = {}
        self.officers: dict[int, dict[str, Any]] = {}  # officer id -> as created (with its device token)
        self.posted = 0

    async def post(self, http: aiohttp.ClientSession | None, officer: dict[str, Any], point: tuple[float, float],
                   speed_kn: float = 0.0) -> None:
        fields = {"id": officer["device_id"], "lat": str(point[0]), "lon": str(point[1]),
                  "timestamp": str(int(datetime.now(UTC).timestamp())), "speed": f"{speed_kn:.1f}", "batt": "87"}
        if http is not None and self.api_url:
            async with http.get(self.api_url + "/api/positions/osmand",
                                params={**fields, "token": officer["device_token"]}) as response:
                if response.status != 200:
                    log.warning("demo_position_refused", status=response.status, body=await response.text())
                    return
        else:  # the demo without its HTTP API: the same service, in-process
            await self.dispatching.positions.receive_osmand(fields, officer["device_token"])
        self.where[officer["id"]] = point
        self.posted += 1

    async def drive(self, http: aiohttp.ClientSession | None, officer: dict[str, Any], to: tuple[float, float],
                    steps: int = 3) -> None:
        start = self.where.get(officer["id"], to)
        for step in range(1, steps + 1):
            point = (round(start[0] + (to[0] - start[0]) * step / steps, 6),
                     round(start[1] + (to[1] - start[1]) * step / steps, 6))
            await self.post(http, officer, point, speed_kn=22.0 if step < steps else 0.0)


async def play_dispatches(sb: Any, seed: int) -> dict[str, Any]:
    """Agencies, officers on the move, and dispatches for one incident in three; what was done."""
    app = sb.app
    dispatching = app.api.dispatch
    rng = random.Random(seed + 17)
    directory, service = dispatching.directory, dispatching.service
    api_url = sb.api_url if getattr(app, "api_server", None) is not None else None
    phones = DemoPhones(api_url, dispatching)
    officers: dict[str, list[dict[str, Any]]] = {}
    async with aiohttp.ClientSession() as http:
        client = http if api_url else None
        for code, name, kind, categories, number, people in AGENCIES:
            agency = await directory.create_agency(DEMO_ADMIN, {
                "code": code, "name": name, "kind": kind, "categories": categories,
                "contacts": [{"label": "call centre", "number": number}],
                "area": {"description": "Kota Semarang", "lat": CENTRE[0], "lon": CENTRE[1], "radius_km": 12}})
            officers[code] = []
            for n, person in enumerate(people, 1):
                officer = await directory.create_officer(DEMO_ADMIN, {
                    "agency_id": agency["id"], "name": person, "callsign": f"{code[:3].upper()}-{n}",
                    "kind": "team" if kind == "volunteer" else ("unit" if kind in ("fire", "health") else "officer"),
                    "device_id": f"demo-{code}-{n}"})
                officers[code].append(officer)
                phones.officers[officer["id"]] = officer
                await phones.post(client, officer, _offset(rng, CENTRE, 6.0))
        page = await app.db.incidents.search(limit=200, offset=0)
        chosen = sorted(page.items, key=lambda i: i.id)[::SHARE]
        done = 0
        for incident in chosen:
            try:
                done += await _dispatch_one(app, service, phones, client, rng, incident, done)
            except (ServiceError, InvalidChanges) as exc:  # e.g. closed meanwhile
                log.info("demo_dispatch_skipped", incident_id=incident.id, reason=str(exc))
    log.info("demo_dispatches_played", dispatched=done, positions=phones.posted)
    return {"positions_posted": phones.posted}


async def _dispatch_one(app: Any, service: Any, phones: DemoPhones, http: aiohttp.ClientSession | None,
                        rng: random.Random, incident: Any, n: int) -> int:
    category = str(incident.category or incident.category_hint or rng.choice(FALLBACK_CATEGORY))
    scene = _offset(rng, CENTRE, 5.0)
    await app.db.incidents.change(incident.id, {"category": category, "latitude": scene[0], "longitude": scene[1],
                                                "location_source": "caller"}, actor="demo", at=datetime.now(UTC))
    suggested = await service.suggestions(DEMO_TAKER, incident.id, {})
    if not suggested["agencies"]:
        return 0
    agency = suggested["agencies"][0]
    [d] = (await service.create(DEMO_TAKER, incident.id, {
        "agency_id": agency["id"], "instructions": f"{category}: mohon segera ke lokasi", "priority": 2}))["dispatches"]
    move = service.move
    if n == 1:  # one agency refuses (out of its area), as happens
        await move(DEMO_ADMIN, d["id"], {"status": "rejected", "reason": "di luar wilayah kami"})
        return 1
    if n == 2:  # one the call taker cancels (the caller called back: handled already)
        await move(DEMO_TAKER, d["id"], {"status": "cancelled", "reason": "pelapor: sudah tertangani"})
        return 1
    await move(DEMO_ADMIN, d["id"], {"status": "accepted"})
    nearest = [o for o in (await service.suggestions(DEMO_TAKER, incident.id, {"agency_id": str(agency["id"])}))
               ["officers"]]
    if not nearest:  # everyone of that agency is busy: it stays accepted, waiting for an officer
        return 1
    officer = service.directory.officers[nearest[0]["officer_id"]]
    await move(DEMO_ADMIN, d["id"], {"status": "assigned", "officer_id": officer.id})
    await move(DEMO_ADMIN, d["id"], {"status": "en_route"})
    await phones.drive(http, phones.officers[officer.id], scene)
    await move(DEMO_ADMIN, d["id"], {"status": "on_scene"})
    await move(DEMO_ADMIN, d["id"], {"status": "resolved", "report": REPORTS.get(category, "Ditangani di lokasi")})
    return 1


async def dispatch_summary(db: Any) -> dict[str, Any]:
    """`dispatches` (count) and `dispatch_statuses` (status -> count), from the database."""
    statuses = Counter(dict(await db.dispatches.status_counts()))
    return {"dispatches": sum(statuses.values()), "dispatch_statuses": dict(sorted(statuses.items()))}
