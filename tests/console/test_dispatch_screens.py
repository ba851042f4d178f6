"""Issue 17 in the browser: officers and dispatch lines on the live map (positions posted over the real
OsmAnd endpoint while the page is open), the officer's phone page walking an assignment to resolved
with a report and a photo, the agency dispatcher seeing only their agency, and the call taker's
dispatch panel (suggestions with ETA, dispatches, closing refused while one is open)."""

from __future__ import annotations

import base64

import aiohttp
import pytest

from tests.console.conftest import screenshot
from tests.console.dispatch_world import DispatchWorld

PHONE = {"width": 390, "height": 844}
# a 1x1 PNG: the report's photo
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
                       "AAAABJRU5ErkJggg==")


@pytest.fixture
async def world(console):
    async with aiohttp.ClientSession() as http:
        yield DispatchWorld(console.sb, http, await console.sb.api_token("adi", "admin"))


async def marker(page, officer_id):
    """The officer's marker on the map: its data-lat/lon (set when drawn or moved) and status."""
    return await page.evaluate("""(id) => {
        const el = document.querySelector(`.officer-marker.officer-${id}`);
        return el ? { lat: el.dataset.lat, lon: el.dataset.lon, status: el.dataset.status } : null;
    }""", officer_id)


async def two_agencies_and_an_incident(world):
    """Health with an ambulance and police with a patrol, both seen just now, and a medical incident."""
    health = await world.agency("DINKES", "Dinas Kesehatan", "health", ["medical"])
    police = await world.agency("POLRES", "Polrestabes Semarang", "police", ["police"])
    ambulance = await world.officer(health["id"], "Ambulans 3", "AMB-3")
    patrol = await world.officer(police["id"], "Bripka Agus", "P-11")
    await world.position(ambulance, -6.9700, 110.3950)
    await world.position(patrol, -6.9650, 110.4450)
    return health, police, ambulance, patrol, await world.incident(-6.9903, 110.4229)


async def test_officers_and_a_dispatch_line_appear_on_the_map_and_move_live(console, world):
    health, _police, ambulance, patrol, incident = await two_agencies_and_an_incident(world)
    dispatch = await world.dispatch(incident, health["id"], "Korban luka di kepala")
    await world.move(dispatch["id"], "accepted")
    await world.move(dispatch["id"], "assigned", officer_id=ambulance["id"])

    supervisor = await console.sb.api_token("sri", "supervisor")
    page = await console.page(supervisor, screen="map")
    await page.wait_for_selector(f".officer-marker.officer-{ambulance['id']}")
    await page.wait_for_selector(f".officer-marker.officer-{patrol['id']}")
    await page.wait_for_selector(f"path.dispatch-line.dispatch-{dispatch['id']}")
    await page.wait_for_selector(f"path.incident-marker.incident-{incident}")
    assert await page.locator("path.dispatch-line").count() == 1  # the patrol has no dispatch: no line
    before = await marker(page, ambulance["id"])
    assert before == {"lat": "-6.970000", "lon": "110.395000", "status": "assigned"}
    row = page.locator(f"#officer-table tr[data-officer='{patrol['id']}']")
    assert "siap" in await row.inner_text()  # available, and the age of its last position
    assert "lalu" in await row.inner_text()
    line_before = await page.get_attribute(f"path.dispatch-{dispatch['id']}", "d")

    await world.move(dispatch["id"], "en_route")  # the officer sets off and the phone reports a new fix
    await world.position(ambulance, -6.9780, 110.4050)
    await page.wait_for_function("""(id) => document.querySelector(`.officer-marker.officer-${id}`)
        ?.dataset.lat === "-6.978000" """, arg=ambulance["id"], timeout=5000)
    moved = await marker(page, ambulance["id"])
    assert moved == {"lat": "-6.978000", "lon": "110.405000", "status": "en_route"}
    assert await page.get_attribute(f"path.dispatch-{dispatch['id']}", "d") != line_before  # the line follows

    await page.click(f"#officer-table tr[data-officer='{ambulance['id']}'] a")  # the trail of the last hour
    await page.wait_for_selector("path.officer-trail")
    assert await page.get_attribute("#map-card", "data-trail") == f"{ambulance['id']}:2"
    await page.wait_for_selector("#live-map .leaflet-tile-loaded")
    await screenshot(page, "map")

    taker = await console.page(await console.sb.api_token("tono", "call_taker", seat="seat01"), screen="map")
    await taker.wait_for_selector(f"path.dispatch-line.dispatch-{dispatch['id']}")  # operators see everything
    assert await taker.locator(".officer-marker").count() == 2
    assert await taker.locator(f"path.incident-marker.incident-{incident}").count() == 1
    assert console.real_errors() == []


