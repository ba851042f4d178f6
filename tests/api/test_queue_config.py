"""The queue configuration over HTTP: every bad field at once, nothing changed; a good change is
used from the very next offer and written to the audit log."""

from __future__ import annotations

import aiohttp

from cc112_pbx.emulator.parties import SeatBehaviour
from cc112_pbx.harness import Switchboard


async def test_an_invalid_change_answers_422_naming_each_bad_field_and_changes_nothing(api):
    before = await api.json("GET", "/api/queue-config", api.supervisor)
    body = {"strategy": "fastest", "ring_timeout": -1, "wrapup_time": "ten", "auto_pause_after_missed": 1.5,
            "colour": "red"}
    answer = await api.json("PUT", "/api/queue-config", api.admin, json=body, expect=422)
    fields = {f["field"] for f in answer["error"]["fields"]}
    assert fields == {"strategy", "ring_timeout", "wrapup_time", "auto_pause_after_missed", "colour",
                      "overflow_after"}  # the last one: PUT needs every field
    assert answer["error"]["message_id"]
    await api.json("PATCH", "/api/queue-config", api.admin, json={"ring_timeout": 0}, expect=422)
    assert await api.json("GET", "/api/queue-config", api.supervisor) == before
    assert api.sb.controller.acd.config.ring_timeout == before["settings"]["ring_timeout"]
    assert await api.json("GET", "/api/audit?action=queue_config.saved", api.admin) == []


async def test_the_callback_policy_is_versioned_with_the_queue_and_applied_live(api):
    bad = await api.json("PATCH", "/api/queue-config", api.admin, expect=422,
                         json={"callback_seat_cap": -1, "callback_enabled": "yes", "callback_max_attempts": 2.5})
    assert {f["field"] for f in bad["error"]["fields"]} == {"callback_seat_cap", "callback_enabled",
                                                            "callback_max_attempts"}
    policy = api.sb.controller.callbacks.policy
    saved = await api.json("PATCH", "/api/queue-config", api.admin,
                           json={"callback_enabled": True, "callback_max_attempts": 5, "callback_retry_interval": 30})
    assert saved["settings"]["callback_max_attempts"] == 5 and saved["settings"]["callback_enabled"] is True
    live = api.sb.controller.callbacks.policy
    assert (live.enabled, live.max_attempts, live.spacing) == (True, 5, 30.0)
    assert live.dial_template == policy.dial_template  # what the version does not carry is kept
    [audit] = await api.json("GET", "/api/audit?action=queue_config.saved", api.admin)
    assert "callback_max_attempts" in audit["details"]["changes"]


async def test_history_and_diff_of_versions(api):
    await api.json("PATCH", "/api/queue-config", api.admin, json={"wrapup_time": 5})
    second = await api.json("PATCH", "/api/queue-config", api.admin, json={"strategy": "round_robin"})
    assert second["author"] == "adi" and second["version"] == 3
    history = await api.json("GET", "/api/queue-config/history", api.supervisor)
    assert [v["version"] for v in history] == [3, 2, 1] and history[-1]["author"] == "settings"
    diff = await api.json("GET", "/api/queue-config/diff?from=1&to=3", api.supervisor)
    assert diff["changes"] == {"strategy": {"from": "longest_idle", "to": "round_robin"},
                               "wrapup_time": {"from": 0, "to": 5.0}}
    assert api.sb.controller.acd.config.strategy == "round_robin"
    await api.json("GET", "/api/queue-config/diff?from=1&to=99", api.supervisor, expect=404)


async def test_a_new_ring_timeout_made_while_a_caller_waits_is_used_for_the_very_next_offer(tmp_path):
    never = {"seat01": SeatBehaviour("seat01", actions=("never",))}
    async with Switchboard(tmp_path, seats=1, api=True, seat_behaviours=never,
                           queue={"ring_timeout": 30, "auto_pause_after_missed": 0}) as sb:
        admin = await sb.api_token()
        headers = {"Authorization": f"Bearer {admin}"}
        async with aiohttp.ClientSession(base_url=sb.api_url, headers=headers) as http:
            call = sb.emulator.place_call(number="+6281234567890", patience=20)
            await sb.emulator.timeline.wait_for(lambda: call.answered_at is not None, timeout=5)  # waiting
            async with http.patch("/api/queue-config", json={"ring_timeout": 1}) as r:
                assert r.status == 200, await r.text()
            async with http.post("/api/seats/seat01/login") as r:
                assert r.status == 200
            await sb.emulator.timeline.wait_for(lambda: len(sb.emulator.timeline.rings_of("seat01")) >= 2,
                                                timeout=6)
            first = sb.emulator.timeline.rings_of("seat01")[0]
            assert first.ended_at is not None and first.ended_at - first.created_at < 3  # not 30 s
            async with http.get("/api/audit", params={"action": "queue_config.saved"}) as r:
                [entry] = await r.json()
            assert entry["actor"] == "admin"
            assert entry["details"]["changes"] == {"ring_timeout": {"from": 30, "to": 1.0}}
            sb.emulator.hang_up(call)
            await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)


async def test_a_version_saved_through_the_api_stays_in_force_after_a_restart(tmp_path):
    async with Switchboard(tmp_path, seats=1, api=True) as sb:
        admin = await sb.api_token()
        async with aiohttp.ClientSession(base_url=sb.api_url, headers={"Authorization": f"Bearer {admin}"}) as h:
            async with h.patch("/api/queue-config", json={"wrapup_time": 42}) as r:
                assert r.status == 200
        await sb.stop_controller()
        await sb.start_controller()
        assert sb.controller.acd.config.wrapup_time == 42
