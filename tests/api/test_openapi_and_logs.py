"""The OpenAPI document matches the routes the server registers; secrets never reach a log."""

from __future__ import annotations

import logging

import jsonschema
import structlog
from aiohttp import web

from cc112_pbx.http.openapi import document
from cc112_pbx.http.server import build_app


def test_every_registered_route_is_in_the_document_and_vice_versa(api):
    app: web.Application = api.sb.app.api_server.app
    registered = {(r.method, r.resource.canonical) for r in app.router.routes() if r.method != "HEAD"}
    described = {(method.upper(), path) for path, ops in document()["paths"].items() for method in ops}
    assert registered == described
    again = build_app(api.sb.app.api)
    assert {(r.method, r.resource.canonical) for r in again.router.routes() if r.method != "HEAD"} == described


def test_the_document_is_valid_openapi_3_1_shaped_and_names_its_security(api):
    doc = document()
    assert doc["openapi"].startswith("3.1") and doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["responses"] and op["summary"], (method, path)
            for response in op["responses"].values():
                for media in response.get("content", {}).values():
                    jsonschema.Draft202012Validator.check_schema(media["schema"])


async def test_the_document_is_served_with_a_token(api):
    served = await api.json("GET", "/api/openapi.json", api.taker)
    assert served["paths"].keys() == document()["paths"].keys()


async def test_passwords_tokens_and_the_authorization_header_never_reach_the_logs(api, caplog):
    password = "sangat-rahasia-123"
    await api.sb.api_token("rina", "supervisor", password=password)
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as logs:
        answer = await api.json("POST", "/api/login", None, json={"username": "rina", "password": password})
        token = answer["token"]
        await api.json("POST", "/api/login", None, expect=401, json={"username": "rina", "password": "salah-123"})
        await api.json("GET", "/api/me", token)
        await api.json("GET", "/api/me", "Bearer-garbage-token", expect=401)
        await api.json("POST", "/api/users", api.admin, expect=201,
                       json={"username": "rudi", "role": "admin", "password": "rudi-password-9"})
        async with api.http.ws_connect(api.url + f"/api/events?access_token={token}") as ws:
            await ws.receive_json(timeout=5)
        await api.json("POST", "/api/logout", token, expect=204)
    everything = repr(logs) + caplog.text
    assert any(e["event"] == "api_login" for e in logs) and any(e["event"] == "api_login_failed" for e in logs)
    for secret in (password, "salah-123", token, api.admin, "rudi-password-9", "Bearer-garbage-token"):
        assert secret not in everything
    assert "Authorization" not in everything
