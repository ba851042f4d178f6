"""A supervisor finds an incident with the filters, reads it and plays its recording in the browser
(fetched with the token as a Blob); the UI switches to English and times stay in Asia/Jakarta."""

from __future__ import annotations

import asyncio


async def test_supervisor_searches_incidents_and_plays_the_recording(console):
    sb = console.sb
    admin = await sb.api_token("adi", "admin")
    await sb.app.api.seats.act(await sb.app.api.auth.principal(admin), "seat01", "login", None)
    call = sb.emulator.place_call(number="+6281234500055", dialled="118", talk_time=1.0)
    await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=8)
    await sb.settled()
    supervisor = await sb.api_token("sri", "supervisor")
    page = await console.page(supervisor, screen="incidents")
    await page.select_option("#if-category", "medical")
    await page.click("#incident-filters button[type=submit]")
    await page.wait_for_selector("#incident-table tbody tr")
    assert await page.locator("#incident-table tbody tr").count() == 1
    await page.click("#incident-table tbody tr a")
    await page.wait_for_selector("#recordings button[data-recording]")
    await page.click("#recordings button[data-recording]")
    await page.wait_for_selector("audio.player")
    assert (await page.get_attribute("audio.player", "src")).startswith("blob:")
    for _ in range(50):
        duration = await page.evaluate("document.querySelector('audio.player').duration")
        if duration and duration > 0:
            break
        await asyncio.sleep(0.1)
    assert duration > 0.5  # the whole WAV was fetched with the token and decoded
    opened = await page.inner_text("#incident-table tbody tr td:nth-child(2)")
    await page.click("#lang")
    await page.wait_for_selector("nav a.active:has-text('Incidents')")
    await page.wait_for_selector("#incident-table")
    # the browser runs in UTC (conftest): the time shown is Jakarta's (UTC+7) all the same
    jakarta_hour = "new Intl.DateTimeFormat('en-GB', {timeZone: 'Asia/Jakarta', hour: '2-digit', hourCycle: 'h23'})"
    assert opened.split(", ")[-1][:2] == await page.evaluate(f"{jakarta_hour}.format(new Date())")
    assert console.real_errors() == []
