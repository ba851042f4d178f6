"""Test doubles for every port of `cc112_pbx.services.ports`, and a controller wired with them.

Every fake records each call, in order, in its `log` as a `Call(method, args)` (a failed call
is recorded too; the store names them "repository.method") and can be told to raise a chosen error from a chosen method:

    control.fail("bridge_channels", TargetGone("channel gone"))              # every time
    control.fail("ring_seat", EndpointUnreachable("x"), when=lambda a: a["seat_id"] == "seat01")
    store.fail("*", ConnectionError("database down"), times=3)              # any method, 3 times
    control.heal()                                                           # no more failures
    control.on("bridge_channels", lambda args: clock.advance(2))             # a side effect first

`Pbx` (built by `build_pbx`) is a `Controller` wired as `cc112_pbx.app` wires it (one `Context`,
`PersistenceSubscriber` with a real `Journal`, `NoticeSubscriber`), with fakes for the ports, a
`FakeClock` and a `FakeTimers` in place of the loop-timer service, so tests move time by hand:
`await pbx.advance(15)` fires every timer due by then, in order, through `Controller.dispatch`,
exactly as the real timers would. Nothing sleeps and nothing opens a socket.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import QueueConfig, SeatConfig, SeatStatus
from cc112_pbx.domain.telephony_errors import AlreadyQueueMember, NotQueueMember
from cc112_pbx.services.context import Context, ControllerOptions
from cc112_pbx.services.controller import Controller, _Timer
from cc112_pbx.services.journal import Journal
from cc112_pbx.services.notices import NoticeSubscriber
from cc112_pbx.services.persistence import PersistenceSubscriber
from cc112_pbx.services.sessions import CallSession

START = datetime(2025, 3, 1, 8, 0, 0, tzinfo=UTC)
MONOTONIC_START = 1000.0
SETTLE_LIMIT = 2.0  # a settle that takes longer than this is a bug (a loop that never ends), not a wait


# --- recording calls and failing on demand ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    args: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.args[name]


@dataclass(slots=True)
class _Failure:
    error: BaseException
    times: int | None
    when: Callable[[dict[str, Any]], bool] | None


class Recording:
    """Base of the fakes: `log` (every call, in order), `fail`/`heal` errors, `on` side effects."""

    def __init__(self) -> None:
        self.log: list[Call] = []
        self.failed: list[Call] = []  # the calls of `log` that raised
        self._failures: dict[str, list[_Failure]] = {}
        self._hooks: dict[str, list[Callable[[dict[str, Any]], Any]]] = {}

    def fail(self, method: str, error: BaseException, *, times: int | None = None,
             when: Callable[[dict[str, Any]], bool] | None = None) -> None:
        """Raise `error` from `method` ("*": any method), `times` times (None: until healed),
        only for calls whose arguments satisfy `when` (if given)."""
        self._failures.setdefault(method, []).append(_Failure(error, times, when))

    def heal(self, method: str | None = None) -> None:
        if method is None:
            self._failures.clear()
        else:
            self._failures.pop(method, None)

    def on(self, method: str, action: Callable[[dict[str, Any]], Any]) -> None:
        """Run `action(args)` (a function or a coroutine function) when `method` is called."""
        self._hooks.setdefault(method, []).append(action)

    def called(self, method: str) -> list[Call]:
        return [c for c in self.log if c.method == method]

    @property
    def methods(self) -> list[str]:
        return [c.method for c in self.log]

    async def _enter(self, method: str, **args: Any) -> None:
        call = Call(method, args)
        self.log.append(call)
        for hook in self._hooks.get(method, []):
            result = hook(args)
            if inspect.isawaitable(result):
                await result
        for key in (method, "*"):
            for failure in self._failures.get(key, []):
                if failure.times == 0 or (failure.when is not None and not failure.when(args)):
                    continue
                if failure.times is not None:
                    failure.times -= 1
                self.failed.append(call)
                raise failure.error


# --- telephony ---------------------------------------------------------------------------------


class FakeCallControl(Recording):
    def __init__(self) -> None:
        super().__init__()
        self.playing: dict[str, tuple[str, str, str]] = {}  # playback id -> (channel, prompt, lang)
        self.bridges: dict[str, list[str]] = {}
        self.channels: list[tel.ChannelSnapshot] = []
        self.originated: list[Call] = []  # every ring_seat, kept when a test clears the log
        self._playbacks = 0

    async def answer(self, channel_id: str) -> None:
        await self._enter("answer", channel_id=channel_id)

    async def hang_up(self, channel_id: str) -> None:
        await self._enter("hang_up", channel_id=channel_id)

    async def play_prompt(self, channel_id: str, prompt: str, lang: str) -> str:
        await self._enter("play_prompt", channel_id=channel_id, prompt=prompt, lang=lang)
        self._playbacks += 1
        playback_id = f"pb-{self._playbacks}"
        self.playing[playback_id] = (channel_id, prompt, lang)
        return playback_id

    async def stop_playback(self, playback_id: str) -> None:
        await self._enter("stop_playback", playback_id=playback_id)
        self.playing.pop(playback_id, None)

    async def detect_talking(self, channel_id: str) -> None:
        await self._enter("detect_talking", channel_id=channel_id)

    async def start_music(self, channel_id: str) -> None:
        await self._enter("start_music", channel_id=channel_id)

    async def stop_music(self, channel_id: str) -> None:
        await self._enter("stop_music", channel_id=channel_id)

    async def ring_seat(self, dial_string: str, *, seat_id: str, caller_id: str, timeout: int,
                        channel_id: str) -> None:
        args = dict(dial_string=dial_string, seat_id=seat_id, caller_id=caller_id, timeout=timeout,
                    channel_id=channel_id)
        self.originated.append(Call("ring_seat", args))
        await self._enter("ring_seat", **args)

    async def create_bridge(self, bridge_id: str, *, name: str, holding: bool = False) -> None:
        await self._enter("create_bridge", bridge_id=bridge_id, name=name, holding=holding)
        self.bridges[bridge_id] = []

    async def bridge_channels(self, bridge_id: str, channel_ids: Sequence[str]) -> None:
        await self._enter("bridge_channels", bridge_id=bridge_id, channel_ids=list(channel_ids))
        self.bridges.setdefault(bridge_id, []).extend(channel_ids)

    async def destroy_bridge(self, bridge_id: str) -> None:
        await self._enter("destroy_bridge", bridge_id=bridge_id)
        self.bridges.pop(bridge_id, None)

    async def channels_in_app(self) -> list[tel.ChannelSnapshot]:
        await self._enter("channels_in_app")
        return list(self.channels)

    # --- what the tests ask ------------------------------------------------------------------
    def prompts(self, channel_id: str | None = None) -> list[tuple[str, str]]:
        """(prompt, lang) of every prompt started, on one channel or all, in order."""
        return [(c["prompt"], c["lang"]) for c in self.called("play_prompt")
                if channel_id is None or c["channel_id"] == channel_id]

    def playbacks_on(self, channel_id: str) -> list[str]:
        """The playbacks still playing on a channel (started, not stopped or ended)."""
        return [pb for pb, (channel, _, _) in self.playing.items() if channel == channel_id]

    def rings(self, seat_id: str | None = None) -> list[Call]:
        """Every seat the controller tried to ring (failed attempts too), in order."""
        return [c for c in self.originated if seat_id is None or c["seat_id"] == seat_id]


class FakeRecorder(Recording):
    def __init__(self) -> None:
        super().__init__()
        self.paths: dict[str, str] = {}  # channel id -> file a previous run records it to

    async def start(self, channel_name: str, path: str) -> None:
        await self._enter("start", channel_name=channel_name, path=path)

    async def current_path(self, channel_id: str) -> str | None:
        await self._enter("current_path", channel_id=channel_id)
        return self.paths.get(channel_id)


class FakeFallbackQueue(Recording):
    """Keeps members like Asterisk does: adding a member again or removing a stranger fails."""

    def __init__(self) -> None:
        super().__init__()
        self.members: dict[str, bool] = {}  # interface -> paused

    async def add(self, interface: str, *, seat_id: str, paused: bool) -> None:
        await self._enter("add", interface=interface, seat_id=seat_id, paused=paused)
        if interface in self.members:
            raise AlreadyQueueMember(f"{interface} is already a member")
        self.members[interface] = paused

    async def pause(self, interface: str, *, paused: bool, reason: str) -> None:
        await self._enter("pause", interface=interface, paused=paused, reason=reason)
        if interface in self.members:
            self.members[interface] = paused

    async def remove(self, interface: str) -> None:
        await self._enter("remove", interface=interface)
        if self.members.pop(interface, None) is None:
            raise NotQueueMember(f"{interface} is not a member")

    async def list_members(self) -> list[tel.QueueMemberSnapshot]:
        await self._enter("list_members")
        return [tel.QueueMemberSnapshot("cc112-fallback", interface, interface, interface, paused)
                for interface, paused in self.members.items()]


class FakeDeviceStates(Recording):
    def __init__(self) -> None:
        super().__init__()
        self.states: list[tel.DeviceStateSnapshot] = []

    async def device_state_list(self) -> list[tel.DeviceStateSnapshot]:
        await self._enter("device_state_list")
        return list(self.states)


# --- storage -------------------------------------------------------------------------------------


@dataclass(slots=True)
class CallRow:
    id: str
    channel_id: str
    direction: str
    arrived_at: datetime
    incident_id: int | None = None
    channel_name: str = ""
    seat_id: str | None = None
    peer_call_id: str | None = None
    answered_at: datetime | None = None
    connected_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None
    cause: str | None = None


@dataclass(slots=True)
class IncidentRow:
    id: int
    call_id: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RecordingRow:
    id: int
    call_id: str
    path: str
    started_at: datetime
    ended_at: datetime | None = None
    seat_id: str | None = None


@dataclass(slots=True)
class SeatRow:
    id: str
    logged_in: bool = False
    paused_reason: str | None = None


class NotFound(LookupError):
    """An update named a row that does not exist (as `cc112_pbx.storage.RecordNotFound`)."""


def _row(rows: dict[Any, Any], key: Any, kind: str) -> Any:
    if key not in rows:
        raise NotFound(f"{kind} {key!r} not found")
    return rows[key]


class _Repository:
    def __init__(self, store: FakeStore, name: str) -> None:
        self._store = store
        self._name = name

    async def _enter(self, method: str, **args: Any) -> None:
        await self._store._enter(f"{self._name}.{method}", **args)


class FakeCallRepository(_Repository):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store, "calls")
        self.rows: dict[str, CallRow] = {}

    async def by_channel(self, channel_id: str) -> CallRow | None:
        await self._enter("by_channel", channel_id=channel_id)
        found = [row for row in self.rows.values() if row.channel_id == channel_id]
        return found[-1] if found else None

    async def add(self, *, call_id: str, direction: str, channel_id: str, channel_name: str,
                  arrived_at: datetime, incident_id: int | None = None, seat_id: str | None = None,
                  peer_call_id: str | None = None, **extra: Any) -> CallRow:
        await self._enter("add", call_id=call_id, direction=direction, channel_id=channel_id,
                          channel_name=channel_name, arrived_at=arrived_at, incident_id=incident_id,
                          seat_id=seat_id, peer_call_id=peer_call_id, **extra)
        row = self.rows[call_id] = CallRow(call_id, channel_id, direction, arrived_at, incident_id, channel_name,
                                           seat_id, peer_call_id)
        return row

    async def mark_answered(self, call_id: str, at: datetime) -> None:
        await self._enter("mark_answered", call_id=call_id, at=at)
        _row(self.rows, call_id, "call").answered_at = at

    async def mark_connected(self, call_id: str, at: datetime, *, seat_id: str, peer_call_id: str) -> None:
        await self._enter("mark_connected", call_id=call_id, at=at, seat_id=seat_id, peer_call_id=peer_call_id)
        row = _row(self.rows, call_id, "call")
        row.connected_at, row.seat_id, row.peer_call_id = at, seat_id, peer_call_id

    async def end(self, call_id: str, at: datetime, outcome: str | None, cause: str | None = None, *,
                  hung_up_by: str | None = None) -> None:
        await self._enter("end", call_id=call_id, at=at, outcome=outcome, cause=cause, hung_up_by=hung_up_by)
        row = _row(self.rows, call_id, "call")
        row.ended_at, row.outcome, row.cause = at, outcome, cause

    async def active(self) -> list[CallRow]:
        await self._enter("active")
        return [row for row in self.rows.values() if row.ended_at is None]


class FakeIncidentRepository(_Repository):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store, "incidents")
        self.rows: dict[int, IncidentRow] = {}

    async def open_for_call(self, *, call_id: str, channel_id: str, channel_name: str, arrived_at: datetime,
                            dialled: str, caller_number: str | None, caller_kind: str,
                            category_hint: str | None, no_callback: bool) -> tuple[IncidentRow, CallRow]:
        details = dict(call_id=call_id, channel_id=channel_id, channel_name=channel_name, arrived_at=arrived_at,
                       dialled=dialled, caller_number=caller_number, caller_kind=caller_kind,
                       category_hint=category_hint, no_callback=no_callback)
        await self._enter("open_for_call", **details)
        incident = IncidentRow(self._store.next_incident_id, call_id, details)
        self._store.next_incident_id += 1
        self.rows[incident.id] = incident
        call = self._store.calls.rows[call_id] = CallRow(call_id, channel_id, "inbound", arrived_at, incident.id,
                                                         channel_name)
        return incident, call

    async def update(self, incident_id: int, **fields: Any) -> IncidentRow:
        await self._enter("update", incident_id=incident_id, **fields)
        _row(self.rows, incident_id, "incident").fields.update(fields)
        return self.rows[incident_id]

    async def link_repeat_call(self, *, incident_id: int, call_id: str, channel_id: str, channel_name: str,
                               arrived_at: datetime, dialled: str, caller_number: str,
                               caller_kind: str | None = None) -> tuple[IncidentRow, CallRow, list[int]]:
        await self._enter("link_repeat_call", incident_id=incident_id, call_id=call_id)
        incident = _row(self.rows, incident_id, "incident")
        call = self._store.calls.rows[call_id] = CallRow(call_id, channel_id, "inbound", arrived_at, incident_id,
                                                         channel_name)
        return incident, call, []

    async def recent_for_number(self, number: str, since: datetime) -> list[Any]:
        await self._enter("recent_for_number", number=number, since=since)
        return []

    async def transition(self, incident_id: int, target: str, *, actor: str, at: datetime, reason: str = "") -> None:
        await self._enter("transition", incident_id=incident_id, target=str(target), actor=actor)
        _row(self.rows, incident_id, "incident").fields["status"] = str(target)

    async def change(self, incident_id: int, changes: dict[str, Any], *, actor: str, at: datetime) -> None:
        await self._enter("change", incident_id=incident_id, changes=dict(changes), actor=actor)
        _row(self.rows, incident_id, "incident").fields.update(changes)


class FakeTimelineRepository(_Repository):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store, "timeline")
        self.entries: list[tuple[int, Any]] = []

    async def append(self, incident_id: int, entries: list[Any], *, key: str | None = None) -> None:
        await self._enter("append", incident_id=incident_id, kinds=[e.kind.value for e in entries], key=key)
        self.entries += [(incident_id, e) for e in entries]


class FakeCallbackRepository(_Repository):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store, "callbacks")
        self.rows: dict[int, dict[str, Any]] = {}
        self.attempts: dict[int, dict[str, Any]] = {}

    async def schedule(self, **fields: Any) -> Any:
        await self._enter("schedule", **fields)
        row_id = len(self.rows) + 1
        self.rows[row_id] = dict(fields, id=row_id, status="pending" if fields.get("dialable", True) else "supervisor")
        return _Id(row_id)

    async def start_attempt(self, callback_id: int, at: datetime, *, seat_id: str | None = None,
                            call_id: str | None = None) -> Any:
        await self._enter("start_attempt", callback_id=callback_id, call_id=call_id)
        attempt_id = len(self.attempts) + 1
        self.attempts[attempt_id] = {"callback_id": callback_id, "call_id": call_id, "seat_id": seat_id}
        return _Id(attempt_id)

    async def update_attempt(self, attempt_id: int, *, seat_id: str | None = None, call_id: str | None = None) -> None:
        await self._enter("update_attempt", attempt_id=attempt_id, seat_id=seat_id)
        self.attempts[attempt_id]["seat_id"] = seat_id

    async def record_outcome(self, attempt_id: int, at: datetime, outcome: str, policy: Any, *,
                             cause: str | None = None) -> None:
        await self._enter("record_outcome", attempt_id=attempt_id, outcome=outcome)
        self.attempts[attempt_id]["outcome"] = outcome

    async def cancel(self, callback_id: int, at: datetime, *, actor: str, reason: str) -> None:
        await self._enter("cancel", callback_id=callback_id, reason=reason)
        self.rows[callback_id]["status"] = "cancelled"


@dataclass
class _Id:
    id: int


class FakeRecordingRepository(_Repository):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store, "recordings")
        self.rows: dict[int, RecordingRow] = {}

    async def add(self, *, call_id: str, path: str, started_at: datetime) -> RecordingRow:
        await self._enter("add", call_id=call_id, path=path, started_at=started_at)
        row = RecordingRow(len(self.rows) + 1, call_id, path, started_at)
        self.rows[row.id] = row
        return row

    async def finish(self, recording_id: int, ended_at: datetime) -> None:
        await self._enter("finish", recording_id=recording_id, ended_at=ended_at)
        _row(self.rows, recording_id, "recording").ended_at = ended_at

    async def set_seat(self, recording_id: int, seat_id: str) -> None:
        await self._enter("set_seat", recording_id=recording_id, seat_id=seat_id)
        _row(self.rows, recording_id, "recording").seat_id = seat_id

    async def for_call(self, call_id: str) -> list[RecordingRow]:
        await self._enter("for_call", call_id=call_id)
        return [row for row in self.rows.values() if row.call_id == call_id]


class FakeSeatRepository(_Repository):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store, "seats")
        self.rows: dict[str, SeatRow] = {}

    async def all(self) -> list[SeatRow]:
        await self._enter("all")
        return list(self.rows.values())

    async def set_logged_in(self, seat_id: str, logged_in: bool, at: datetime) -> None:
        await self._enter("set_logged_in", seat_id=seat_id, logged_in=logged_in, at=at)
        self.rows.setdefault(seat_id, SeatRow(seat_id)).logged_in = logged_in

    async def set_paused(self, seat_id: str, reason: str | None, at: datetime) -> None:
        await self._enter("set_paused", seat_id=seat_id, reason=reason, at=at)
        self.rows.setdefault(seat_id, SeatRow(seat_id)).paused_reason = reason


class FakeAuditRepository(_Repository):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store, "audit")
        self.entries: list[dict[str, Any]] = []

    async def record(self, actor: str, action: str, details: dict[str, Any] | None = None,
                     at: datetime | None = None) -> None:
        await self._enter("record", actor=actor, action=action, details=details, at=at)
        self.entries.append({"actor": actor, "action": action, "details": details, "at": at})


class FakeCallTagRepository(_Repository):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store, "call_tags")
        self.rows: dict[tuple[str, str], SimpleNamespace] = {}

    async def add(self, *, call_id: str, tag: str, actor: str, at: datetime, incident_id: int | None = None,
                  number: str | None = None) -> tuple[SimpleNamespace, bool]:
        await self._enter("add", call_id=call_id, tag=str(tag))
        key = (call_id, str(tag))
        if key in self.rows:
            return self.rows[key], False
        self.rows[key] = SimpleNamespace(id=len(self.rows) + 1, call_id=call_id, tag=str(tag), actor=actor, at=at,
                                         incident_id=incident_id, number=number)
        return self.rows[key], True

    async def remove(self, call_id: str, tag: str) -> SimpleNamespace | None:
        await self._enter("remove", call_id=call_id, tag=str(tag))
        return self.rows.pop((call_id, str(tag)), None)

    async def for_call(self, call_id: str) -> list[SimpleNamespace]:
        return [r for (c, _), r in self.rows.items() if c == call_id]

    async def between(self, since: datetime, until: datetime, tags: Any = None) -> list[SimpleNamespace]:
        wanted = None if tags is None else {str(t) for t in tags}
        return sorted((r for r in self.rows.values() if since <= r.at < until and (wanted is None or r.tag in wanted)),
                      key=lambda r: r.at)


class FakeStore(Recording):
    """In-memory repositories; `log` holds every "repository.method" call in order."""

    def __init__(self) -> None:
        super().__init__()
        self.next_incident_id = 1
        self._calls_repo = FakeCallRepository(self)
        self._incidents = FakeIncidentRepository(self)
        self._recordings = FakeRecordingRepository(self)
        self._seats = FakeSeatRepository(self)
        self._audit = FakeAuditRepository(self)
        self._timeline = FakeTimelineRepository(self)
        self._callbacks = FakeCallbackRepository(self)
        self._call_tags = FakeCallTagRepository(self)

    @property
    def calls(self) -> FakeCallRepository:
        return self._calls_repo

    @property
    def incidents(self) -> FakeIncidentRepository:
        return self._incidents

    @property
    def recordings(self) -> FakeRecordingRepository:
        return self._recordings

    @property
    def seats(self) -> FakeSeatRepository:
        return self._seats

    @property
    def audit(self) -> FakeAuditRepository:
        return self._audit

    @property
    def timeline(self) -> FakeTimelineRepository:
        return self._timeline

    @property
    def callbacks(self) -> FakeCallbackRepository:
        return self._callbacks

    @property
    def call_tags(self) -> FakeCallTagRepository:
        return self._call_tags

    @property
    def writes(self) -> list[str]:
        """Every write that was applied, in order (reads and failed attempts left out)."""
        reads = {"calls.by_channel", "calls.active", "recordings.for_call", "seats.all",
                 "incidents.recent_for_number"}
        failed = {id(c) for c in self.failed}
        return [c.method for c in self.log if c.method not in reads and id(c) not in failed]

    def seed_call(self, *, call_id: str, channel_id: str, arrived_at: datetime, incident_id: int | None = None,
                  connected_at: datetime | None = None, recording_path: str | None = None,
                  seat_id: str | None = None, seat_leg: str | None = None) -> CallRow:
        """What a previous run stored about a caller (for adoption after a restart); `seat_leg`:
        the channel of the seat it was connected to (stored under that id, as a connected call's is)."""
        row = CallRow(call_id, channel_id, "inbound", arrived_at, incident_id, connected_at=connected_at,
                      seat_id=seat_id, peer_call_id=seat_leg)
        self._calls_repo.rows[call_id] = row
        if seat_leg is not None:
            self._calls_repo.rows[seat_leg] = CallRow(seat_leg, seat_leg, "seat", connected_at or arrived_at,
                                                      incident_id, seat_id or "", seat_id, call_id)
        if incident_id is not None:
            self._incidents.rows[incident_id] = IncidentRow(incident_id, call_id)
            self.next_incident_id = max(self.next_incident_id, incident_id + 1)
        if recording_path is not None:
            rec = RecordingRow(len(self._recordings.rows) + 1, call_id, recording_path, arrived_at)
            self._recordings.rows[rec.id] = rec
        return row


# --- time and people -------------------------------------------------------------------------------


class FakeClock:
    """Time that moves only when a test says so; wall and monotonic move together."""

    def __init__(self, start: datetime = START, monotonic_start: float = MONOTONIC_START) -> None:
        self._start = start
        self._mono_start = monotonic_start
        self.elapsed = 0.0

    def wall(self) -> datetime:
        return self._start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self._mono_start + self.elapsed

    def advance(self, seconds: float) -> None:
        assert seconds >= 0, "time does not go back"
        self.elapsed += seconds

    def set_monotonic(self, at: float) -> None:
        self.advance(max(0.0, at - self.monotonic()))


class FakeNotices:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, kind: str, **fields: Any) -> None:
        self.published.append({"kind": kind, **fields})

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [n for n in self.published if n["kind"] == kind]

    @property
    def kinds(self) -> list[str]:
        return [n["kind"] for n in self.published]


