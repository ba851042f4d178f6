"""/healthz says the controller's role; a controller that does not lead refuses writes over HTTP with
503 `not_leader` naming the leader, and still answers reads (issue 21). The role comes from the app's
`Leadership`; here a standby's is put in its place (the two-process tests are in tests/reliability)."""

from __future__ import annotations


async def test_a_single_node_says_so_on_healthz(api):
    report = await api.json("GET", "/healthz", None)
    assert (report["role"], report["ha"]) == ("single", {"role": "single"})


async def test_the_standby_refuses_writes_with_503_naming_the_leader_and_answers_reads(api):
    standby = {"role": "standby", "leader": "http://10.0.0.2:8112"}
    services = api.sb.app.api
    services.leadership = services.health.leadership = lambda: standby
    report = await api.json("GET", "/healthz", None)
    assert (report["role"], report["ha"]["leader"], report["status"]) == ("standby", "http://10.0.0.2:8112", "ok")
    await api.json("GET", "/api/queue-config", api.admin)  # reads go on
    for method, path, body in (("PATCH", "/api/queue-config", {"ring_timeout": 20}),
                               ("POST", "/api/users", {"username": "x", "role": "supervisor", "password": "p" * 12}),
                               ("POST", "/api/login", {"username": "adi", "password": "whatever"})):
        error = (await api.json(method, path, api.admin, expect=503, json=body))["error"]
        assert (error["code"], error["leader"]) == ("not_leader", "http://10.0.0.2:8112")
        assert "not the leader" in error["message"] and "bukan pemimpin" in error["message_id"]
    assert (await api.json("GET", "/api/queue-config", api.admin))["settings"]["ring_timeout"] != 20


async def test_a_former_leader_without_a_known_successor_still_refuses(api):
    services = api.sb.app.api
    services.leadership = services.health.leadership = lambda: {"role": "lost", "epoch": 3}
    error = (await api.json("PATCH", "/api/queue-config", api.admin, expect=503, json={"ring_timeout": 20}))["error"]
    assert error["code"] == "not_leader" and "leader" not in error


async def test_pair_mode_on_sqlite_runs_single_and_says_so(tmp_path, monkeypatch):
    import dataclasses

    import aiohttp
    from structlog.testing import capture_logs

    from cc112_pbx import harness
    from cc112_pbx.settings import HaSettings

    plain = harness.harness_settings
    monkeypatch.setattr(harness, "harness_settings",
                        lambda **kw: dataclasses.replace(plain(**kw), ha=HaSettings(mode="pair")))
    with capture_logs() as logs:
        async with harness.Switchboard(tmp_path, seats=1, api=True) as sb, aiohttp.ClientSession() as http:
            async with http.get(f"{sb.api_url}/healthz") as resp:
                report = await resp.json()
    assert report["role"] == "single"
    said = [entry for entry in logs if entry["event"] == "single_node"]
    assert said and said[0]["log_level"] == "error" and "needs PostgreSQL" in said[0]["reason"]
