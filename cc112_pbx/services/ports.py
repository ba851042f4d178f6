"""What the services need from outside, and nothing more: one `Protocol` per role.

The services receive objects with these methods and never import an adapter: the Asterisk
adapters (`cc112_pbx.asterisk.call_control`, `.recorder`, `.fallback_queue`), the storage
(`cc112_pbx.storage.Database`) and the clock are wired in by the one composition root
(`cc112_pbx.app`); tests hand in the fakes of `tests/services/fakes.py`.

Errors a port raises are those of `cc112_pbx.domain.telephony_errors` (telephony ports) or any
exception (the store: the journal retries until the database answers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cc112_pbx.domain.callbacks import CallbackPolicy
from cc112_pbx.domain.incident_status import IncidentStatus
from cc112_pbx.domain.repeat_caller import RecentIncident
from cc112_pbx.domain.telephony import ChannelSnapshot, DeviceStateSnapshot, QueueMemberSnapshot
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

    async def detect_talking(self, channel_id: str) -> None:
        """Report when the person on this channel talks (`TalkingChanged` events)."""

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

    async def list_members(self) -> list[QueueMemberSnapshot]:
        """Who is in the queue now (seats that logged in with `*11` while no controller ran)."""


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

    async def for_calls(self, call_ids: list[str]) -> Mapping[str, Sequence[StoredRecording]]: ...


class SeatRepository(Protocol):
    async def all(self) -> Sequence[StoredSeat]: ...

    async def set_logged_in(self, seat_id: str, logged_in: bool, at: datetime) -> object: ...

    async def set_paused(self, seat_id: str, reason: str | None, at: datetime) -> object: ...


class AuditRepository(Protocol):
    async def record(self, actor: str, action: str, details: Mapping[str, Any] | None = None,
                     at: datetime | None = None) -> object: ...


class CallTagStore(Protocol):
    """Calls tagged prank, abusive, ghost or silent (issue 19); records have `call_id`, `tag`,
    `number`, `actor`, `at`, `incident_id`."""

    async def add(self, *, call_id: str, tag: str, actor: str, at: datetime, incident_id: int | None = None,
                  number: str | None = None) -> tuple[Any, bool]:
        """`(record, created)`: idempotent per call and tag."""

    async def remove(self, call_id: str, tag: str) -> Any | None: ...

    async def for_call(self, call_id: str) -> Sequence[Any]: ...

    async def between(self, since: datetime, until: datetime, tags: Iterable[str] | None = None) -> Sequence[Any]: ...


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

    @property
    def call_tags(self) -> CallTagStore: ...


# --- leadership of an active/standby pair (issue 21) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeaderInfo:
    """Who leads the pair, as the leadership row says (`url`: its API as clients reach it)."""

    epoch: int
    holder: str
    url: str


class LeaderLock(Protocol):
    """The database's leadership lock and fencing token (`cc112_pbx.storage.leadership.PgLeaderLock`):
    a session advisory lock held on a connection of its own, and the `leadership` row's epoch."""

    async def try_acquire(self) -> int | None:
        """Take the lock if free and bump the epoch: the new epoch; None while another holds it (or the
        database cannot be reached)."""

    async def still_held(self, epoch: int) -> bool:
        """True while our lock's session is alive and the row's epoch is still `epoch` (one round trip)."""

    async def leader(self) -> LeaderInfo | None:
        """The leadership row as last seen (None: not known)."""

    async def release(self) -> None:
        """Unlock and close the connection (idempotent)."""


class ActingGate(Protocol):
    """What the controller's loop asks before it acts (`cc112_pbx.services.leadership.Leadership`)."""

    async def admit(self) -> None:
        """Return when this controller may handle the next item; raise when it must stop acting."""

    def check_soon(self) -> None:
        """Check the leadership at once (another client took the Stasis app)."""


class WriteFence(Protocol):
    """Refuses the database writes of a controller that does not lead (`cc112_pbx.storage.leadership.Fence`)."""

    def arm(self, epoch: int | None) -> None:
        """From now on a write commits only while the row's epoch is `epoch` (None: every write refused)."""


# --- time and people ---------------------------------------------------------------------------------


class Clock(Protocol):
    def wall(self) -> datetime:
        """Now, UTC (what is stored)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (what the ACD core and timers use)."""


class Notices(Protocol):
    """Plain-dict notices for people (demo output, the API's event stream)."""

    def publish(self, kind: str, **fields: Any) -> None: ...


# --- HTTP API (issue 14) ---------------------------------------------------------------------------
# What the API's services (`auth_service`, `queue_config_service`, `incident_service`, ...) need of
# the database; `cc112_pbx.storage.Database`'s repositories fit them structurally. Records come back
# as the storage's frozen dataclasses: the services read their attributes and never import them.