class FakeTimers:
    """Stands in for `TimerService`: keeps what is due when; `Pbx.advance` fires it."""

    def __init__(self) -> None:
        self.due: dict[Hashable, float] = {}
        self.started: list[tuple[Hashable, float]] = []
        self.cancelled: list[Hashable] = []

    def start(self, key: Hashable, at: float) -> None:
        self.due.pop(key, None)  # a restarted key goes to the back of the order for equal times
        self.due[key] = at
        self.started.append((key, at))

    def cancel(self, key: Hashable) -> None:
        if self.due.pop(key, None) is not None:
            self.cancelled.append(key)

    def pending(self) -> int:
        return len(self.due)

    def close(self) -> None:
        self.due.clear()

    def next_due(self, until: float) -> tuple[Hashable, float] | None:
        """The earliest timer due at or before `until` (ties: in the order they were started)."""
        ready = [(at, i, key) for i, (key, at) in enumerate(self.due.items()) if at <= until]
        if not ready:
            return None
        at, _, key = min(ready, key=lambda item: (item[0], item[1]))
        return key, at

    def keys_of(self, kind: type) -> list[Hashable]:
        return [key for key in self.due if isinstance(key, kind)]


# --- the controller, wired like app.py wires it ---------------------------------------------------


SEATS = ("seat01", "seat02")


