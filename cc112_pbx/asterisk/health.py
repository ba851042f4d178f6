"""Connection health of the Asterisk links: each adapter sets its own `LinkHealth`; the app
holds the `AsteriskHealth` of both (the HTTP API's `/health` and supervisors' screen, still to
come, are meant to show it).

`AsteriskHealth.snapshot()` -> `{"ari": {"state": "connected", "since": "2026-11-29T08:00:00+00:00"},
"ami": {"state": "reconnecting", "since": ..., "detail": "connection refused"}}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class LinkState(StrEnum):
    STARTING = "starting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class LinkHealth:
    """The state of one link ("ari" or "ami") and since when it holds."""

    name: str
    state: LinkState = LinkState.STARTING
    since: datetime | None = None
    detail: str = ""
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        if self.since is None:
            self.since = self.clock()

    def set(self, state: LinkState, detail: str = "") -> bool:
        """Move to `state`; returns True when the state changed (the caller logs it once)."""
        if state == self.state:
            self.detail = detail or self.detail
            return False
        self.state = state
        self.since = self.clock()
        self.detail = detail
        return True

    @property
    def connected(self) -> bool:
        return self.state is LinkState.CONNECTED

    def snapshot(self) -> dict[str, str]:
        out = {"state": str(self.state), "since": self.since.isoformat() if self.since else ""}
        if self.detail:
            out["detail"] = self.detail
        return out


class AsteriskHealth:
    """The links of one controller, shared by the adapters (each owns its `LinkHealth`)."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.ari = LinkHealth("ari", clock=clock)
        self.ami = LinkHealth("ami", clock=clock)

    def snapshot(self) -> dict[str, dict[str, str]]:
        return {"ari": self.ari.snapshot(), "ami": self.ami.snapshot()}

    @property
    def all_connected(self) -> bool:
        return self.ari.connected and self.ami.connected