async def test_the_officer_walks_an_assignment_to_resolved_with_a_report_on_a_phone(console, world):
    health = await world.agency("DINKES", "Dinas Kesehatan", "health", ["medical"])
    await console.sb.api_token("budi", "officer", password="budi-password-1")
    ambulance = await world.officer(health["id"], "Budi (Ambulans 3)", "AMB-3", username="budi")
    await world.position(ambulance, -6.9850, 110.4100)
    incident = await world.incident(-6.9903, 110.4229)
    dispatch = await world.dispatch(incident, health["id"], "Korban luka di kepala, sadar")
    await world.move(dispatch["id"], "accepted")
    await world.move(dispatch["id"], "assigned", officer_id=ambulance["id"])

    context = await console.browser.new_context(viewport=PHONE, locale="id-ID", timezone_id="UTC", is_mobile=True,
                                                has_touch=True)
    page = await context.new_page()
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    await page.goto(console.url)
    await page.fill("#login-username", "budi")
    await page.fill("#login-password", "budi-password-1")
    await page.click("#login-form button[type=submit]")
    card = page.locator(f"article.assignment[data-dispatch='{dispatch['id']}']")
    await card.wait_for()
    assert "Korban luka di kepala, sadar" in await card.inner_text()
    assert await page.inner_text(f"#scene-{dispatch['id']}") == "Ambulans / Kesehatan · Jl. Pemuda 150, Semarang Tengah"
    scene = "-6.990300,110.422900"
    assert await page.get_attribute(f"#navigate-{dispatch['id']}", "href") == f"geo:{scene}?q={scene}"
    assert await page.get_attribute(f"#gmaps-{dispatch['id']}", "href") == (
        f"https://www.google.com/maps/dir/?api=1&destination={scene}&travelmode=driving")
    assert await page.is_disabled(f"#step-resolved-{dispatch['id']}")  # one step at a time
    assert await page.is_disabled(f"#step-en_route-{dispatch['id']}")  # accept the assignment first
    await screenshot(page, "officer-page")

    await page.click(f"#step-acknowledge-{dispatch['id']}")
    await page.wait_for_selector(f"#step-en_route-{dispatch['id']}:enabled")
    assert "✓" in await page.inner_text(f"#step-acknowledge-{dispatch['id']}")
    accepted = await world.call("GET", f"/api/dispatches/{dispatch['id']}")
    assert accepted["status"] == "assigned" and accepted["acknowledged_at"]
    await page.click(f"#step-en_route-{dispatch['id']}")
    await page.wait_for_selector(f"#dstatus-{dispatch['id']}:has-text('dalam perjalanan')")
    await page.click(f"#step-on_scene-{dispatch['id']}")
    await page.wait_for_selector(f"#report-{dispatch['id']}")
    await page.click(f"#step-resolved-{dispatch['id']}")  # no report yet: said, nothing sent
    assert "laporan" in (await card.locator(".error").inner_text()).lower()
    await page.fill(f"#report-{dispatch['id']}", "Korban dibawa ke RSUP Kariadi, kondisi stabil.")
    await page.set_input_files(f"#photo-{dispatch['id']}", files=[
        {"name": "scene.png", "mimeType": "image/png", "buffer": PNG}])
    await page.click(f"#step-resolved-{dispatch['id']}")
    await page.wait_for_selector(f"#past-assignments li[data-dispatch='{dispatch['id']}']", state="attached")
    assert await page.locator("#no-assignments").count() == 1
    await page.wait_for_selector("#my-state[data-available='1']")  # off duty for a while: never suggested then
    await page.click("#toggle-available")
    await page.wait_for_selector("#my-state[data-available='0']")
    assert (await world.call("GET", f"/api/officers/{ambulance['id']}"))["available"] is False

    done = await world.call("GET", f"/api/dispatches/{dispatch['id']}")
    assert done["status"] == "resolved" and done["has_photo"] is True
    assert done["report"] == "Korban dibawa ke RSUP Kariadi, kondisi stabil."
    timeline = (await world.call("GET", f"/api/incidents/{incident}"))["timeline"]
    steps = [e["details"].get("status", "acknowledged") for e in timeline
             if e["details"].get("event") in ("dispatch", "dispatch_acknowledged")]
    assert steps[-5:] == ["assigned", "acknowledged", "en_route", "on_scene", "resolved"]

    centre = await console.page(await console.sb.api_token("sri", "supervisor"), screen="incidents")
    await centre.click("#incident-filters button[type=submit]")
    await centre.click(f"#incident-table tr[data-incident='{incident}'] a")
    await centre.click(f"#dispatch-table button[data-photo='{dispatch['id']}']")  # fetched with the token
    await centre.wait_for_function("() => document.querySelector('img.report-photo')?.naturalWidth === 1")
    assert "RSUP Kariadi" in await centre.inner_text("#dispatch-table")
    acknowledged = f"Penugasan #{dispatch['id']}: Tugas diterima petugas · Budi (Ambulans 3)"
    assert acknowledged in await centre.inner_text("body")  # the acknowledgement on the incident's timeline
    assert console.real_errors() == []


