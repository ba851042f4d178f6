"""ARI JSON shapes: the Channel model, the event envelope, error bodies."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from .core import Core, ari_time
from .core.model import ARI_CHANNEL_KEYS

ASTERISK_VERSION = "22.10.1"


def channel_json(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The ARI Channel model from a core snapshot (drops the core's extra keys)."""
    return {key: snapshot[key] for key in ARI_CHANNEL_KEYS}


def envelope(core: Core, kind: str, *, at: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """An ARI event: `type`, `timestamp`, the fields, `asterisk_id` (`application` added per app)."""
    return {
        "type": kind,
        "timestamp": ari_time(at or core.now()),
        **fields,
        "asterisk_id": core.asterisk_id,
    }


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


def no_content() -> web.Response:
    return web.Response(status=204)


def error(status: int, message: str) -> web.Response:
    return json_response({"message": message}, status)


def asterisk_info(core: Core, started: datetime, reloaded: datetime) -> dict[str, Any]:
    return {
        "build": {"os": "Linux", "kernel": "emulated", "machine": "x86_64", "options": "OPTIONAL_API",
                  "date": started.strftime("%Y-%m-%d %H:%M:%S UTC"), "user": "cc112-emulator"},
        "system": {"version": ASTERISK_VERSION, "entity_id": core.asterisk_id},
        "config": {"name": "", "default_language": core.language,
                   "setid": {"user": "", "group": ""}},
        "status": {"startup_time": ari_time(started), "last_reload_time": ari_time(reloaded)},
    }
