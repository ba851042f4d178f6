"""Shared pieces of the ARI REST handlers: parameters, error mapping, the server state."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from .ari_apps import AriApplications
from .ari_control import StasisControls
from .ari_media import AriMedia
from .ari_models import error, json_response
from .core import Channel, Core, CoreError

ERROR_STATUS = {"not_found": 404, "conflict": 409, "unprocessable": 422, "bad_request": 400}
NOT_IN_STASIS = "Channel not in Stasis application"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(eq=False)
class AriState:
    core: Core
    apps: AriApplications
    media: AriMedia
    started: datetime
    created: dict[str, Any] = field(default_factory=dict)  # channel id -> OriginateResult not yet dialled
    device_states: dict[str, str] = field(default_factory=dict)  # Stasis:<name> -> state
    controls: StasisControls | None = None  # each Stasis channel's command queue (ari_control)

    def control(self) -> StasisControls:
        if self.controls is None:
            self.controls = self.media.controls
        return self.controls


STATE_KEY: web.AppKey[AriState] = web.AppKey("ari_state", AriState)


def state(request: web.Request) -> AriState:
    return request.app[STATE_KEY]


async def params(request: web.Request) -> dict[str, Any]:
    """Query parameters merged with a JSON body (ARI accepts both; `variables` lives in the body)."""
    merged: dict[str, Any] = {}
    for key in request.query:
        values = request.query.getall(key)
        merged[key] = values[0] if len(values) == 1 else values
    if request.can_read_body and request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError as err:
            raise CoreError("bad_request", f"Invalid JSON body: {err}") from err
        if isinstance(body, dict):
            merged.update(body)
    return merged


def as_list(value: Any) -> list[str]:
    """`a,b` or a repeated parameter -> [a, b]."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [part for item in items for part in str(item).split(",") if part != ""]


def as_bool(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "on")


def as_number(value: Any, default: float, name: str) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError) as err:
        raise CoreError("bad_request", f"Invalid value for {name}: {value}") from err


def stasis_channel(request: web.Request) -> Channel:
    """The channel in the path, which must exist (404) and be in a Stasis app (409)."""
    channel = state(request).core.get_channel(request.match_info["channel_id"])
    if channel.stasis_app is None:
        raise CoreError("conflict", NOT_IN_STASIS)
    return channel


def core_errors(handler: Handler) -> Handler:
    """Turn CoreError into ARI's status codes and bodies."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except CoreError as err:
            if err.kind == "allocation_failed":
                return json_response({"error": err.message}, 500)
            return error(ERROR_STATUS.get(err.kind, 500), err.message)

    wrapped.__name__ = handler.__name__
    return wrapped
