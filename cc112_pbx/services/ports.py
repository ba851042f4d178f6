"""What the services need from outside, and nothing more: one `Protocol` per role.

The services receive objects with these methods and never import an adapter: the Asterisk
adapters (`cc112_pbx.asterisk.call_control`, `.recorder`, `.fallback_queue`), the storage
(`cc112_pbx.storage.Database`) and the clock are wired in by the one composition root
(`cc112_pbx.app`); tests hand in the fakes of `tests/services/fakes.py`.

Errors a port raises are those of `cc112_pbx.domain.telephony_errors` (telephony ports) or any
exception (the store: the journal retries until the database answers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from cc112_pbx.domain.callbacks import CallbackPolicy
from cc112_pbx.domain.incident_status import IncidentStatus
from cc112_pbx.domain.repeat_caller import RecentIncident
from cc112_pbx.domain.telephony import ChannelSnapshot, DeviceStateSnapshot
from cc112_pbx.domain.timeline import TimelineEntry

# --- telephony -----------------------------------------------------------------------------------


class CallControl(Protocol):
    """Channels, bridges and prompts (ARI in production). Media is named by prompt, not by URI."""

    async def answer(self, channel_id: str) -> None: ...

    async def hang_up(self, channel_id: str) -> None:
        """Hang a channel up; a channel already gone is not an error."""

    async def play_prompt(self, channel_id: str, prompt: str, lang: str) -> str:
        """Start playing a prompt to one channel; returns the playback's id (its end is reported
        as a `PlaybackEnded` event)."""

    async def stop_playback(self, playback_id: str) -> None:
        """Stop a playback; one already finished is not an error."""

    async def start_music(self, channel_id: str) -> None: ...

    async def stop_music(self, channel_id: str) -> None: ...

    async def ring_seat(self, dial_string: str, *, seat_id: str, caller_id: str, timeout: int,
                        channel_id: str) -> None:
        """Place a call to a seat's phone that enters the controller's app when answered."""

    async def call_citizen(self, dial_string: str, *, call_id: str, caller_id: str, timeout: int,
                           channel_id: str) -> None:
        """Call a citizen back through the trunk; the leg enters the app when answered."""

    async def create_bridge(self, bridge_id: str, *, name: str, holding: bool = False) -> None:
        """A bridge in which channels talk (or, `holding`, one where callers wait)."""

    async def bridge_channels(self, bridge_id: str, channel_ids: Sequence[str]) -> None: ...

    async def destroy_bridge(self, bridge_id: str) -> None:
        """Destroy a bridge; one already gone is not an error."""

    async def channels_in_app(self) -> list[ChannelSnapshot]: ...


class CallRecorder(Protocol):
    """Recording of a whole call, both directions, into one file per call (MixMonitor)."""

    async def start(self, channel_name: str, path: str) -> None: ...

    async def current_path(self, channel_id: str) -> str | None:
        """The file the channel is being recorded to already (by a previous run), if any."""


class FallbackQueue(Protocol):
    """The telephony system's own queue that rings seats when the controller is gone."""

    async def add(self, interface: str, *, seat_id: str, paused: bool) -> None:
        """Raises `AlreadyQueueMember` when it is a member already."""

    async def pause(self, interface: str, *, paused: bool, reason: str) -> None: ...

    async def remove(self, interface: str) -> None:
        """Raises `NotQueueMember` when it is not a member."""


class DeviceStates(Protocol):
    async def device_state_list(self) -> list[DeviceStateSnapshot]: ...


# --- storage ---------------------------------------------------------------------------------------


class StoredCall(Protocol):
    id: str
    channel_id: str
    direction: str
    incident_id: int | None
    arrived_at: datetime
    connected_at: datetime | None
    ended_at: datetime | None


class StoredRecording(Protocol):
    id: int
    path: str


class StoredIncident(Protocol):
    id: int


class StoredSeat(Protocol):
    id: str
    logged_in: bool
    paused_reason: str | None


