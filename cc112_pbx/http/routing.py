"""Each route with what the OpenAPI document says of it, in one table per module (`ROUTES`):
the server registers them and `openapi.py` describes them, so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from cc112_pbx.services.api import ApiServices

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SERVICES: web.AppKey[ApiServices] = web.AppKey("services", ApiServices)

OBJECT: dict[str, Any] = {"type": "object"}
ARRAY: dict[str, Any] = {"type": "array", "items": {"type": "object"}}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    where: str = "query"  # or "path"
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    description: str = ""
    required: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    roles: str  # who may: "public", "everyone", "staff", "admin", "aml_sender" (details in the description)
    tag: str
    ok: int = 200
    response: dict[str, Any] | None = field(default_factory=lambda: dict(OBJECT))
    params: tuple[Param, ...] = ()
    body: dict[str, Any] | None = None
    body_type: str = "application/json"  # the request body's media type (AML: a form, an SMS text)
    errors: tuple[int, ...] = (400, 401, 403, 404, 422)
    content_type: str = "application/json"
    description: str = ""
    other_responses: dict[int, dict[str, Any]] = field(default_factory=dict)  # status: schema (not an error)
    match: str | None = None  # what the router matches when it differs from `path` (e.g. `{path:.+}`)


def services(request: web.Request) -> ApiServices:
    return request.app[SERVICES]


def int_param(request: web.Request, name: str) -> int:
    from cc112_pbx.services.api_errors import NotFound

    text = request.match_info[name]
    if not text.isdigit() or len(text) > 18:
        raise NotFound(f"no such {name.removesuffix('_id')}: {text!r}")
    return int(text)


def PATH_ID(name: str) -> Param:
    return Param(name, "path", {"type": "integer", "minimum": 1}, required=True)


PAGE = (Param("limit", schema={"type": "integer", "minimum": 1, "maximum": 200}),
        Param("offset", schema={"type": "integer", "minimum": 0}))
