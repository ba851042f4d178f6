"""A call taker logs in with a password, gets the screen pop before answering, fills the incident
form (saved as they type, kept across a refresh), moves its status and sees it all on the timeline."""

from __future__ import annotations

import pytest

from tests.console.conftest import screenshot, start_console

NUMBER = "+6281234500009"


@pytest.fixture
async def console(tmp_path):
    async for c in start_console(tmp_path, seat_answer_after=1.5):  # time to see the pop before answering
        yield c


async def test_call_taker_gets_the_screen_pop_fills_the_incident_and_sees_the_timeline(console):
    sb = console.sb
    await sb.api_token("tono", "call_taker", seat="seat01", password="tono-password-1")
    page = await console.page()
    await page.fill("#login-username", "tono")
    await page.fill("#login-password", "tono-password-1")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#seat-state[data-state=logged_out]")
    await page.keyboard.press("F2")  # ready: logs the seat in
    await page.wait_for_selector("#seat-state[data-state=available]")

    call = sb.emulator.place_call(number=NUMBER, dialled="113", talk_time=60)
    await page.wait_for_selector("#pop.pop-ringing", timeout=5000)
    assert call.connected_at is None  # the pop came before the seat answered
    assert NUMBER in await page.inner_text("#pop-caller")
    assert await page.inner_text("#pop-hint") == "Pemadam Kebakaran"  # 113: fire
    await page.wait_for_selector("#f-reporter_name")
    incident_id = int((await page.inner_text("#pop-incident")).lstrip("#"))

    await page.fill("#f-reporter_name", "Budi Santoso")
    await page.select_option("#f-category", "fire")
    await page.fill("#f-description", "Rumah terbakar di Jalan Pemuda")
    await page.keyboard.press("F4")
    await page.wait_for_selector("#save-state[data-state=saved]")
    await page.fill("#f-address", "Jl. Pemuda 12, Semarang Tengah")
    await page.reload()  # before the debounced save: the draft in localStorage survives and is sent
    await page.wait_for_selector("#f-address")
    await page.wait_for_selector("#save-state[data-state=saved]")
    await page.wait_for_selector("#pop.pop-connected", timeout=5000)

    taker = await sb.api_token("tono", "call_taker", seat="seat01")
    full = await _incident(console, incident_id, taker)
    assert full["incident"]["reporter_name"] == "Budi Santoso"
    assert full["incident"]["category"] == "fire"
    assert full["incident"]["address"] == "Jl. Pemuda 12, Semarang Tengah"
    timeline = await page.inner_text("#timeline")
    assert "Budi Santoso" in timeline and "Jl. Pemuda 12" in timeline

    await page.fill("#f-latitude", "-6.98")  # half a position: held back, said beside the field
    await page.keyboard.press("F4")
    assert "bujur" in await page.inner_text("#err-longitude")
    await page.fill("#f-longitude", "110.41")
    await page.keyboard.press("F4")
    await page.wait_for_selector("#save-state[data-state=saved]")
    await page.click("#transitions button[data-status=verified]")
    await page.wait_for_selector("#incident-status:has-text('terverifikasi')")
    assert await page.locator("#transitions button[data-status=in_progress]").count() == 0  # not allowed now
    await page.wait_for_selector("#timeline li.tl-status_changed")
    full = await _incident(console, incident_id, taker)
    assert full["incident"]["status"] == "verified" and full["incident"]["latitude"] == -6.98

    await page.click("#map-pick")  # Leaflet, vendored; no tile server configured: a grid, and it says so
    await page.wait_for_selector("#map .leaflet-tile-loaded")
    assert "map_tile_url" in await page.inner_text("#map-note")
    await page.click("#map", position={"x": 120, "y": 80})
    await page.wait_for_selector("#save-state[data-state=saved]")
    assert await page.input_value("#f-location_source") == "map"
    await screenshot(page, "calltaker")
    picked = (await _incident(console, incident_id, taker))["incident"]
    assert picked["location_source"] == "map" and picked["latitude"] != -6.98
    assert -7.1 < picked["latitude"] < -6.9 and 110.3 < picked["longitude"] < 110.5  # around Semarang
    sb.emulator.hang_up(call)
    await page.wait_for_selector("#pop.pop-ended", timeout=5000)
    assert console.real_errors() == []


async def _incident(console, incident_id, token):
    import aiohttp

    async with aiohttp.ClientSession() as http, http.get(
            f"{console.url}/api/incidents/{incident_id}", headers={"Authorization": f"Bearer {token}"}) as r:
        assert r.status == 200
        return await r.json()


async def test_a_repeat_caller_pops_up_with_the_link_to_their_open_incident(console):
    sb = console.sb
    taker = await sb.api_token("tini", "call_taker", seat="seat02")
    page = await console.page(taker)
    await page.wait_for_selector("#seat-state[data-state=logged_out]")
    await page.click("#btn-ready")
    await page.wait_for_selector("#seat-state[data-state=available]")
    first = sb.emulator.place_call(number="+6281234500321", talk_time=0.3)
    await sb.emulator.timeline.wait_for(lambda: first.ended_at is not None, timeout=8)
    await page.wait_for_selector("#seat-state[data-state=available]")
    sb.emulator.place_call(number="+6281234500321", talk_time=10)  # the same citizen again
    await page.wait_for_selector("#pop-repeat", timeout=5000)
    assert await page.inner_text("#pop-repeat") == "#1"
    assert "Penelepon berulang" in await page.inner_text("#pop")
    await page.click("#pop-repeat")
    await page.wait_for_selector("#incident-form")
    assert (await page.inner_text(".form-head h2")).endswith("#1")
    assert console.real_errors() == []