class ApiUserStore(Protocol):
    async def create(self, username: str, password: str, role: str, at: datetime | None = None, *,
                     seat_id: str | None = None) -> Any: ...

    async def get(self, user_id: int) -> Any | None: ...

    async def by_username(self, username: str) -> Any | None: ...

    async def all(self) -> Sequence[Any]: ...

    async def authenticate(self, username: str, password: str) -> Any | None:
        """The enabled user when the password matches (upgrading an old hash), else None."""

    async def set_disabled(self, user_id: int, disabled: bool) -> Any: ...

    async def set_seat(self, user_id: int, seat_id: str | None) -> Any: ...

    async def set_password(self, user_id: int, password: str) -> None: ...

    async def issue_token(self, user_id: int, *, label: str = "", ttl: Any = None,
                          at: datetime | None = None) -> tuple[str, Any]: ...

    async def user_for_token(self, token: str, now: datetime | None = None) -> Any | None: ...

    async def token(self, token_id: int) -> Any | None: ...

    async def revoke_token(self, token_id: int, at: datetime | None = None) -> Any: ...

    async def revoke_by_token(self, token: str, at: datetime | None = None) -> bool: ...

    async def tokens(self, user_id: int) -> Sequence[Any]: ...


class QueueConfigStore(Protocol):
    async def current(self) -> Any | None: ...

    async def get(self, version: int) -> Any | None: ...

    async def save(self, settings: Mapping[str, Any], author: str, at: datetime | None = None) -> Any: ...

    async def history(self, limit: int = 20) -> Sequence[Any]: ...


class AuditStore(Protocol):
    async def record(self, actor: str, action: str, details: Mapping[str, Any] | None = None,
                     at: datetime | None = None) -> Any: ...

    async def recent(self, limit: int = 100, *, action: str | None = None,
                     actor: str | None = None) -> Sequence[Any]: ...


class IncidentStore(Protocol):
    async def get(self, incident_id: int) -> Any | None: ...

    async def search(self, **filters: Any) -> Any:
        """A page: `.items`, `.total`, `.limit`, `.offset`."""

    async def change(self, incident_id: int, changes: Mapping[str, Any], *, actor: str,
                     at: datetime) -> tuple[Any, Sequence[Any]]:
        """Raises the domain's `InvalidChanges`."""

    async def transition(self, incident_id: int, target: str, *, actor: str, at: datetime,
                         reason: str = "") -> tuple[Any, Sequence[Any]]:
        """Raises the domain's `IllegalTransition`."""


class TimelineStore(Protocol):
    async def for_incident(self, incident_id: int) -> Sequence[Any]: ...


class CallHistoryStore(Protocol):
    async def get(self, call_id: str) -> Any | None: ...

    async def for_incident(self, incident_id: int) -> Sequence[Any]: ...

    async def inbound_between(self, start: datetime, end: datetime) -> Sequence[Any]: ...


class RecordingStore(Protocol):
    async def get(self, recording_id: int) -> Any | None: ...

    async def recent(self, limit: int = 100, offset: int = 0, *, seat_id: str | None = None) -> Sequence[Any]: ...

    async def for_incident(self, incident_id: int) -> Sequence[Any]: ...


class CallbackStore(Protocol):
    async def get(self, callback_id: int) -> Any | None: ...

    async def listing(self, *, statuses: tuple[str, ...] = (), seat_id: str | None = None, limit: int = 100,
                      offset: int = 0) -> Sequence[Any]: ...

    async def no_callback_list(self, limit: int = 100, offset: int = 0) -> Sequence[Any]: ...

    async def for_incident(self, incident_id: int) -> Sequence[Any]: ...

    async def attempts(self, callback_id: int) -> Sequence[Any]: ...

    async def cancel(self, callback_id: int, at: datetime, *, actor: str, reason: str) -> Any: ...

    async def reschedule(self, callback_id: int, due_at: datetime) -> Any: ...

    async def outcome_counts(self) -> Mapping[str, int]: ...


class SeatDirectory(Protocol):
    async def all(self) -> Sequence[Any]: ...

    async def get(self, seat_id: str) -> Any | None: ...

    async def put(self, seat_id: str, *, name: str, dial_string: str, overflow: bool, at: datetime,
                  origin: str = "api") -> Any: ...

    async def delete(self, seat_id: str) -> None: ...


class ApiStore(Protocol):
    """The database as the API's services see it (`cc112_pbx.storage.Database`)."""

    @property
    def api_users(self) -> ApiUserStore: ...

    @property
    def queue_config(self) -> QueueConfigStore: ...

    @property
    def audit(self) -> AuditStore: ...

    @property
    def incidents(self) -> IncidentStore: ...

    @property
    def timeline(self) -> TimelineStore: ...

    @property
    def calls(self) -> CallHistoryStore: ...

    @property
    def recordings(self) -> RecordingStore: ...

    @property
    def callbacks(self) -> CallbackStore: ...

    @property
    def seats(self) -> SeatDirectory: ...

    @property
    def qc(self) -> QcStore: ...

    async def ping(self) -> None:
        """Raises when the database cannot answer."""


