"""The dispatch services as one bundle (issue 17), built by the composition root: the directory,
the positions, the dispatches, and their two timers (the overdue watch and the positions'
retention), which `start()` arms and `close()` cancels (no task outlives the bundle)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cc112_pbx.domain.positions import PositionLimits
from cc112_pbx.domain.timeline import TimelineEntry, TimelineKind
from cc112_pbx.services.access import Principal
from cc112_pbx.services.api_errors import Conflict, FieldProblem, Forbidden, Invalid
from cc112_pbx.services.dispatch_directory import DispatchDirectory
from cc112_pbx.services.dispatch_positions import PositionService
from cc112_pbx.services.dispatch_reports import DispatchReports
from cc112_pbx.services.dispatch_service import DispatchService, IncidentCheck
from cc112_pbx.services.eta import EtaService
from cc112_pbx.services.ports import Clock, DispatchStore, Notices, PhotoStore, Router
from cc112_pbx.services.timers import TimerService

PRUNE_EVERY = 3600.0
Submit = Callable[[str, Callable[[], Awaitable[Any]]], None]
# queue a callback to tell the reporter (incident, who asked) -> the callback's id, or None (no number)
QueueCallback = Callable[[Any, str], Awaitable[int | None]]


@dataclass(frozen=True, slots=True)
class DispatchPolicy:
    fallback_speed_kmh: float = 30.0
    stale_after: float = 600.0
    accept_within: float = 300.0
    retention_days: int = 7
    limits: PositionLimits = PositionLimits()  # noqa: RUF009 - frozen, immutable
    photo_max_bytes: int = 5 * 1024 * 1024


class Dispatching:
    def __init__(self, store: DispatchStore, clock: Clock, notices: Notices, photos: PhotoStore, *,
                 router: Router | None = None, policy: DispatchPolicy = DispatchPolicy(),
                 check_incident: IncidentCheck | None = None, queue_callback: QueueCallback | None = None) -> None:
        self.policy = policy
        self.store = store
        self.notices = notices
        self.queue_callback = queue_callback
        self.clock = clock
        self.directory = DispatchDirectory(store, clock, notices, stale_after=policy.stale_after)
        self.positions = PositionService(store, self.directory, notices, limits=policy.limits,
                                         retention_days=policy.retention_days)
        self.etas = EtaService(router, policy.fallback_speed_kmh)
        self.service = DispatchService(store, self.directory, notices, self.etas, accept_within=policy.accept_within,
                                       check_incident=check_incident)
        self.reports = DispatchReports(self.service, photos, photo_max_bytes=policy.photo_max_bytes)
        self._timers: TimerService | None = None
        self._submit: Submit | None = None

    async def load(self, seeds: Sequence[Mapping[str, Any]] = ()) -> None:
        """Seed the settings file's agencies, then read the directory and the open dispatches."""
        if seeds:
            await self.directory.seed(seeds)
        await self.directory.load()
        await self.service.load()

    def start(self, submit: Submit) -> None:
        """Arm the overdue watch and the retention (inside the running loop); `submit(what, job)` runs
        a database job in the background, owned by the caller's lanes."""
        self._submit = submit
        self._timers = TimerService(self._fired, self.clock.monotonic)
        self._arm_overdue()
        self._timers.start("prune", self.clock.monotonic() + 60.0)

    def close(self) -> None:
        if self._timers is not None:
            self._timers.close()
            self._timers = None

    def _arm_overdue(self) -> None:
        if self._timers is not None and self.policy.accept_within > 0:
            every = max(1.0, min(15.0, self.policy.accept_within / 4))
            self._timers.start("overdue", self.clock.monotonic() + every)

    def _fired(self, key: object) -> None:
        if key == "overdue":
            self.service.check_overdue()
            self._arm_overdue()
        elif key == "prune" and self._timers is not None:
            if self._submit is not None:
                self._submit("officer_positions_prune", self.positions.prune)
            self._timers.start("prune", self.clock.monotonic() + PRUNE_EVERY)

    # --- the reporter told (SOP step 5) ------------------------------------------------------------------
    async def informed(self, principal: Principal, incident_id: int, body: Any) -> dict[str, Any]:
        """A timeline entry that the reporter was told; with `callback`, a callback to tell them is queued."""
        if principal.is_field:
            raise Forbidden("the call centre informs the reporter", message_id="call center yang memberi tahu pelapor")
        if not isinstance(body, Mapping):
            raise Invalid([FieldProblem("body", "a JSON object {note?, callback?}")])
        note, callback = body.get("note", ""), body.get("callback", False)
        problems = []
        if not isinstance(note, str) or len(note) > 1000:
            problems.append(FieldProblem("note", "text up to 1000 characters"))
        if not isinstance(callback, bool):
            problems.append(FieldProblem("callback", "true or false"))
        if problems:
            raise Invalid(problems)
        incident = await self.service.incident(principal, incident_id)
        callback_id = None
        if callback:
            if self.queue_callback is None:
                raise Conflict("callbacks are not available here", message_id="panggilan balik tidak tersedia")
            callback_id = await self.queue_callback(incident, principal.username)
            if callback_id is None:
                raise Conflict("the reporter has no number to call back",
                               message_id="pelapor tidak memiliki nomor untuk dihubungi kembali")
        now = self.clock.wall()
        details = {"event": "reporter_informed", "text": "reporter informed of the dispatch", "note": note,
                   "callback_id": callback_id, "open_dispatches": await self.service.open_count(incident_id)}
        entry = TimelineEntry(TimelineKind.NOTE, now, principal.username[:64], None, details)
        await self.store.timeline.append(incident_id, [entry], key=f"informed:{incident_id}:{now.isoformat()}")
        self.notices.publish("reporter_informed", incident_id=incident_id, by=principal.username,
                             callback=callback_id)
        return {"incident_id": incident_id, "at": now.isoformat(), "callback_id": callback_id}


class MemoryPhotos:
    """Photos kept in memory (tests, and an API built without a photo directory)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def save(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return name

    async def read(self, path: str) -> bytes:
        if path not in self.files:
            raise FileNotFoundError(path)
        return self.files[path]
