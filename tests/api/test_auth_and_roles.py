"""Every route needs a token (but /healthz and the console's files), and roles are enforced."""

from __future__ import annotations

import re

from cc112_pbx.http.openapi import all_routes, document

PUBLIC = {("GET", "/healthz"), ("GET", "/"), ("GET", "/static/{path}"), ("GET", "/api/console"),
          ("POST", "/api/login")}
SAMPLE = {"user_id": "1", "token_id": "1", "seat_id": "seat01", "incident_id": "1", "callback_id": "1",
          "recording_id": "1", "path": "README.css", "call_id": "c1", "tag": "prank",
          "agency_id": "1", "officer_id": "1", "dispatch_id": "1",
          "sample_id": "1", "evaluation_id": "1"}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], path)


async def test_every_route_but_the_public_ones_answers_401_without_a_token(api):
    routes = [(r.method, r.path) for r in all_routes()]
    assert PUBLIC < set(routes)
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        for token in (None, "not-a-token"):
            async with api.request(method, concrete(path), token, json={}) as response:
                body = await response.json()
                assert response.status == 401, (method, path, response.status, body)
                assert body["error"]["code"] == "unauthenticated" and body["error"]["message_id"]


async def test_public_routes_answer_without_a_token(api):
    assert (await api.json("GET", "/healthz", None))["status"] in ("ok", "degraded")
    async with api.request("GET", "/", None) as response:
        assert response.status == 200 and "112" in await response.text()
    async with api.request("GET", "/static/README.css", None) as response:
        assert response.status == 200
    async with api.request("GET", "/static/nothing.js", None) as response:
        assert response.status == 404
    from cc112_pbx.http.routes_reports import _static_file

    assert _static_file("../server.py") is None and _static_file("README.css") is not None


# (method, path, body, roles refused with 403)
STAFF_ONLY = {"call_taker"}
ADMIN_ONLY = {"call_taker", "supervisor"}
FORBIDDEN = [
    ("GET", "/api/users", None, ADMIN_ONLY),
    ("POST", "/api/users", {"username": "x1", "role": "admin", "password": "longenough"}, ADMIN_ONLY),
    ("PATCH", "/api/users/1", {"disabled": False}, ADMIN_ONLY),
    ("POST", "/api/users/1/tokens", {}, ADMIN_ONLY),
    ("DELETE", "/api/tokens/1", None, ADMIN_ONLY),
    ("GET", "/api/queue-config", None, STAFF_ONLY),
    ("PUT", "/api/queue-config", {"ring_timeout": 20}, ADMIN_ONLY),
    ("PATCH", "/api/queue-config", {"ring_timeout": 20}, ADMIN_ONLY),
    ("GET", "/api/queue-config/history", None, STAFF_ONLY),
    ("GET", "/api/queue-config/diff?from=1&to=1", None, STAFF_ONLY),
    ("POST", "/api/seats", {"id": "seat09", "name": "x", "dial_string": "PJSIP/seat09"}, ADMIN_ONLY),
    ("PATCH", "/api/seats/seat01", {"name": "x"}, ADMIN_ONLY),
    ("DELETE", "/api/seats/seat03", None, ADMIN_ONLY),
    ("GET", "/api/seats/seat02", None, STAFF_ONLY),
    ("POST", "/api/seats/seat02/login", None, STAFF_ONLY),
    ("POST", "/api/seats/seat02/pause", {"reason": "x"}, STAFF_ONLY),
    ("POST", "/api/callbacks/1/cancel", {}, STAFF_ONLY),
    ("POST", "/api/callbacks/1/retry", None, STAFF_ONLY),
    ("GET", "/api/no-callback", None, STAFF_ONLY),
    ("GET", "/api/reports/call-tags", None, STAFF_ONLY),
    ("GET", "/api/audit", None, STAFF_ONLY),
    ("GET", "/api/service-level", None, STAFF_ONLY),
    # issue 17: the agency directory is the admins'
    ("POST", "/api/agencies", {"code": "x", "name": "x", "kind": "police"}, ADMIN_ONLY),
    ("PATCH", "/api/agencies/1", {"name": "x"}, ADMIN_ONLY),
    ("DELETE", "/api/agencies/1", None, ADMIN_ONLY),
    ("POST", "/api/agencies/1/dispatchers", {"username": "x"}, ADMIN_ONLY),
    ("POST", "/api/officers", {"agency_id": 1, "name": "x", "device_id": "x"}, ADMIN_ONLY),
    ("DELETE", "/api/officers/1", None, ADMIN_ONLY),
    ("POST", "/api/officers/1/device-token", None, ADMIN_ONLY),
    ("PUT", "/api/qc/rubric", {"elements": []}, ADMIN_ONLY),  # issue 18 (the "qc" routes: test_qc_over_http)
]


