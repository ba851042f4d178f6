"""`cc112 demo --stay --json` prints the API's URL and an admin token on stderr; the token works
and every documented route but the public ones refuses a request without it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

import aiohttp
import pytest

from cc112_pbx.http.openapi import all_routes
from tests.api.test_auth_and_roles import PUBLIC, concrete


@pytest.mark.slow
async def test_demo_prints_a_working_token_and_stays_until_interrupted(tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cc112_pbx", "demo", "--calls", "4", "--seats", "2", "--json", "--stay",
        "--workdir", str(tmp_path / "demo"), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        async with asyncio.timeout(60):
            while True:
                line = (await proc.stderr.readline()).decode()
                assert line, "the demo ended without printing the API line"
                if line.startswith("api "):
                    break
        url, token = line.split()[1], line.split("token=")[1].strip()
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http:
            async with http.get(url + "/api/me", headers={"Authorization": f"Bearer {token}"}) as r:
                assert r.status == 200 and (await r.json())["role"] == "admin"
            for route in all_routes():
                if (route.method, route.path) not in PUBLIC:
                    async with http.request(route.method, url + concrete(route.path)) as r:
                        assert r.status == 401, (route.method, route.path)
            summary = json.loads(await asyncio.wait_for(proc.stdout.readline(), 60))  # the scenario is over
            assert summary["calls"] in (4, 5)  # 5: the scenario's repeat caller called again
            assert {"aml_matched", "prank_tagged", "silent_emergencies"} <= summary.keys()  # issue 19
            async with http.get(url + "/api/live", headers={"Authorization": f"Bearer {token}"}) as r:
                assert r.status == 200 and len((await r.json())["seats"]) == 2  # still running
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
