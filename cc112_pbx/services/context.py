"""What every service of the controller shares, built once by the composition root (`app.py`).

Every dependency is a port (`ports.py`): tests build a `Context` from fakes, production from
the Asterisk adapters and the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cc112_pbx.domain.call_tags import NuisanceNumbers
from cc112_pbx.services.facts import FactBus
from cc112_pbx.services.lanes import Lanes
from cc112_pbx.services.ports import CallControl, CallRecorder, Clock, DeviceStates, FallbackQueue, Store
from cc112_pbx.services.prompts import PromptPlan
from cc112_pbx.services.sessions import SessionRegistry


class SystemClock:
    """UTC wall time and the running event loop's monotonic time."""

    def wall(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return asyncio.get_running_loop().time()


@dataclass(frozen=True, slots=True)
class ControllerOptions:
    """What the services read from settings (kept small so tests can build it directly)."""

    app: str = "cc112"
    recordings_dir: str = "/var/spool/asterisk/monitor/cc112"
    hold_announcement_interval: float = 30.0
    languages: tuple[str, ...] = ("id", "en")
    feature_login: str = "*11"
    feature_logout: str = "*12"
    feature_pause: str = "*13"
    seat_dial_strings: dict[str, str] = field(default_factory=dict)
    seat_caller_id: str = "CC112 <112>"
    repeat_caller_window: float = 1800.0  # seconds: a citizen calling again joins their open incident
    ghost_call_threshold: float = 5.0  # seconds: shorter unanswered calls are ghost calls (0: never)
    silent_caller_prompt_after: float = 10.0  # seconds a connected caller is not heard before the 5 5 prompt


def _no_watch(channel_id: str) -> None:
    return None


@dataclass(slots=True)
class Context:
    options: ControllerOptions
    control: CallControl
    recorder: CallRecorder
    fallback: FallbackQueue
    devices: DeviceStates
    store: Store
    clock: Clock = field(default_factory=SystemClock)
    facts: FactBus = field(default_factory=FactBus)
    lanes: Lanes = field(default_factory=Lanes)
    sessions: SessionRegistry = field(default_factory=SessionRegistry)
    # have a channel the controller originated reported if it vanishes while the event stream is down
    watch: Callable[[str], None] = _no_watch
    # numbers with prank/abusive calls (issue 19): a call from a flagged number is flagged, never blocked
    nuisance: NuisanceNumbers = field(default_factory=NuisanceNumbers)

    @property
    def prompts(self) -> PromptPlan:
        return PromptPlan(self.options.languages)