async def test_the_wrong_role_is_refused_with_403(api):
    tokens = {"call_taker": api.taker, "supervisor": api.supervisor}
    for method, path, body, refused in FORBIDDEN:
        for role in refused:
            async with api.request(method, path, tokens[role], json=body) as response:
                answer = await response.json()
                assert response.status == 403, (role, method, path, response.status, answer)
                assert answer["error"]["code"] == "forbidden"


async def test_every_route_of_the_document_has_a_role_test_or_is_open_to_everyone(api):
    tested = {(m, re.sub(r"\?.*", "", p)) for m, p, _, _ in FORBIDDEN}
    for method, path in ((r.method, r.path) for r in all_routes() if r.roles in ("staff", "admin")):
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path))
        assert any(m == method and re.fullmatch(pattern, p) for m, p in tested), (method, path)
    assert document()["paths"]


async def test_login_gives_a_token_that_works_and_logout_revokes_it(api):
    await api.sb.api_token("budi", "supervisor", password="rahasia-sekali")
    answer = await api.json("POST", "/api/login", None, json={"username": "budi", "password": "rahasia-sekali"})
    token = answer["token"]
    assert answer["user"]["role"] == "supervisor" and answer["expires_at"]
    assert (await api.json("GET", "/api/me", token))["username"] == "budi"
    await api.json("POST", "/api/logout", token, expect=204)
    await api.json("GET", "/api/me", token, expect=401)


async def test_failed_logins_are_rate_limited_per_username(api):
    await api.sb.api_token("eko", "supervisor", password="rahasia-sekali")
    for _ in range(5):
        await api.json("POST", "/api/login", None, expect=401, json={"username": "eko", "password": "salah"})
    async with api.request("POST", "/api/login", None, json={"username": "eko", "password": "rahasia-sekali"}) as r:
        assert r.status == 429 and int(r.headers["Retry-After"]) >= 1
        assert (await r.json())["error"]["code"] == "too_many_attempts"


async def test_failed_logins_are_rate_limited_per_client_address(api):
    for n in range(20):
        await api.json("POST", "/api/login", None, expect=401, json={"username": f"u{n}", "password": "x"})
    await api.json("POST", "/api/login", None, expect=429, json={"username": "someone-else", "password": "x"})


async def test_a_call_taker_acts_on_their_own_seat_only(api):
    state = await api.json("POST", "/api/seats/seat01/login", api.taker)
    assert state["logged_in"] is True
    state = await api.json("POST", "/api/seats/seat01/pause", api.taker, json={"reason": "toilet"})
    assert state["status"] == "paused" and state["pause_reason"] == "toilet"
    await api.json("POST", "/api/seats/seat01/unpause", api.taker)
    await api.json("POST", "/api/seats/seat02/logout", api.taker, expect=403)
    seats = await api.json("GET", "/api/seats", api.taker)
    assert [s["id"] for s in seats] == ["seat01"]
    assert len(await api.json("GET", "/api/seats", api.supervisor)) == 3
    live = await api.json("GET", "/api/live", api.taker)
    assert [s["seat"] for s in live["seats"]] == ["seat01"]


async def test_tokens_expire_and_can_be_revoked(api):
    user = (await api.json("POST", "/api/users", api.admin,
                           json={"username": "wati", "role": "supervisor", "password": "panjang-sekali"}, expect=201))
    issued = await api.json("POST", f"/api/users/{user['id']}/tokens", api.admin, json={"ttl": "1h"}, expect=201)
    assert (await api.json("GET", "/api/me", issued["token"]))["username"] == "wati"
    await api.json("DELETE", f"/api/tokens/{issued['id']}", api.admin)
    await api.json("GET", "/api/me", issued["token"], expect=401)
    await api.json("POST", f"/api/users/{user['id']}/tokens", api.admin, json={"ttl": "0s"}, expect=422)
