"""The things every service of the controller shares, built once by `app.py`.

`ari` and `ami` are the adapters (`cc112_pbx.asterisk`), `db` the storage (`Database`), but
the services only use the few methods named in `ports.py`, so tests may hand in the real
adapters over the emulator or anything with those methods.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cc112_pbx.services.journal import Journal
from cc112_pbx.services.lanes import Lanes
from cc112_pbx.services.notifier import Notifier
from cc112_pbx.services.prompts import PromptPlan
from cc112_pbx.services.sessions import SessionRegistry


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ControllerOptions:
    """What the services read from settings (kept small so tests can build it directly)."""

    app: str = "cc112"
    recordings_dir: str = "/var/spool/asterisk/monitor/cc112"
    fallback_queue: str = "cc112-fallback"
    hold_announcement_interval: float = 30.0
    languages: tuple[str, ...] = ("id", "en")
    feature_login: str = "*11"
    feature_logout: str = "*12"
    feature_pause: str = "*13"
    seat_dial_strings: dict[str, str] = field(default_factory=dict)
    seat_caller_id: str = "CC112 <112>"

    @classmethod
    def from_settings(cls, settings: Any) -> ControllerOptions:
        queue = settings.queue
        return cls(
            app=settings.asterisk.ari_app,
            recordings_dir=str(settings.asterisk.recordings_dir),
            fallback_queue=settings.asterisk.fallback_queue,
            hold_announcement_interval=float(queue.hold_announcement_interval),
            languages=tuple(queue.languages),
            feature_login=queue.feature_login,
            feature_logout=queue.feature_logout,
            feature_pause=queue.feature_pause,
            seat_dial_strings={seat.id: seat.dial_string for seat in settings.seats},
        )


@dataclass(slots=True)
class Context:
    options: ControllerOptions
    ari: Any
    ami: Any
    db: Any
    journal: Journal
    notifier: Notifier
    lanes: Lanes = field(default_factory=Lanes)
    sessions: SessionRegistry = field(default_factory=SessionRegistry)
    wall: Callable[[], datetime] = utcnow
    monotonic: Callable[[], float] = field(default_factory=lambda: asyncio.get_running_loop().time)
    # have a channel the controller originated reported if it vanishes while ARI is disconnected
    watch: Callable[[str], None] = lambda channel_id: None

    @property
    def prompts(self) -> PromptPlan:
        return PromptPlan(self.options.languages)
