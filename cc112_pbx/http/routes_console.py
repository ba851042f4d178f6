"""The browser console (issue 16): its page at `/`, its files under `/static/`, and the few settings
it needs before anyone logs in (`GET /api/console`: language, time zone, map tiles). All public:
nothing here is secret, and everything the console shows comes from the authenticated API.

Every response of the API carries a strict Content-Security-Policy (scripts and styles from this
origin only, no inline script, no framing); the console's own files are revalidated on every load
(`no-cache` with an ETag-like Last-Modified) and the vendored, pinned libraries may be cached a day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from cc112_pbx.http.routing import Param, Route

STATIC_DIR = Path(__file__).parent / "static"
INDEX = STATIC_DIR / "index.html"
VENDOR_PREFIX = "vendor/"
LANGUAGES = ("id", "en")


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    language: str = "id"
    time_zone: str = "Asia/Jakarta"
    map_tile_url: str = ""
    map_attribution: str = ""

    @classmethod
    def of(cls, settings: Any | None) -> ConsoleConfig:
        """From the `[http]` settings (or anything with the same attributes); defaults without."""
        if settings is None:
            return cls()
        return cls(language=getattr(settings, "console_language", "id"),
                   time_zone=getattr(settings, "time_zone", "Asia/Jakarta"),
                   map_tile_url=getattr(settings, "map_tile_url", ""),
                   map_attribution=getattr(settings, "map_attribution", ""))

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "languages": list(LANGUAGES), "time_zone": self.time_zone,
                "map": {"tile_url": self.map_tile_url or None, "attribution": self.map_attribution,
                        "center": [-6.9903, 110.4229], "zoom": 13}}

    def content_security_policy(self) -> str:
        tiles = ""
        if self.map_tile_url:
            parts = urlsplit(self.map_tile_url.replace("{s}", "a"))
            host = parts.netloc.replace("a.", "*.", 1) if "{s}" in self.map_tile_url else parts.netloc
            tiles = f" {parts.scheme}://{host}"
        return ("default-src 'self'; script-src 'self'; style-src 'self'; "
                f"img-src 'self' data: blob:{tiles}; media-src 'self' blob:; connect-src 'self'; "
                "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


CONSOLE: web.AppKey[ConsoleConfig] = web.AppKey("console", ConsoleConfig)


@web.middleware
async def security_headers(request: web.Request,
                           handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _secure(request, exc)
        raise
    _secure(request, response)
    return response


def _secure(request: web.Request, response: web.StreamResponse) -> None:
    if response.prepared:  # a WebSocket or a file already under way
        return
    headers = response.headers
    headers.setdefault("Content-Security-Policy", request.app[CONSOLE].content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(INDEX, headers={"Content-Type": "text/html; charset=utf-8",
                                            "Cache-Control": "no-cache"})


async def static(request: web.Request) -> web.StreamResponse:
    """The console's files; nothing but what is inside the static directory."""
    relative = request.match_info["path"]
    path = await asyncio.to_thread(_static_file, relative)
    if path is None:
        raise web.HTTPNotFound(reason=f"no static file {relative!r}")
    cache = "public, max-age=86400" if relative.startswith(VENDOR_PREFIX) else "no-cache"
    headers = {"Cache-Control": cache}
    if path.suffix == ".js":
        headers["Content-Type"] = "text/javascript; charset=utf-8"
    return web.FileResponse(path, headers=headers)


def _static_file(relative: str) -> Path | None:
    path = (STATIC_DIR / relative).resolve()
    return path if path.is_relative_to(STATIC_DIR.resolve()) and path.is_file() else None


async def console_config(request: web.Request) -> web.Response:
    return web.json_response(request.app[CONSOLE].to_dict(), headers={"Cache-Control": "no-cache"})


CONFIG = {"type": "object", "required": ["language", "languages", "time_zone", "map"], "properties": {
    "language": {"enum": list(LANGUAGES)}, "languages": {"type": "array", "items": {"type": "string"}},
    "time_zone": {"type": "string", "example": "Asia/Jakarta"},
    "map": {"type": "object", "properties": {"tile_url": {"type": ["string", "null"]},
                                             "attribution": {"type": "string"},
                                             "center": {"type": "array", "items": {"type": "number"}},
                                             "zoom": {"type": "integer"}}}}}

ROUTES = (
    Route("GET", "/", index, "The console (plain ES modules; log in with a password or `/#token=TOKEN`)",
          "public", "console", response={"type": "string"}, content_type="text/html", errors=()),
    Route("GET", "/static/{path}", static, "The console's static files (nested paths allowed)", "public",
          "console", params=(Param("path", "path", required=True),),
          response={"type": "string", "format": "binary"}, content_type="application/octet-stream",
          errors=(404,), match="/static/{path:.+}"),
    Route("GET", "/api/console", console_config, "The console's settings: default language, time zone, map "
          "tiles (from `[http]`)", "public", "console", response=CONFIG, errors=()),
)