def default_options(seats: Sequence[str] = SEATS, **overrides: Any) -> ControllerOptions:
    options = ControllerOptions(
        recordings_dir="/var/spool/cc112-test/",
        hold_announcement_interval=30.0,
        languages=("id", "en"),
        seat_dial_strings={seat: f"PJSIP/{seat}" for seat in seats},
    )
    return replace(options, **overrides)


def default_config(seats: Sequence[str] = SEATS, **overrides: Any) -> QueueConfig:
    values: dict[str, Any] = dict(seats=tuple(SeatConfig(s) for s in seats), ring_timeout=15.0, wrapup_time=10.0,
                                  auto_pause_after_missed=3, overflow_after=60.0)
    values.update(overrides)
    return QueueConfig(**values)


@dataclass
class Pbx:
    controller: Controller
    ctx: Context
    control: FakeCallControl
    recorder: FakeRecorder
    fallback: FakeFallbackQueue
    devices: FakeDeviceStates
    store: FakeStore
    clock: FakeClock
    notices: FakeNotices
    journal: Journal
    timers: FakeTimers
    facts: list[object] = field(default_factory=list)
    watched: list[str] = field(default_factory=list)
    _channels: int = 0

    # --- driving the loop --------------------------------------------------------------------
    def send(self, event: object) -> None:
        """Hand one item to the controller's loop, handled at once (as `Controller.run` would)."""
        self.controller.dispatch(event)

    async def settle(self, *, journal: bool = True) -> None:
        """Run what the handling started until nothing is left: lanes (the port calls), items the
        lanes posted back to the inbox, and (`journal`) the store's writes."""
        controller, lanes = self.controller, self.ctx.lanes
        async with asyncio.timeout(SETTLE_LIMIT):
            while True:
                await lanes.idle()
                if journal:
                    await self.journal.flush()
                if controller.inbox.empty():
                    if not lanes.busy and not (journal and self.journal.backlog):
                        return
                    continue
                while not controller.inbox.empty():
                    controller.dispatch(controller.inbox.get_nowait())

    async def advance(self, seconds: float, *, journal: bool = True) -> None:
        """Move time on by `seconds`, firing each timer due meanwhile at its time, in order."""
        until = self.clock.monotonic() + seconds
        while (due := self.timers.next_due(until)) is not None:
            key, at = due
            self.clock.set_monotonic(at)
            del self.timers.due[key]
            self.controller.dispatch(_Timer(key))
            await self.settle(journal=journal)
        self.clock.set_monotonic(until)
        await self.settle(journal=journal)

    # --- scenario steps ------------------------------------------------------------------------
    def new_channel_id(self, prefix: str = "chan") -> str:
        self._channels += 1
        return f"{prefix}-{self._channels}"

    async def log_in(self, *seat_ids: str) -> None:
        for seat_id in seat_ids:
            self.controller.seats.login(seat_id)
        await self.settle()

    async def caller_arrives(self, channel_id: str | None = None, *, number: str | None = "081234567890",
                             dialled: str = "112", settle: bool = True, **extra: Any) -> str:
        channel_id = channel_id or self.new_channel_id("caller")
        self.send(caller_entered(channel_id, number=number, dialled=dialled, at=self.clock.wall(), **extra))
        if settle:
            await self.settle()
        return channel_id

    def ringing_leg(self, seat_id: str) -> str:
        """The channel id of the latest leg the controller originated to the seat."""
        rings = self.control.rings(seat_id)
        assert rings, f"{seat_id} was never rung"
        return rings[-1]["channel_id"]

    async def seat_answers(self, seat_id: str, *, settle: bool = True) -> str:
        leg = self.ringing_leg(seat_id)
        self.send(tel.CallEntered(at=self.clock.wall(), channel_id=leg, channel_name=f"PJSIP/{seat_id}-0001",
                                  args=("seat", seat_id), caller_number=None, caller_name=None,
                                  state=tel.ChannelState.UP))
        if settle:
            await self.settle()
        return leg

    async def gone(self, channel_id: str, reason: tel.HangupCause | None = tel.HangupCause.NORMAL, *,
                   settle: bool = True) -> None:
        self.send(tel.ChannelGone(at=self.clock.wall(), channel_id=channel_id, reason=reason))
        if settle:
            await self.settle()

    async def prompts_end(self, channel_id: str) -> None:
        """Every prompt still playing on the channel finishes (one `PlaybackEnded` each)."""
        for playback_id in self.control.playbacks_on(channel_id):
            self.control.playing.pop(playback_id)
            self.send(tel.PlaybackEnded(at=self.clock.wall(), playback_id=playback_id,
                                        target_uri=f"channel:{channel_id}", failed=False))
        await self.settle()

    async def feature_code(self, seat_id: str, code: str) -> str:
        channel_id = self.new_channel_id("feature")
        self.send(tel.CallEntered(at=self.clock.wall(), channel_id=channel_id,
                                  channel_name=f"PJSIP/{seat_id}-0002", args=("feature", seat_id, code),
                                  caller_number=seat_id, caller_name=None, state=tel.ChannelState.RING))
        await self.settle()
        return channel_id

    # --- what the tests ask ----------------------------------------------------------------------
    def session(self, channel_id: str) -> CallSession:
        session = self.ctx.sessions.by_caller_channel(channel_id)
        assert session is not None, f"no live call for channel {channel_id}"
        return session

    def facts_of(self, kind: type) -> list[Any]:
        return [fact for fact in self.facts if isinstance(fact, kind)]

    def seat_status(self, seat_id: str) -> SeatStatus:
        return next(s.status for s in self.controller.acd.snapshot().seats if s.seat_id == seat_id)

    async def close(self) -> None:
        await self.controller.close()
        await self.journal.close(timeout=0)


