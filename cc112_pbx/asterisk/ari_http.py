"""ARI over HTTP: one aiohttp session, timeouts, error mapping and bounded retries.

`AriTransport.request()` is the only place that sees HTTP statuses. A request marked
`idempotent` is retried (a bounded number of times, short backoff) after a 5xx, a timeout or
a dropped connection; with `gone_ok_on_retry` a 404 on a *retry* means the first attempt
did the job (a DELETE whose response was lost). Nothing else is ever retried.
"""

from __future__ import annotations

import asyncio
import base64
import json as jsonlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import aiohttp
import structlog
import yarl

from cc112_pbx.asterisk import errors as e

log = structlog.get_logger(__name__)

Params = Mapping[str, str | int | float | bool | None]


def api_root(base_url: str) -> str:
    """"http://127.0.0.1:8088" or ".../ari" or ".../ari/" -> "http://127.0.0.1:8088/ari"."""
    root = base_url.rstrip("/")
    return root if root.endswith("/ari") else f"{root}/ari"


def path_of(*segments: str) -> str:
    """Join path segments, each percent-encoded (ids may hold `/`, `:` or `@`)."""
    return "/" + "/".join(quote(str(s), safe="") for s in segments)


def basic_auth(user: str, password: str) -> str:
    """The Authorization header value (aiohttp 3.14 deprecates BasicAuth; ARI takes Basic auth)."""
    if ":" in user:
        raise ValueError("an ARI user name cannot contain ':'")
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def clean_params(params: Params | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def error_message(body: object, fallback: str) -> str:
    """ARI error bodies say `{"message": ...}`, except `{"error": "Allocation failed"}`."""
    if isinstance(body, Mapping):
        for key in ("message", "error"):
            if isinstance(body.get(key), str):
                return body[key]
    return fallback


def error_for(status: int, body: object, method: str, path: str, reason: str) -> e.AriError:
    """Map an ARI error status and body to the project's exception."""
    message = error_message(body, reason or f"HTTP {status}")
    kw = {"status": status, "method": method, "path": path}
    lowered = message.lower()
    if status == 400:
        return e.BadRequest(message, **kw)
    if status in (401, 403):
        return e.Unauthorized(message, **kw)
    if status == 404:
        if "channel not found" in lowered:
            return e.NoSuchChannel(message, **kw)
        if "bridge not found" in lowered:
            return e.NoSuchBridge(message, **kw)
        return e.NotFound(message, **kw)
    if status in (409, 412):
        return (e.ChannelNotInStasis if "not in stasis" in lowered else e.Conflict)(message, **kw)
    if status == 422:
        return e.Unprocessable(message, **kw)
    if status >= 500 and "allocation failed" in lowered:
        return e.AllocationFailed(message, **kw)
    if status >= 500:
        return e.ServerError(message, **kw)
    return e.AriError(message, **kw)


class AriTransport:
    """The HTTP half of ARI. Owns the aiohttp session (also used for the event WebSocket)."""

    def __init__(self, base_url: str, user: str, password: str, *, request_timeout: float = 5.0,
                 connect_timeout: float | None = None, retries: int = 2, retry_delay: float = 0.1,
                 pool_size: int = 20) -> None:
        self.base_url = base_url.rstrip("/")
        self.root = api_root(base_url)
        self.user = user
        self.auth_header = basic_auth(user, password)
        connect = connect_timeout or request_timeout
        self.timeout = aiohttp.ClientTimeout(total=request_timeout, connect=connect)
        self.request_timeout = request_timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self.pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            raise e.AsteriskUnavailable(f"ARI client for {self.base_url} is not open")
        return self._session

    def open(self) -> None:
        if self._session is None or self._session.closed:
            # idle sockets are closed by us (10 s) before Asterisk's own session_inactivity (30 s)
            connector = aiohttp.TCPConnector(limit=self.pool_size, keepalive_timeout=10.0)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout,
                                                  headers={"Authorization": self.auth_header})
            # aiohttp silently repeats a GET/DELETE once when a kept-alive socket turns out dead;
            # retries must be ours alone, or "404 on a retry means done" could not be told apart
            # from "404: it never existed". (Private flag; absent on old aiohttp: then harmless.)
            self._session._retry_connection = False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(self, method: str, path: str, *, params: Params | None = None,
                      json: object = None, idempotent: bool = False, gone_ok_on_retry: bool = False) -> Any:
        """Send one ARI request; return the decoded JSON body (None for 204)."""
        attempts = 1 + (self.retries if idempotent else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                return await self._once(method, path, params, json)
            except (e.ServerError, e.ConnectionLost, e.AsteriskTimeout) as exc:
                if last:
                    raise
                log.warning("ari_request_retry", method=method, path=path, attempt=attempt + 1,
                            error=str(exc))
                await asyncio.sleep(self.retry_delay * 2**attempt)
            except e.NotFound:
                if gone_ok_on_retry and attempt > 0:
                    return None  # the lost first attempt did it
                raise
            except e.Conflict as exc:
                exc.retried = attempt > 0
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(self, method: str, path: str, params: Params | None, json: object) -> Any:
        url = yarl.URL(self.root + path, encoded=True)
        try:
            async with self.session.request(method, url, params=clean_params(params), json=json) as resp:
                raw = await resp.read()
                body = _decode(raw, resp.content_type)
                if resp.status >= 300:
                    raise error_for(resp.status, body, method, path, resp.reason or "")
                if resp.status == 204 or not raw:
                    return None
                if body is _UNREADABLE:
                    raise e.BadResponse(f"{method} {path}: {resp.status} with a body that is not JSON")
                return body
        except TimeoutError as exc:
            raise e.AsteriskTimeout(
                f"ARI {method} {path} got no answer within {self.request_timeout:g}s") from exc
        except aiohttp.ClientConnectorError as exc:
            raise e.ConnectionLost(f"ARI at {self.base_url} is unreachable: {exc.os_error}") from exc
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            raise e.ConnectionLost(f"ARI {method} {path}: connection lost ({exc!r})") from exc


_UNREADABLE = object()


def _decode(raw: bytes, content_type: str) -> object:
    if not raw:
        return None
    try:
        return jsonlib.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _UNREADABLE
