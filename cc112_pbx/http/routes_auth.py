"""Login, logout, who am I, and users and tokens (admins)."""

from __future__ import annotations

from aiohttp import web

from cc112_pbx.http.auth import TOKEN, client_address, principal
from cc112_pbx.http.errors import json_body
from cc112_pbx.http.routing import ARRAY, PATH_ID, Route, int_param, services
from cc112_pbx.services.access import ADMIN_ONLY, require
from cc112_pbx.services.api_errors import FieldProblem, Invalid
from cc112_pbx.services.auth_service import parse_ttl

LOGIN_BODY = {"type": "object", "required": ["username", "password"],
              "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}
LOGIN_RESPONSE = {"type": "object", "required": ["token", "expires_at", "user"],
                  "properties": {"token": {"type": "string"}, "token_id": {"type": "integer"},
                                 "expires_at": {"type": "string"}, "user": {"$ref": "#/components/schemas/Me"}}}
USER_BODY = {"type": "object", "required": ["username", "role", "password"],
             "properties": {"username": {"type": "string"}, "role": {"enum": ["admin", "supervisor", "call_taker"]},
                            "password": {"type": "string"}, "seat": {"type": ["string", "null"]}}}
USER_PATCH = {"type": "object", "properties": {"disabled": {"type": "boolean"}, "seat": {"type": ["string", "null"]},
                                               "password": {"type": "string"}}}
TOKEN_BODY = {"type": "object", "properties": {"ttl": {"type": "string", "example": "30d"},
                                               "label": {"type": "string"}}}


async def login(request: web.Request) -> web.Response:
    body = await json_body(request)
    username, password = (body.get("username"), body.get("password")) if isinstance(body, dict) else (None, None)
    problems = [FieldProblem(n, "is required (text)") for n, v in (("username", username), ("password", password))
                if not isinstance(v, str) or not v]
    if problems:
        raise Invalid(problems)
    return web.json_response(await services(request).auth.login(username, password, client_address(request)))


async def logout(request: web.Request) -> web.Response:
    await services(request).auth.logout(principal(request), request[TOKEN])
    return web.Response(status=204)


async def me(request: web.Request) -> web.Response:
    return web.json_response(principal(request).to_dict())


async def list_users(request: web.Request) -> web.Response:
    require(principal(request), ADMIN_ONLY)
    return web.json_response(await services(request).auth.list_users())


async def add_user(request: web.Request) -> web.Response:
    who = principal(request)
    require(who, ADMIN_ONLY)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise Invalid([FieldProblem("body", "must be a JSON object")])
    user = await services(request).auth.add_user(who.username, body.get("username"), body.get("role"),
                                                 body.get("password"), body.get("seat"))
    return web.json_response(user, status=201)


async def update_user(request: web.Request) -> web.Response:
    who = principal(request)
    require(who, ADMIN_ONLY)
    user_id = int_param(request, "user_id")
    body = await json_body(request)
    if not isinstance(body, dict):
        raise Invalid([FieldProblem("body", "must be a JSON object")])
    problems = [FieldProblem(k, "not a user field") for k in body if k not in ("disabled", "seat", "password")]
    if "disabled" in body and not isinstance(body["disabled"], bool):
        problems.append(FieldProblem("disabled", "must be true or false"))
    if "seat" in body and body["seat"] is not None and not isinstance(body["seat"], str):
        problems.append(FieldProblem("seat", "a seat id or null"))
    if "password" in body and not isinstance(body["password"], str):
        problems.append(FieldProblem("password", "must be text"))
    if problems:
        raise Invalid(problems)
    user = await services(request).auth.update_user(
        who.username, user_id, disabled=body.get("disabled"), seat_id=body.get("seat", ...),
        password=body.get("password"))
    return web.json_response(user)


async def issue_token(request: web.Request) -> web.Response:
    who = principal(request)
    require(who, ADMIN_ONLY)
    user_id = int_param(request, "user_id")
    body = await json_body(request)
    body = body if isinstance(body, dict) else {}
    try:
        ttl = parse_ttl(str(body.get("ttl", "30d")))
    except ValueError as exc:
        raise Invalid([FieldProblem("ttl", str(exc))]) from None
    auth = services(request).auth
    user = await auth.users.get(user_id)
    if user is None:
        from cc112_pbx.services.api_errors import NotFound

        raise NotFound(f"user {user_id} not found")
    label = body.get("label", "api")
    return web.json_response(await auth.issue_token(who.username, user.username, ttl, str(label)[:128]),
                             status=201)


async def revoke_token(request: web.Request) -> web.Response:
    who = principal(request)
    require(who, ADMIN_ONLY)
    return web.json_response(await services(request).auth.revoke_token(who.username, int_param(request, "token_id")))


ROUTES = (
    Route("POST", "/api/login", login, "Log in with a username and password: a bearer token (shown once)",
          "public", "auth", body=LOGIN_BODY, response=LOGIN_RESPONSE, errors=(400, 401, 422, 429),
          description="Failed logins are limited per username and per client address (429 with Retry-After)."),
    Route("POST", "/api/logout", logout, "Revoke the token this request carries", "everyone", "auth", ok=204,
          response=None, errors=(401,)),
    Route("GET", "/api/me", me, "Who the token belongs to: username, role, seat", "everyone", "auth",
          response={"$ref": "#/components/schemas/Me"}, errors=(401,)),
    Route("GET", "/api/users", list_users, "Every API user", "admin", "users", response=ARRAY, errors=(401, 403)),
    Route("POST", "/api/users", add_user, "Create a user (a call taker needs a seat)", "admin", "users", ok=201,
          body=USER_BODY, errors=(400, 401, 403, 409, 422)),
    Route("PATCH", "/api/users/{user_id}", update_user, "Disable or enable a user, change their seat or password",
          "admin", "users", params=(PATH_ID("user_id"),), body=USER_PATCH),
    Route("POST", "/api/users/{user_id}/tokens", issue_token, "Issue a token for a user (shown once; expires)",
          "admin", "users", ok=201, params=(PATH_ID("user_id"),), body=TOKEN_BODY),
    Route("DELETE", "/api/tokens/{token_id}", revoke_token, "Revoke a token", "admin", "users",
          params=(PATH_ID("token_id"),)),
)