class RecordingUpkeepStore(Protocol):
    """Recordings' checksums and retention (issue 15)."""

    async def set_checksum(self, call_id: str, path: str, *, size_bytes: int | None, sha256: str | None,
                           state: str, at: datetime) -> Any: ...

    async def kept(self, limit: int | None = None) -> Sequence[Any]: ...

    async def ended_before_without_open_incident(self, before: datetime) -> Sequence[Any]: ...

    async def mark_deleted(self, recording_id: int, at: datetime) -> Any: ...


class QcSampleReferences(Protocol):
    """Recordings a pending quality-control sample still needs (none exist yet: `NoQcSamples`)."""

    async def referenced(self, recording_ids: Sequence[int]) -> set[int]: ...


# --- Advanced Mobile Location (issue 19) ------------------------------------------------------------


class AmlPositionStore(Protocol):
    async def add(self, message: Any, *, sender: str, raw: str, received_at: datetime) -> tuple[Any, bool]:
        """`(record, created)`: a message stored already comes back with `created` False."""

    async def attach(self, position_ids: Sequence[int], incident_id: int, at: datetime) -> int:
        """Attach those not attached yet; returns how many were."""

    async def unmatched_for_number(self, number: str, since: datetime,
                                   until: datetime | None = None) -> Sequence[Any]: ...

    async def delete_unmatched_before(self, cutoff: datetime) -> int: ...


class AmlIncidents(Protocol):
    async def recent_for_number(self, number: str, since: datetime) -> Sequence[RecentIncident]: ...

    async def change(self, incident_id: int, changes: Mapping[str, Any], *, actor: str,
                     at: datetime) -> tuple[Any, Sequence[Any]]:
        """Raises the domain's `InvalidChanges`."""


class AmlStore(Protocol):
    """The database as the AML service sees it (`cc112_pbx.storage.Database`)."""

    @property
    def aml(self) -> AmlPositionStore: ...

    @property
    def incidents(self) -> AmlIncidents: ...

    @property
    def timeline(self) -> TimelineRepository: ...


# --- dispatch to the agencies (issue 17) -------------------------------------------------------------


class Router(Protocol):
    """Road travel times (an OSRM-compatible HTTP API in production; a fake server in tests)."""

    async def durations(self, sources: Sequence[tuple[float, float]], destination: tuple[float, float]
                        ) -> list[float | None]:
        """Seconds by road from each `(lat, lon)` source to the destination, in order (None: no route
        for that one). Raises when the router cannot answer (the caller falls back to the straight line)."""


class AgencyStore(Protocol):
    async def all(self) -> Sequence[Any]: ...

    async def get(self, agency_id: int) -> Any | None: ...

    async def add(self, *, at: datetime, **fields: Any) -> Any: ...

    async def update(self, agency_id: int, changes: Mapping[str, Any], at: datetime) -> Any: ...

    async def seed(self, agencies: Sequence[Mapping[str, Any]], at: datetime) -> dict[str, int]: ...

    async def bind_dispatcher(self, user_id: int, agency_id: int, at: datetime) -> Any: ...

    async def dispatchers(self) -> Sequence[Any]: ...


class OfficerStore(Protocol):
    async def all(self) -> Sequence[Any]: ...

    async def get(self, officer_id: int) -> Any | None: ...

    async def add(self, *, at: datetime, **fields: Any) -> Any: ...

    async def update(self, officer_id: int, changes: Mapping[str, Any], at: datetime) -> Any: ...

    async def seed(self, officers: Sequence[Mapping[str, Any]], at: datetime) -> None: ...


class DispatchRecords(Protocol):
    async def add(self, *, fields: Mapping[str, Any]) -> Any: ...

    async def get(self, dispatch_id: int) -> Any | None: ...

    async def update(self, dispatch_id: int, expected: str, changes: Mapping[str, Any]) -> Any:
        """Raises the domain's `IllegalDispatchTransition` when the stored status is no longer `expected`."""

    async def listing(self, *, incident_id: int | None = None, agency_id: int | None = None,
                      officer_id: int | None = None, statuses: Sequence[str] = (), open_only: bool = False,
                      limit: int = 200, offset: int = 0) -> Sequence[Any]: ...

    async def open_for_incident(self, incident_id: int) -> Sequence[Any]: ...

    async def created_between(self, start: datetime, end: datetime) -> Sequence[Any]: ...

    async def status_counts(self) -> Mapping[str, int]: ...


