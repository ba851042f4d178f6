"""The console's files and settings as the API serves them: a strict CSP on every response, no inline
script, nested static paths (the vendored Leaflet) with caching headers, `/api/console` from `[http]`,
and the incident's `allowed_transitions` the form offers."""

from __future__ import annotations

import re
from types import SimpleNamespace

from cc112_pbx.domain.incident_status import TRANSITIONS, IncidentStatus
from cc112_pbx.http.routes_console import STATIC_DIR, ConsoleConfig


async def test_the_console_page_is_public_with_a_strict_content_security_policy(api):
    async with api.request("GET", "/", None) as response:
        html = await response.text()
        assert response.status == 200 and response.headers["Cache-Control"] == "no-cache"
        csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "connect-src 'self'" in csp
    assert '<script type="module" src="/static/js/main.js">' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script"
    assert not re.search(r"\son[a-z]+=", html), "no inline event handler"
    async with api.request("GET", "/api/live", api.supervisor) as response:  # the API's answers too
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_static_files_nest_and_carry_caching_headers_and_nothing_escapes_the_folder(api):
    async with api.request("GET", "/static/js/main.js", None) as response:
        assert response.status == 200 and response.headers["Cache-Control"] == "no-cache"
        assert response.headers["Content-Type"].startswith("text/javascript")
    async with api.request("GET", "/static/vendor/leaflet/leaflet.js", None) as response:
        assert response.status == 200 and "max-age" in response.headers["Cache-Control"]
    for bad in ("/static/../server.py", "/static/%2e%2e/server.py", "/static/js/../../server.py"):
        async with api.request("GET", bad, None) as response:
            assert response.status in (401, 404), bad  # the client may normalise the dots away: then a token is asked
    assert (STATIC_DIR / "vendor" / "leaflet" / "LICENSE").is_file()


# links the user follows (the officer's "directions" button, an <a href> opening the phone's maps app),
# never fetched or loaded by the console: the CSP's connect-src and img-src keep it that way
NAVIGATION_LINKS = {"https://www.google.com/maps/dir/": "screens/officer.js"}


def test_no_console_file_loads_anything_from_another_origin():
    for path in STATIC_DIR.rglob("*"):
        if path.suffix in (".js", ".html", ".css") and "vendor" not in path.parts:
            text = path.read_text().replace("http://HOST:PORT", "")
            for link, where in NAVIGATION_LINKS.items():
                if path.as_posix().endswith(where):
                    text = text.replace(link, "")
            assert not re.search(r"https?://(?!host:port)", text), path


async def test_the_console_settings_are_public_and_default_to_indonesian_in_jakarta(api):
    config = await api.json("GET", "/api/console", None)
    assert config["language"] == "id" and config["time_zone"] == "Asia/Jakarta"
    assert config["map"]["tile_url"] is None  # no tile server unless one is configured


def test_a_configured_tile_server_is_the_only_other_origin_images_may_come_from():
    http = SimpleNamespace(console_language="en", time_zone="Asia/Jakarta",
                           map_tile_url="https://tiles.example.go.id/{z}/{x}/{y}.png", map_attribution="© OSM")
    config = ConsoleConfig.of(http)
    assert config.to_dict()["language"] == "en"
    assert "img-src 'self' data: blob: https://tiles.example.go.id;" in config.content_security_policy()


async def test_an_incident_says_which_status_moves_are_allowed_now(api):
    await api.json("POST", "/api/seats/seat01/login", api.taker)
    call = api.sb.emulator.place_call(number="+6281234500077", talk_time=0.3)
    await api.sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=8)
    await api.sb.settled()
    [incident] = (await api.json("GET", "/api/incidents", api.supervisor))["items"]
    expected = [s.value for s in IncidentStatus if s in TRANSITIONS[IncidentStatus(incident["status"])]]
    assert incident["allowed_transitions"] == expected
    moved = await api.json("POST", f"/api/incidents/{incident['id']}/status", api.supervisor, json={"status": "closed"})
    assert moved["incident"]["allowed_transitions"] == []
