"""Quality control in the browser (issue 18): an evaluator opens a week's sample, plays and seeks the
recording beside the incident and its signals, scores every element and submits; the call taker
then sees the evaluation under "my evaluations" and disputes it; the report view shows the chart."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cc112_pbx.domain.qc import Week
from tests.console.conftest import screenshot
from tests.qc_data import add_recorded_call
from tests.waiting import wait_until

WEEK = "2026-W40"
MONDAY = datetime(2026, 9, 28, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


async def test_an_evaluator_scores_one_sample_in_the_console_and_the_call_taker_disputes_it(console):
    sb = console.sb
    for i in range(2):
        await add_recorded_call(sb.app.db, f"call-{i}", "seat01", MONDAY + timedelta(hours=i), wait_s=6.0,
                                dispatched_after_s=95.0, recordings_dir=sb.recordings_dir, audio_s=3.0)
    eva = await sb.api_token("eva", "qc_evaluator")
    drawn = await sb.app.api.qc.sample_week(Week.parse(WEEK), actor="eva", seed=1)
    assert len(drawn["samples"]) == 2

    page = await console.page(eva, screen="qc")
    await page.fill("#qc-week", WEEK)
    await page.click("#qc-week-form button[type=submit]")
    await page.wait_for_selector("#qc-samples tbody tr[data-sample]")
    assert "1" in await page.inner_text("#qc-run")  # the seed is shown
    await page.click("#qc-samples tbody tr[data-sample] .qc-open")
    await page.wait_for_selector("#qc-rubric tr[data-element]")
    assert await page.locator("#qc-rubric tr[data-element]").count() == 14
    assert await page.inner_text("#qc-answer") == "0:06 (target 0:10)"  # [qc] answer_target
    assert await page.inner_text("#qc-dispatch") == "1:35"
    assert await page.locator("#qc-timeline li").count() >= 2

    await page.click("#qc-play")
    await page.wait_for_selector("#qc-audio")
    await wait_until(lambda: page.evaluate("document.querySelector('#qc-audio').duration > 2"), timeout=5)
    await page.evaluate("document.querySelector('#qc-audio').pause()")
    await page.click("#qc-fwd")
    assert await page.evaluate("Math.abs(document.querySelector('#qc-audio').currentTime - "
                               "document.querySelector('#qc-audio').duration) < 0.01")  # seeked to the end
    await page.click("#qc-back")
    assert await page.evaluate("document.querySelector('#qc-audio').currentTime") == 0

    assert await page.is_disabled("tr[data-element=location] input[value=na]")  # n/a not allowed there
    keys = await page.eval_on_selector_all("#qc-rubric tr[data-element]", "rows => rows.map(r => r.dataset.element)")
    for key in keys:
        choice = {"greeting": "no", "empathy": "na"}.get(key, "yes")
        await page.check(f"tr[data-element={key}] input[value={choice}]")
    await page.fill("tr[data-element=greeting] .qc-comment", "no greeting from the script")
    await page.fill("#qc-overall", "calm and quick")
    await screenshot(page, "qc-scoring")
    await page.click("#qc-submit")
    await page.wait_for_selector("#qc-done")
    assert "94.1%" in await page.inner_text("#qc-done")  # 16 of 17 points: empathy n/a, greeting (1) missed

    [evaluation] = await sb.app.db.qc.evaluations(weeks=[WEEK])
    assert (evaluation.earned, evaluation.possible, evaluation.evaluator) == (16.0, 17.0, "eva")
    assert evaluation.scores["greeting"] == {"score": "no", "comment": "no greeting from the script"}
    assert evaluation.comment == "calm and quick"

    await page.click("#qc-tab-report")
    await page.wait_for_selector("#qc-chart")
    await wait_until(lambda: page.evaluate("document.querySelector('#qc-chart').naturalWidth > 100"), timeout=5)
    assert "94.1%" in await page.inner_text("#qc-takers tr[data-seat=seat01]")
    await screenshot(page, "qc-report")

    taker = await sb.api_token("tono", "call_taker", seat="seat01")
    mine = await console.page(taker, screen="qc")
    await mine.wait_for_selector(".qc-evaluation")
    assert "94.1%" in await mine.inner_text(".qc-evaluation h3")
    await mine.fill(".qc-response-comment", "the caller spoke first")
    await mine.click(".qc-dispute")
    await mine.wait_for_selector(".qc-responses li")
    assert "the caller spoke first" in await mine.inner_text(".qc-responses li")
    await screenshot(mine, "qc-my-evaluations")
    assert console.real_errors() == []