async def test_an_agency_dispatcher_sees_only_their_agency_and_assigns_an_officer(console, world):
    health, police, ambulance, patrol, incident = await two_agencies_and_an_incident(world)
    to_health = await world.dispatch(incident, health["id"], "Ambulans ke lokasi")
    to_police = await world.dispatch(incident, police["id"], "Amankan lokasi")
    token = await console.sb.api_token("dewi", "agency_dispatcher")
    await world.call("POST", f"/api/agencies/{health['id']}/dispatchers", json={"username": "dewi"})

    page = await console.page(token, screen="agency")
    row = page.locator(f"article.dispatch-row[data-dispatch='{to_health['id']}']")
    await row.wait_for()
    await page.wait_for_selector(f".officer-marker.officer-{ambulance['id']}")
    assert await page.locator(f"article.dispatch-row[data-dispatch='{to_police['id']}']").count() == 0
    assert await page.locator(f".officer-marker.officer-{patrol['id']}").count() == 0
    assert await page.locator(f"#officer-table tr[data-officer='{patrol['id']}']").count() == 0
    assert await page.locator("#nav a").all_inner_texts() == ["Dinas saya"]

    await row.locator("button[data-action=accept]").click()
    await row.locator("button[data-action=assign]").wait_for()
    await row.locator("select").select_option(str(ambulance["id"]))
    await row.locator("button[data-action=assign]").click()
    await page.wait_for_selector(f"path.dispatch-line.dispatch-{to_health['id']}")
    await screenshot(page, "agency")
    assigned = await world.call("GET", f"/api/dispatches/{to_health['id']}")
    assert assigned["status"] == "assigned" and assigned["officer_id"] == ambulance["id"]
    await world.call("GET", f"/api/dispatches/{to_police['id']}", token, expect=403)  # the API agrees
    await page.click(f"#officer-table tr[data-officer='{ambulance['id']}'] button[data-available='1']")
    await page.wait_for_selector(f"#officer-table tr[data-officer='{ambulance['id']}'] button[data-available='0']")
    assert (await world.call("GET", f"/api/officers/{ambulance['id']}"))["available"] is False
    assert console.real_errors() == []


async def test_the_call_taker_dispatches_from_the_incident_and_only_a_supervisor_closes_it_while_one_is_open(
        console, world):
    health = await world.agency("DINKES", "Dinas Kesehatan", "health", ["medical"])
    await world.agency("POLRES", "Polrestabes Semarang", "police", ["police"])
    near = await world.officer(health["id"], "Ambulans 1", "AMB-1")
    far = await world.officer(health["id"], "Ambulans 2", "AMB-2")
    await world.position(far, -7.0300, 110.4700)
    await world.position(near, -6.9920, 110.4250)
    incident = await world.incident(-6.9903, 110.4229)  # answered at seat01

    taker = await console.sb.api_token("tono", "call_taker", seat="seat01")
    page = await console.page(taker, screen="incidents")
    await page.click("#incident-filters button[type=submit]")
    await page.click(f"#incident-table tr[data-incident='{incident}'] a")
    await page.wait_for_selector("#dispatch-form")
    assert "Dinas Kesehatan" in await page.inner_text("#suggested-agencies")  # from the category
    ranked = page.locator("#suggested-officers li")
    assert await ranked.count() == 2
    assert "AMB-1" in await ranked.nth(0).inner_text()  # nearest first
    assert "perkiraan" in await ranked.nth(0).inner_text()  # no router configured: haversine, an estimate
    assert await page.input_value("#dp-agency") == str(health["id"])
    await page.fill("#dp-instructions", "Korban luka di kepala")
    await page.click("#dp-send")
    await page.wait_for_selector("#dispatch-table tr[data-dispatch]:has-text('dikirim ke dinas')")
    await page.click("#close-incident")  # refused with the API's message, and a call taker may not override
    await page.wait_for_selector("#dispatch-message.bad")
    assert f"insiden {incident} masih memiliki 1 dispatch terbuka" in await page.inner_text("#dispatch-message")
    assert await page.locator("#close-override").count() == 0
    await page.click("#reporter-informed")
    await page.wait_for_selector("#dispatch-message:has-text('pelapor')")

    supervisor = await console.sb.api_token("sri", "supervisor")
    page = await console.page(supervisor, screen="incidents")
    await page.click("#incident-filters button[type=submit]")
    await page.click(f"#incident-table tr[data-incident='{incident}'] a")
    await page.click("#close-incident")
    await page.click("#close-override")
    await page.wait_for_selector("#incident-status:has-text('ditutup')")
    full = await world.call("GET", f"/api/incidents/{incident}")
    assert full["incident"]["status"] == "closed"
    assert "reporter_informed" in [e["details"].get("event") for e in full["timeline"]]
    closing = [e for e in full["timeline"] if e["kind"] == "status_changed" and e["details"]["new"] == "closed"]
    assert "override" in closing[0]["details"]["reason"]
    await page.wait_for_selector("#timeline li:has-text('Dinas Kesehatan: dibuat → dikirim ke dinas')")
    assert console.real_errors() == []
