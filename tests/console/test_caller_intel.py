"""Issue 19 in the browser: the screen pop carries the handset's AML position, the incident's map
shows it with its accuracy circle and method; one key press (F6) tags the call prank; the number,
now flagged, is flagged on its next call's pop and on the wallboard, and that call is still
answered; the supervisor's report counts the tag."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from tests.console.conftest import screenshot, start_console
from tests.waiting import wait_until

NUMBER = "+6281234500119"
SENDER_TOKEN = "demo-operator-token-" + "c" * 30


@pytest.fixture
async def console(tmp_path):
    aml = {"senders": (f"operator:{hashlib.sha256(SENDER_TOKEN.encode()).hexdigest()}",)}
    async for c in start_console(tmp_path, seat_answer_after=0.5, aml=aml,
                                 incident={"prank_flag_after": 1, "prank_flag_window": 3600}):
        yield c


async def post_aml(console) -> None:
    top = (datetime.now(UTC) - timedelta(seconds=5)).strftime("%Y%m%d%H%M%S")
    form = {"v": "1", "thisMsgNum": "1", "msisdn": NUMBER, "lt": "-6.98123", "lg": "110.40912", "rd": "14",
            "top": top, "lc": "68", "pm": "G", "si": "510100000000000", "ei": "355458061005220", "mcc": "510",
            "mnc": "10", "ml": "150"}
    async with aiohttp.ClientSession() as http, http.post(
            console.url + "/api/aml", data=form, headers={"Authorization": f"Bearer {SENDER_TOKEN}"}) as response:
        assert response.status == 202, await response.text()


async def test_one_key_tags_a_prank_the_number_is_flagged_next_time_and_the_aml_position_is_on_the_map(console):
    sb = console.sb
    taker = await sb.api_token("tono", "call_taker", seat="seat01")
    page = await console.page(taker)
    await page.wait_for_selector("#seat-state[data-state=logged_out]")
    await page.keyboard.press("F2")
    await page.wait_for_selector("#seat-state[data-state=available]")
    await post_aml(console)  # the handset's position arrives just before its call

    first = sb.emulator.place_call(number=NUMBER, talk_time=60)
    await page.wait_for_selector("#pop.pop-connected", timeout=8000)
    await page.wait_for_selector("#pop-aml", timeout=8000)
    assert "± 14 m" in await page.inner_text("#pop-aml") and "GNSS" in await page.inner_text("#pop-aml")
    await page.wait_for_selector("#aml-info", timeout=8000)  # the incident form: accuracy and method
    assert await page.get_attribute("#aml-info", "data-method") == "gnss"
    await page.wait_for_selector("#map path.aml-accuracy", timeout=8000)  # the accuracy circle
    assert "GNSS" in await page.inner_text(".aml-label")
    assert await page.locator("#pop-prank").count() == 0  # not flagged yet

    await page.keyboard.press("F6")  # one key press: prank
    await page.wait_for_selector("#tag-prank[aria-pressed=true]")
    await page.wait_for_selector("#pop-prank")  # flag_after 1: the number is flagged now
    call_id = next(iter(sb.controller.ctx.sessions.calls))
    [tag] = await sb.app.db.call_tags.for_call(call_id)
    assert (tag.tag, tag.actor, tag.number) == ("prank", "tono", NUMBER)
    await screenshot(page, "calltaker_tagged")
    await page.reload()  # the tags survive a reload of the console
    await page.wait_for_selector("#tag-prank[aria-pressed=true]")
    sb.emulator.hang_up(first)
    await sb.emulator.timeline.wait_for(lambda: first.ended_at is not None, timeout=5)
    await wait_until(lambda: not sb.controller.ctx.sessions.calls, timeout=8, what="the first call is over")

    wallboard = await console.page(await sb.api_token("sri", "supervisor"), screen="wallboard")
    again = sb.emulator.place_call(number=NUMBER, talk_time=60)
    await page.wait_for_selector("#pop.pop-connected #pop-prank", timeout=8000)  # flagged on the pop...
    assert await page.get_attribute("#pop-prank", "data-pranks") == "1"
    await sb.emulator.timeline.wait_for(lambda: again.connected_at is not None, timeout=5)  # ...and answered
    await wallboard.wait_for_selector("#in-calls .flag-prank", timeout=8000)  # and on the wallboard
    await screenshot(wallboard, "wallboard_prank_flag")
    sb.emulator.hang_up(again)

    await wallboard.click("#nav a[href='#/reports']")
    await wallboard.wait_for_selector("#rep-by-tag")
    assert await wallboard.inner_text("#rep-by-tag td[data-tag=prank]") == "1"
    assert NUMBER in await wallboard.inner_text("#rep-flagged")
    await screenshot(wallboard, "call_tag_report")
    assert console.real_errors() == []
