"""Quality control over HTTP (issue 18): the weekly draw, evaluations that are never edited, call
takers who see only their own, the rubric, and the CSV and HTML reports of a hand-computed example."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cc112_pbx.domain import qc
from tests.qc_data import add_recorded_call

WEEK = "2026-W40"  # Monday 28 September 2026, in Jakarta
MONDAY = datetime(2026, 9, 28, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
SMALL_RUBRIC = [
    {"key": "a", "title_id": "Unsur A", "title_en": "Element A", "weight": 2, "na_allowed": False},
    {"key": "b", "title_id": "Unsur B", "title_en": "Element B", "weight": 1},
    {"key": "c", "title_id": "Unsur C", "title_en": "Element C", "weight": 1},
]


async def evaluator(api, name="eva", seat=None) -> str:
    return await api.sb.api_token(name, "qc_evaluator", seat=seat)


async def calls_for(api, seat: str, n: int, *, talk_s: float = 120.0, first: int = 0, week_start=MONDAY,
                    with_audio: bool = False) -> None:
    db = api.sb.app.db
    for i in range(n):
        await add_recorded_call(db, f"{seat}-{first + i:03d}", seat, week_start + timedelta(hours=i * 7 + 1),
                                talk_s=talk_s, recordings_dir=api.sb.recordings_dir if with_audio else None)


def by_seat(samples: list[dict]) -> dict[str, list[str]]:
    seats: dict[str, list[str]] = {}
    for sample in samples:
        if sample["status"] != "swapped":
            seats.setdefault(sample["seat_id"], []).append(sample["call_id"])
    return {seat: sorted(ids) for seat, ids in seats.items()}


async def test_many_calls_per_taker_give_exactly_two_each_reproducibly_and_never_twice_a_week(api):
    eva = await evaluator(api, seat="seat03")  # an evaluator who also takes calls at seat03
    await calls_for(api, "seat01", 9)
    await calls_for(api, "seat02", 6)
    await calls_for(api, "seat03", 4)  # the evaluator's own calls: never drawn
    await calls_for(api, "seat01", 5, talk_s=20.0, first=50)  # shorter than [qc] min_talk_time (30 s)
    await calls_for(api, "seat02", 3, week_start=MONDAY + timedelta(days=7), first=80)  # the next week

    drawn = await api.json("POST", "/api/qc/samples", eva, json={"week": WEEK, "seed": 1234}, expect=201)
    assert drawn["created"] is True and drawn["seed"] == 1234
    assert {seat: len(ids) for seat, ids in by_seat(drawn["samples"]).items()} == {"seat01": 2, "seat02": 2}
    assert drawn["shortfall"] == {} and drawn["available"] == {"seat01": 9, "seat02": 6}
    assert drawn["excluded_seats"] == ["seat03"]
    assert all(not cid.startswith("seat01-05") and not cid.startswith("seat02-08")
               for ids in by_seat(drawn["samples"]).values() for cid in ids)

    # the stored seed reproduces the draw from the same calls
    candidates = [qc.Candidate(f"{seat}-{i:03d}", seat, 0, 120.0) for seat, n in (("seat01", 9), ("seat02", 6))
                  for i in range(n)]
    expected = qc.draw_samples(candidates, 1234).samples
    assert by_seat(drawn["samples"]) == {seat: sorted(c.call_id for c in picks) for seat, picks in expected.items()}

    again = await api.json("POST", "/api/qc/samples", eva, json={"week": WEEK, "seed": 999}, expect=200)
    assert again["created"] is False and again["seed"] == 1234
    assert [s["id"] for s in again["samples"]] == [s["id"] for s in drawn["samples"]]
    listed = await api.json("GET", f"/api/qc/samples?week={WEEK}", api.supervisor)
    assert listed["drawn"] is True and len(listed["samples"]) == 4
    assert len(await api.json("GET", "/api/audit?action=qc.sampled", api.admin)) == 1


async def test_a_taker_with_one_recorded_call_gets_one_and_the_shortfall_is_reported(api):
    eva = await evaluator(api)
    await calls_for(api, "seat01", 4)
    await calls_for(api, "seat02", 1)
    drawn = await api.json("POST", "/api/qc/samples", eva, json={"week": WEEK}, expect=201)
    assert {seat: len(ids) for seat, ids in by_seat(drawn["samples"]).items()} == {"seat01": 2, "seat02": 1}
    assert drawn["shortfall"] == {"seat02": 1}
    assert isinstance(drawn["seed"], int)


async def test_sampling_is_for_evaluators_and_a_bad_week_is_named(api):
    await api.json("POST", "/api/qc/samples", api.taker, json={"week": WEEK}, expect=403)
    answer = await api.json("POST", "/api/qc/samples", api.admin, json={"week": "2026-40"}, expect=422)
    assert answer["error"]["fields"][0]["field"] == "week" and answer["error"]["message_id"]
    await api.json("GET", f"/api/qc/samples?week={WEEK}", api.taker, expect=403)


async def draw_and_detail(api, eva: str) -> dict:
    drawn = await api.json("POST", "/api/qc/samples", eva, json={"week": WEEK, "seed": 5}, expect=201)
    sample = next(s for s in drawn["samples"] if s["seat_id"] == "seat01")
    return await api.json("GET", f"/api/qc/samples/{sample['id']}", eva)


def all_yes(rubric: dict, **overrides: str) -> dict:
    return {e["key"]: {"score": overrides.get(e["key"], "yes"), "comment": ""} for e in rubric["elements"]}


async def test_an_evaluation_is_never_edited_only_superseded_and_compliance_leaves_na_out(api):
    eva = await evaluator(api)
    await calls_for(api, "seat01", 3)
    detail = await draw_and_detail(api, eva)
    assert detail["signals"]["answer_s"] == 6.0 and detail["signals"]["hold_s"] == 2.0
    assert detail["signals"]["dispatch_s"] is None  # no dispatch data for this incident
    assert detail["incident"]["id"] and detail["timeline"]
    rubric = detail["rubric"]
    assert rubric["version"] == 1 and len(rubric["elements"]) == 14
    sample_id = detail["sample"]["id"]
    scores = all_yes(rubric, greeting="no", reporter_identity="na", empathy="na")
    first = await api.json("POST", f"/api/qc/samples/{sample_id}/evaluations", eva, expect=201,
                           json={"scores": scores, "comment": "good call"})
    weights = {e["key"]: e["weight"] for e in rubric["elements"]}
    possible = sum(weights.values()) - weights["reporter_identity"] - weights["empathy"]
    assert first["possible"] == pytest.approx(possible)
    assert first["earned"] == pytest.approx(possible - weights["greeting"])
    assert first["compliance"] == pytest.approx((possible - weights["greeting"]) / possible)
    assert first["rubric_version"] == 1 and first["version"] == 1

    path = f"/api/qc/evaluations/{first['id']}"
    for method in ("PUT", "PATCH", "DELETE"):
        await api.json(method, path, eva, json={"scores": all_yes(rubric)}, expect=405)
    conflict = await api.json("POST", f"/api/qc/samples/{sample_id}/evaluations", eva, expect=409,
                              json={"scores": all_yes(rubric)})
    assert "correction" in conflict["error"]["message"]
    await api.json("POST", f"{path}/corrections", eva, json={"scores": all_yes(rubric)}, expect=422)  # no reason
    second = await api.json("POST", f"{path}/corrections", eva, expect=201,
                            json={"scores": all_yes(rubric), "reason": "greeting was in the script after all"})
    assert (second["version"], second["supersedes_id"], second["compliance"]) == (2, first["id"], 1.0)
    old = await api.json("GET", path, eva)
    assert old["scores"] == first["scores"] and old["compliance"] == first["compliance"]
    assert old["current"] is False and old["superseded_by"] == second["id"]
    await api.json("POST", f"{path}/corrections", eva, expect=409,
                   json={"scores": all_yes(rubric), "reason": "again"})  # only the newest version is corrected
    listed = await api.json("GET", f"/api/qc/evaluations?week={WEEK}", eva)
    assert [e["id"] for e in listed] == [second["id"]]
    [audit] = await api.json("GET", "/api/audit?action=qc.evaluation_corrected", api.admin)
    assert audit["details"]["supersedes_id"] == first["id"] and audit["details"]["changed"] == [
        "empathy", "greeting", "reporter_identity"]


async def test_bad_scores_are_named_element_by_element_and_nothing_is_stored(api):
    eva = await evaluator(api)
    await calls_for(api, "seat01", 2)
    detail = await draw_and_detail(api, eva)
    scores = all_yes(detail["rubric"], location="na", nature="maybe")
    del scores["closing"]
    answer = await api.json("POST", f"/api/qc/samples/{detail['sample']['id']}/evaluations", eva, expect=422,
                            json={"scores": scores})
    assert {f["field"] for f in answer["error"]["fields"]} == {"scores.location.score", "scores.nature.score",
                                                               "scores.closing"}
    assert answer["error"]["message_id"].startswith("penilaian tidak valid")
    assert await api.json("GET", "/api/qc/evaluations", eva) == []


async def test_a_call_taker_sees_only_their_own_evaluations_and_acknowledges_or_disputes_them(api):
    eva = await evaluator(api)
    await calls_for(api, "seat01", 2)
    await calls_for(api, "seat02", 2)
    drawn = await api.json("POST", "/api/qc/samples", eva, json={"week": WEEK}, expect=201)
    rubric = await api.json("GET", "/api/qc/rubric", api.taker)
    ids = {}
    for sample in drawn["samples"]:
        made = await api.json("POST", f"/api/qc/samples/{sample['id']}/evaluations", eva, expect=201,
                              json={"scores": all_yes(rubric)})
        ids.setdefault(sample["seat_id"], []).append(made["id"])
    mine = await api.json("GET", "/api/qc/evaluations", api.taker)
    assert sorted(e["id"] for e in mine) == sorted(ids["seat01"]) and {e["seat_id"] for e in mine} == {"seat01"}
    other = ids["seat02"][0]
    forbidden = await api.json("GET", f"/api/qc/evaluations/{other}", api.taker, expect=403)
    assert forbidden["error"]["message_id"]
    await api.json("GET", "/api/qc/evaluations?seat=seat02", api.taker, expect=403)
    await api.json("POST", f"/api/qc/evaluations/{other}/response", api.taker, json={"kind": "acknowledged"},
                   expect=403)
    await api.json("GET", "/api/qc/report", api.taker, expect=403)

    own = ids["seat01"][0]
    no_reason = await api.json("POST", f"/api/qc/evaluations/{own}/response", api.taker, json={"kind": "disputed"},
                               expect=422)
    assert no_reason["error"]["fields"][0]["field"] == "comment"
    answered = await api.json("POST", f"/api/qc/evaluations/{own}/response", api.taker,
                              json={"kind": "disputed", "comment": "the caller hung up before I could close"})
    assert [(r["kind"], r["author"]) for r in answered["responses"]] == [("disputed", "tono")]
    await api.json("POST", f"/api/qc/evaluations/{ids['seat01'][1]}/response", api.taker,
                   json={"kind": "acknowledged"})
    seen = await api.json("GET", f"/api/qc/evaluations/{own}", api.taker)
    assert seen["responses"][0]["comment"] == "the caller hung up before I could close"
    assert await api.json("GET", "/api/audit?action=qc.evaluation_disputed", api.admin)


async def test_an_evaluator_seeks_in_a_samples_recording_with_range_requests(api):
    eva = await evaluator(api)
    await calls_for(api, "seat01", 1, with_audio=True)
    detail = await draw_and_detail(api, eva)
    async with api.request("GET", detail["sample"]["audio_url"], eva, headers={"Range": "bytes=1000-1999"}) as r:
        assert r.status == 206 and r.headers["Content-Range"].startswith("bytes 1000-1999/")
        assert len(await r.read()) == 1000
    async with api.request("GET", detail["sample"]["audio_url"], api.other_taker) as r:
        assert r.status == 403  # another call taker's call


async def test_an_evaluator_reads_but_changes_nothing_outside_quality_control(api):
    eva = await evaluator(api)
    await calls_for(api, "seat01", 1)
    incidents = await api.json("GET", "/api/incidents", eva)
    incident_id = incidents["items"][0]["id"]
    await api.json("PATCH", f"/api/incidents/{incident_id}", eva, json={"notes": "x"}, expect=403)
    await api.json("POST", "/api/seats/seat01/login", eva, expect=403)
    await api.json("PUT", "/api/qc/rubric", eva, json={"elements": SMALL_RUBRIC}, expect=403)  # admins only
    me = await api.json("GET", "/api/me", eva)
    assert me["role"] == "qc_evaluator"


async def test_a_swap_needs_a_reason_and_takes_the_next_call_of_the_same_draw(api):
    eva = await evaluator(api)
    await calls_for(api, "seat01", 4)
    drawn = await api.json("POST", "/api/qc/samples", eva, json={"week": WEEK, "seed": 77}, expect=201)
    first = drawn["samples"][0]
    await api.json("POST", f"/api/qc/samples/{first['id']}/swap", eva, json={"reason": " "}, expect=422)
    swapped = await api.json("POST", f"/api/qc/samples/{first['id']}/swap", eva,
                             json={"reason": "recording is silent for the first minute"})
    order = qc.draw_order([qc.Candidate(f"seat01-{i:03d}", "seat01", 0, 120.0) for i in range(4)], 77, "seat01")
    assert swapped["replacement"]["call_id"] == order[2].call_id
    assert swapped["swapped"]["swap_reason"] == "recording is silent for the first minute"
    await api.json("POST", f"/api/qc/samples/{first['id']}/swap", eva, json={"reason": "again"}, expect=409)
    [audit] = await api.json("GET", "/api/audit?action=qc.sample_swapped", api.admin)
    assert audit["actor"] == "eva" and audit["details"]["reason"].startswith("recording is silent")


async def test_the_rubric_is_versioned_and_an_evaluation_keeps_its_version(api):
    eva = await evaluator(api)
    await calls_for(api, "seat01", 2)
    bad = await api.json("PUT", "/api/qc/rubric", api.admin, expect=422,
                         json={"elements": [{"key": "A b", "title_id": "", "title_en": "x", "weight": -1}]})
    assert {f["field"] for f in bad["error"]["fields"]} == {"elements[0].key", "elements[0].title_id",
                                                            "elements[0].weight"}
    detail = await draw_and_detail(api, eva)
    made = await api.json("POST", f"/api/qc/samples/{detail['sample']['id']}/evaluations", eva, expect=201,
                          json={"scores": all_yes(detail["rubric"])})
    saved = await api.json("PUT", "/api/qc/rubric", api.admin, json={"elements": SMALL_RUBRIC})
    assert saved["version"] == 2 and saved["author"] == "adi"
    kept = await api.json("GET", f"/api/qc/evaluations/{made['id']}", eva)
    assert kept["rubric_version"] == 1 and len(kept["rubric"]["elements"]) == 14
    history = await api.json("GET", "/api/qc/rubric/history", eva)
    assert [v["version"] for v in history] == [2, 1]


HAND = {  # seat: [(a, b, c)] with weights a=2, b=1, c=1
    "seat01": [("yes", "no", "na"), ("yes", "yes", "no")],  # 2/3 + 3/4 -> 5/7
    "seat02": [("no", "yes", "yes"), ("yes", "no", "yes")],  # 2/4 + 3/4 -> 5/8
}


async def test_csv_and_html_reports_hold_the_figures_of_a_hand_computed_example(api):
    eva = await evaluator(api)
    await api.json("PUT", "/api/qc/rubric", api.admin, json={"elements": SMALL_RUBRIC})
    await calls_for(api, "seat01", 2)
    await calls_for(api, "seat02", 2)
    drawn = await api.json("POST", "/api/qc/samples", eva, json={"week": WEEK}, expect=201)
    taken = {seat: list(rows) for seat, rows in HAND.items()}
    for sample in drawn["samples"]:
        a, b, c = taken[sample["seat_id"]].pop()
        await api.json("POST", f"/api/qc/samples/{sample['id']}/evaluations", eva, expect=201,
                       json={"scores": {"a": a, "b": b, "c": c}})

    report = await api.json("GET", f"/api/qc/report?week={WEEK}", api.supervisor)
    assert report["overall"]["compliance"] == pytest.approx(10 / 15, abs=1e-6)
    assert {t["seat_id"]: t["compliance"] for t in report["takers"]} == {
        "seat01": pytest.approx(5 / 7, abs=1e-6), "seat02": pytest.approx(5 / 8, abs=1e-6)}
    assert [m["key"] for m in report["most_missed"]] == ["b", "a", "c"]

    async with api.request("GET", f"/api/qc/report?week={WEEK}&format=csv", eva) as response:
        assert response.status == 200 and response.content_type == "text/csv"
        lines = (await response.text()).splitlines()
    assert lines[0] == "section,weeks,seat_id,element,evaluations,earned,possible,compliance,yes,no,na,missed"
    assert f"overall,{WEEK},,,4,10,15,0.666667,,,," in lines
    assert f"taker,{WEEK},seat01,,2,5,7,0.714286,,,,b:1 c:1" in lines
    assert f"taker,{WEEK},seat02,,2,5,8,0.625,,,,a:1 b:1" in lines
    assert f"element,{WEEK},,a,,,,0.75,3,1,0,1" in lines
    assert f"element,{WEEK},,b,,,,0.5,2,2,0,2" in lines
    assert f"element,{WEEK},,c,,,,0.666667,2,1,1,1" in lines
    assert f"most_missed,{WEEK},,b,,,,,,,,2" in lines

    async with api.request("GET", f"/api/qc/report?week={WEEK}&format=html", eva) as response:
        assert response.status == 200 and response.content_type == "text/html"
        page = await response.text()
    assert "66.7%" in page and "71.4%" in page and "62.5%" in page and "(10 / 15 points" in page
    png = re.search(r'src="data:image/png;base64,([^"]+)"', page)
    assert png is not None and base64.b64decode(png[1]).startswith(b"\x89PNG\r\n\x1a\n")

    async with api.request("GET", f"/api/qc/report?week={WEEK}&format=png", eva) as response:
        assert response.content_type == "image/png" and (await response.read()).startswith(b"\x89PNG")
    ranged = await api.json("GET", "/api/qc/report?from=2026-W39&to=2026-W41", api.supervisor)
    assert [p["compliance"] for p in ranged["overall"]["trend"]] == [None, pytest.approx(10 / 15, abs=1e-6), None]
    bad = await api.json("GET", "/api/qc/report?week=W40&format=pdf", api.supervisor, expect=422)
    assert bad["error"]["fields"][0]["field"] == "format"


async def test_every_quality_control_route_refuses_a_call_taker_and_the_scoring_ones_a_supervisor(api):
    from cc112_pbx.http.openapi import all_routes

    concrete = {"{sample_id}": "1", "{evaluation_id}": "1"}
    qc_routes = [(r.method, r.path) for r in all_routes() if r.roles == "qc"]
    assert len(qc_routes) == 8
    for method, path in qc_routes:
        for name, value in concrete.items():
            path = path.replace(name, value)
        async with api.request(method, path, api.taker, json={}) as response:
            assert response.status == 403, (method, path, response.status)
        if method == "POST":
            async with api.request(method, path, api.supervisor, json={}) as response:
                assert response.status == 403, (method, path, response.status)