class CallRepository(Protocol):
    async def by_channel(self, channel_id: str) -> StoredCall | None: ...

    async def add(self, *, call_id: str, direction: str, channel_id: str, channel_name: str,
                  arrived_at: datetime, incident_id: int | None = None, seat_id: str | None = None,
                  peer_call_id: str | None = None, **extra: Any) -> object: ...

    async def mark_answered(self, call_id: str, at: datetime) -> object: ...

    async def mark_connected(self, call_id: str, at: datetime, *, seat_id: str, peer_call_id: str) -> object: ...

    async def end(self, call_id: str, at: datetime, outcome: str | None, cause: str | None = None) -> object: ...

    async def active(self) -> Sequence[StoredCall]: ...


class IncidentRepository(Protocol):
    async def open_for_call(self, *, call_id: str, channel_id: str, channel_name: str, arrived_at: datetime,
                            dialled: str, caller_number: str | None, caller_kind: str,
                            category_hint: str | None, no_callback: bool) -> tuple[StoredIncident, object]: ...

    async def update(self, incident_id: int, **fields: Any) -> object: ...

    async def link_repeat_call(self, *, incident_id: int, call_id: str, channel_id: str, channel_name: str,
                               arrived_at: datetime, dialled: str, caller_number: str,
                               caller_kind: str | None = None) -> tuple[StoredIncident, object, list[int]]: ...

    async def recent_for_number(self, number: str, since: datetime) -> Sequence[RecentIncident]: ...

    async def transition(self, incident_id: int, target: IncidentStatus | str, *, actor: str, at: datetime,
                         reason: str = "") -> object: ...

    async def change(self, incident_id: int, changes: Mapping[str, Any], *, actor: str, at: datetime) -> object: ...


class TimelineRepository(Protocol):
    async def append(self, incident_id: int, entries: Sequence[TimelineEntry], *, key: str | None = None) -> object:
        """Idempotent by `key`: a retried write adds nothing."""


class StoredCallback(Protocol):
    id: int


class CallbackRepository(Protocol):
    async def schedule(self, *, incident_id: int, reason: str, created_at: datetime, due_at: datetime,
                       number: str | None, call_id: str | None = None, seat_id: str | None = None,
                       dialable: bool = True, detail: str | None = None) -> StoredCallback: ...

    async def start_attempt(self, callback_id: int, at: datetime, *, seat_id: str | None = None,
                            call_id: str | None = None) -> StoredCallback: ...

    async def update_attempt(self, attempt_id: int, *, seat_id: str | None = None,
                             call_id: str | None = None) -> object: ...

    async def record_outcome(self, attempt_id: int, at: datetime, outcome: str, policy: CallbackPolicy,
                             *, cause: str | None = None) -> object: ...

    async def cancel(self, callback_id: int, at: datetime, *, actor: str, reason: str) -> object: ...


class RecordingRepository(Protocol):
    async def add(self, *, call_id: str, path: str, started_at: datetime) -> StoredRecording: ...

    async def finish(self, recording_id: int, ended_at: datetime) -> object: ...

    async def set_seat(self, recording_id: int, seat_id: str) -> object: ...

    async def for_call(self, call_id: str) -> Sequence[StoredRecording]: ...


class SeatRepository(Protocol):
    async def all(self) -> Sequence[StoredSeat]: ...

    async def set_logged_in(self, seat_id: str, logged_in: bool, at: datetime) -> object: ...

    async def set_paused(self, seat_id: str, reason: str | None, at: datetime) -> object: ...


class AuditRepository(Protocol):
    async def record(self, actor: str, action: str, details: Mapping[str, Any] | None = None,
                     at: datetime | None = None) -> object: ...


class Store(Protocol):
    """The database, one repository per kind of record (`cc112_pbx.storage.Database`)."""

    @property
    def calls(self) -> CallRepository: ...

    @property
    def incidents(self) -> IncidentRepository: ...

    @property
    def recordings(self) -> RecordingRepository: ...

    @property
    def seats(self) -> SeatRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def timeline(self) -> TimelineRepository: ...

    @property
    def callbacks(self) -> CallbackRepository: ...


# --- time and people ---------------------------------------------------------------------------------


class Clock(Protocol):
    def wall(self) -> datetime:
        """Now, UTC (what is stored)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (what the ACD core and timers use)."""


class Notices(Protocol):
    """Plain-dict notices for people (demo output, the API's event stream)."""

    def publish(self, kind: str, **fields: Any) -> None: ...
