"""An emulator, the controller and its HTTP API on a free loopback port, with a client per role."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
import pytest

from cc112_pbx.harness import Switchboard


@dataclass
class Api:
    sb: Switchboard
    http: aiohttp.ClientSession
    admin: str
    supervisor: str
    taker: str  # call taker at seat01
    other_taker: str  # call taker at seat02

    @property
    def url(self) -> str:
        return self.sb.api_url

    def request(self, method: str, path: str, token: str | None = None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, self.url + path, headers=headers, **kwargs)

    async def json(self, method: str, path: str, token: str | None, expect: int = 200, **kwargs):
        async with self.request(method, path, token, **kwargs) as response:
            body = await response.json(content_type=None) if response.status != 204 else None
            assert response.status == expect, (response.status, body)
            return body


@pytest.fixture
async def api(tmp_path):
    async with Switchboard(tmp_path, seats=3, api=True, queue={"wrapup_time": 0}) as sb:
        async with aiohttp.ClientSession() as http:
            yield Api(
                sb, http,
                admin=await sb.api_token("adi", "admin"),
                supervisor=await sb.api_token("sri", "supervisor"),
                taker=await sb.api_token("tono", "call_taker", seat="seat01"),
                other_taker=await sb.api_token("tini", "call_taker", seat="seat02"),
            )