def caller_entered(channel_id: str, *, number: str | None = "081234567890", dialled: str = "112",
                   at: datetime = START, **extra: Any) -> tel.CallEntered:
    values: dict[str, Any] = dict(at=at, channel_id=channel_id, channel_name=f"PJSIP/trunk-{channel_id}",
                                  args=("inbound", dialled), caller_number=number, caller_name=None,
                                  state=tel.ChannelState.RING, dialled=dialled)
    values.update(extra)
    return tel.CallEntered(**values)


async def build_pbx(*, seats: Sequence[str] = SEATS, options: ControllerOptions | None = None,
                    config: QueueConfig | None = None, journal: Journal | None = None) -> Pbx:
    """A started controller with fakes for every port (close it with `Pbx.close`)."""
    control, recorder, fallback = FakeCallControl(), FakeRecorder(), FakeFallbackQueue()
    devices, store, clock, notices = FakeDeviceStates(), FakeStore(), FakeClock(), FakeNotices()
    # a failing store is retried at once (no backoff to wait for); close never waits for it; a write
    # naming a row that does not exist is given up, as app.py's journal gives up RecordNotFound
    journal = journal or Journal(min_backoff=0.0, max_backoff=0.0, drain_timeout=0.0,
                                 is_permanent=lambda exc: isinstance(exc, LookupError))
    watched: list[str] = []
    ctx = Context(options or default_options(seats), control, recorder, fallback, devices, store,
                  clock=clock, watch=watched.append)
    controller = Controller(ctx, config or default_config(seats))
    timers = FakeTimers()
    controller.timers.close()
    controller.timers = timers  # type: ignore[assignment]
    pbx = Pbx(controller, ctx, control, recorder, fallback, devices, store, clock, notices, journal, timers,
              watched=watched)
    ctx.facts.subscribe(PersistenceSubscriber(store, journal, clock, controller.post))
    ctx.facts.subscribe(NoticeSubscriber(notices))
    ctx.facts.subscribe(pbx.facts.append)
    await journal.start()
    return pbx