class PositionStore(Protocol):
    async def add(self, *, officer_id: int, received_at: datetime, **fields: Any) -> Any: ...

    async def trail(self, officer_id: int, since: datetime, limit: int = 2000) -> Sequence[Any]: ...

    async def latest(self) -> Sequence[Any]: ...

    async def delete_before(self, cutoff: datetime) -> int: ...


class DispatchIncidents(Protocol):
    async def get(self, incident_id: int) -> Any | None: ...

    async def transition(self, incident_id: int, target: IncidentStatus | str, *, actor: str, at: datetime,
                         reason: str = "") -> Any:
        """Raises the domain's `IllegalTransition`."""


class DispatchUsers(Protocol):
    async def by_username(self, username: str) -> Any | None: ...

    async def get(self, user_id: int) -> Any | None: ...


class DispatchStore(Protocol):
    """The database as the dispatch services see it (`cc112_pbx.storage.Database`)."""

    @property
    def agencies(self) -> AgencyStore: ...

    @property
    def officers(self) -> OfficerStore: ...

    @property
    def dispatches(self) -> DispatchRecords: ...

    @property
    def positions(self) -> PositionStore: ...

    @property
    def incidents(self) -> DispatchIncidents: ...

    @property
    def timeline(self) -> TimelineRepository: ...

    @property
    def api_users(self) -> DispatchUsers: ...


class PhotoStore(Protocol):
    """Where report photos are kept (files on disk in production)."""

    async def save(self, name: str, data: bytes) -> str:
        """Write the photo; returns the path to read it back with."""

    async def read(self, path: str) -> bytes: ...


# --- quality control (issue 18) -----------------------------------------------------------------------


class QcStore(Protocol):
    """Rubric versions, weekly sample runs, samples, evaluations and responses
    (`cc112_pbx.storage.repositories.qc.QcRepository`)."""

    async def current_rubric(self) -> Any | None: ...

    async def rubric(self, version: int) -> Any | None: ...

    async def rubric_history(self, limit: int = 20) -> Sequence[Any]: ...

    async def save_rubric(self, elements: Sequence[Mapping[str, Any]], author: str,
                          at: datetime | None = None) -> Any: ...

    async def candidate_calls(self, start: datetime, end: datetime) -> Sequence[Any]:
        """Inbound calls answered at a seat in [start, end), ended, with a kept recording:
        `.call_id`, `.seat_id`, `.recording_id`, `.connected_at`, `.ended_at`."""

    async def run_for_week(self, week: str) -> Any | None: ...

    async def runs(self, limit: int = 52) -> Sequence[Any]: ...

    async def store_run(self, *, week: str, seed: int, per_taker: int, min_talk_s: float, drawn_at: datetime,
                        drawn_by: str, report: Mapping[str, Any],
                        samples: Sequence[tuple[str, str, int | None]]) -> tuple[Any, Sequence[Any]]:
        """Raises an exception named `SampleRunExists` when the week was drawn already."""

    async def samples(self, *, week: str | None = None, seat_id: str | None = None,
                      include_swapped: bool = True) -> Sequence[Any]: ...

    async def sample(self, sample_id: int) -> Any | None: ...

    async def swap_sample(self, sample_id: int, *, reason: str, actor: str, at: datetime,
                          replacement: tuple[str, int | None] | None) -> tuple[Any, Any | None]: ...

    async def referenced_recordings(self, recording_ids: Sequence[int]) -> set[int]: ...

    async def add_evaluation(self, *, sample_id: int, version: int, supersedes_id: int | None,
                             rubric_version: int, week: str, seat_id: str, evaluator: str,
                             scores: Mapping[str, Any], comment: str, earned: float, possible: float,
                             compliance: float | None, signals: Mapping[str, Any], submitted_at: datetime) -> Any:
        """Raises an exception named `EvaluationVersionTaken` when that version exists already."""

    async def evaluation(self, evaluation_id: int) -> Any | None: ...

    async def evaluations_of_sample(self, sample_id: int) -> Sequence[Any]: ...

    async def evaluations(self, *, weeks: Sequence[str] | None = None, seat_id: str | None = None,
                          current_only: bool = True) -> Sequence[Any]: ...

    async def add_response(self, evaluation_id: int, *, kind: str, comment: str, author: str,
                           at: datetime) -> Any: ...

    async def responses(self, evaluation_ids: Sequence[int]) -> Sequence[Any]: ...


class QcDataStore(Protocol):
    """The database as the QC service sees it (`cc112_pbx.storage.Database`)."""

    @property
    def qc(self) -> QcStore: ...

    @property
    def calls(self) -> CallHistoryStore: ...

    @property
    def incidents(self) -> IncidentStore: ...

    @property
    def timeline(self) -> TimelineStore: ...

    @property
    def api_users(self) -> ApiUserStore: ...

    @property
    def audit(self) -> AuditStore: ...
