"""Access to the Asterisk 22.10.1 traces copied into tests/fixtures/asterisk-traces/."""

from __future__ import annotations

import json
from pathlib import Path

TRACES = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk-traces"


def ari_records(name: str) -> list[dict]:
    with (TRACES / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def ws_frames(name: str, ws: str | None = None) -> list[str]:
    """The raw WebSocket frames of a trace, optionally only those of one socket label."""
    return [r["raw"] for r in ari_records(name) if r["kind"] == "ws_event" and (ws is None or r["ws"] == ws)]


def rest_body(name: str, method: str, path: str, nth: int = 0) -> tuple[int, str]:
    """(status, raw body) of the nth response to `method path` in a trace."""
    hits = [r for r in ari_records(name)
            if r["kind"] == "rest_response" and r["method"] == method and r["path"] == path]
    return hits[nth]["status"], hits[nth]["body_raw"]


def ami_bytes(name: str) -> bytes:
    return (TRACES / name).read_bytes()


def ami_messages(name: str) -> list[bytes]:
    """The messages of an .rx.bin trace, each with its terminating blank line (banner excluded)."""
    data = ami_bytes(name)
    _banner, _, rest = data.partition(b"\r\n")
    return [m + b"\r\n\r\n" for m in rest.split(b"\r\n\r\n") if m.strip()]


def rest_error(name: str, method: str, path: str, status: int) -> str:
    """The raw body of the first `status` answer to `method path` in a trace."""
    return next(r["body_raw"] for r in ari_records(name) if r["kind"] == "rest_response"
                and (r["method"], r["path"], r["status"]) == (method, path, status))
