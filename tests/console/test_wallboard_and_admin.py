"""A supervisor watches a waiting call's timer grow and the wallboard's counts agree with /metrics;
an admin's invalid ring timeout is refused beside its field, a valid one rules the next offer;
the banner shows while the API is down and goes once it is back."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.console.conftest import screenshot, start_console


async def _api(console, method, path, token, **kwargs):
    async with aiohttp.ClientSession() as http, http.request(
            method, console.url + path, headers={"Authorization": f"Bearer {token}"}, **kwargs) as r:
        assert r.status < 300, (r.status, await r.text())
        return await r.text() if path == "/metrics" else (await r.json() if r.status != 204 else None)


def _metrics(text):
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


async def test_supervisor_sees_the_wait_timer_grow_and_the_counts_match_metrics(console):
    sb = console.sb
    admin = await sb.api_token("adi", "admin")
    supervisor = await sb.api_token("sri", "supervisor")
    await _api(console, "POST", "/api/seats/seat01/login", admin)  # one answered call, then nobody free
    first = sb.emulator.place_call(number="+6281234500001", talk_time=0.2)
    await sb.emulator.timeline.wait_for(lambda: first.ended_at is not None, timeout=8)
    await _api(console, "POST", "/api/seats/seat01/pause", admin, json={"reason": "break"})
    sb.emulator.place_call(number="+6281234500002", talk_time=30)
    sb.emulator.place_call(number=None, talk_time=30)  # a SIM-less phone: flagged

    page = await console.page(supervisor)
    await page.wait_for_selector("#waiting-table tbody tr:nth-child(2)")
    assert "TANPA NOMOR" in await page.inner_text("#waiting-table")
    cell = page.locator("#waiting-table tbody tr:first-child td.wait")
    before = await cell.inner_text()
    for _ in range(30):  # the page's own timer, with no new data from the API (the CSP forbids eval'd waits)
        await asyncio.sleep(0.1)
        if await cell.inner_text() != before:
            break
    assert _seconds(await cell.inner_text()) > _seconds(before)

    metrics = _metrics(await _api(console, "GET", "/metrics", supervisor))
    await page.wait_for_selector(f"#tile-answered .n[data-value='{int(metrics[('cc112_calls_answered_total', ())])}']")
    assert int(await page.inner_text("#tile-waiting .n")) == metrics[("cc112_calls_waiting", ())] == 2
    assert int(await page.inner_text("#tile-abandoned .n")) == metrics[("cc112_calls_abandoned_total", ())]
    for state in ("available", "paused", "logged_out"):
        expected = int(metrics[("cc112_seats", (("state", state),))])
        chip = page.locator(f"#seat-counts [data-state={state}]")
        shown = int(await chip.get_attribute("data-count")) if await chip.count() else 0
        assert shown == expected, state
    today = await page.inner_text("#sl-today")
    assert "1 (33%)" in today  # 1 answered within 10 s of 3 calls today
    await screenshot(page, "wallboard")
    assert console.real_errors() == []


def _seconds(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


@pytest.fixture
async def slow_seats(tmp_path):
    async for c in start_console(tmp_path, seat_answer_after=30):  # nobody answers: every ring times out
        yield c


async def test_admin_sees_an_invalid_ring_timeout_beside_the_field_and_a_valid_one_rules_the_next_offer(slow_seats):
    console = slow_seats
    sb = console.sb
    admin = await sb.api_token("adi", "admin")
    page = await console.page(admin, screen="queue")
    await page.wait_for_selector("#q-ring_timeout")
    await page.fill("#q-ring_timeout", "0")
    await page.fill("#q-wrapup_time", "banyak")
    await page.click("#queue-save")
    await page.wait_for_selector("#qerr-ring_timeout:not(:empty)")
    assert await page.inner_text("#qerr-ring_timeout") == "harus antara 1 dan 600"  # the API's 422, in Indonesian
    assert await page.inner_text("#qerr-wrapup_time") == "harus berupa angka"
    assert await page.get_attribute("#q-ring_timeout", "aria-invalid") == "true"
    assert (await _api(console, "GET", "/api/queue-config", admin))["version"] == 1  # nothing changed
    await screenshot(page, "admin-queue-error")

    await page.fill("#q-ring_timeout", "2")
    await page.fill("#q-wrapup_time", "0")
    await page.click("#queue-save")
    await page.wait_for_selector("#queue-notice:has-text('versi 2')")
    assert await page.inner_text("#qerr-ring_timeout") == ""
    await page.wait_for_selector("#history-table tr[data-version='2']")
    await page.click("#history-table tr[data-version='2'] button")
    await page.wait_for_selector("#diff-table")
    assert "2" in await page.inner_text("#diff-table")
    await screenshot(page, "admin-queue")

    await _api(console, "POST", "/api/seats/seat01/login", admin)
    call = sb.emulator.place_call(number="+6281234500003", talk_time=30)
    await sb.emulator.timeline.wait_for(lambda: any(leg.ended_at for leg in sb.emulator.timeline.rings_of("seat01")),
                                        timeout=6)
    leg = sb.emulator.timeline.rings_of("seat01")[0]
    assert 1.5 <= leg.ended_at - leg.rang_at <= 3.5  # the new 2 s ring timeout, not the default 15 s
    sb.emulator.hang_up(call)
    assert console.real_errors() == []


async def test_the_banner_shows_while_the_api_is_down_and_goes_when_it_is_back(console):
    sb = console.sb
    supervisor = await sb.api_token("sri", "supervisor")
    page = await console.page(supervisor)
    await page.wait_for_selector("#link.link-live")
    assert "token" not in page.url  # taken out of the address bar (replaceState: not in the history either)
    assert await page.is_hidden("#banner")
    server = sb.app.api_server
    started = time.monotonic()
    await server.stop()
    await page.wait_for_selector("#banner:has-text('Koneksi terputus')", timeout=5000)
    assert await page.evaluate("document.body.classList.contains('stale')")
    assert await page.inner_text("#link") == "TERPUTUS"
    await asyncio.sleep(1.0)
    await server.start()
    await page.wait_for_selector("#banner", state="hidden", timeout=8000)
    assert not await page.evaluate("document.body.classList.contains('stale')")
    await page.wait_for_selector("#link.link-live")
    sb.emulator.place_call(number="+6281234500004", talk_time=30)  # live again: the new call shows up
    await page.wait_for_selector("#waiting-table tbody tr", timeout=5000)
    assert time.monotonic() - started < 20

