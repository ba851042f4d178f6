"""The dispatch services as one bundle (issue 17), built by the composition root: the directory,
the positions, the dispatches, and their two timers (the overdue watch and the positions'
retention), which `start()` arms and `close()` cancels (no task outlives the bundle)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cc112_pbx.domain.positions import PositionLimits
from cc112_pbx.services.dispatch_directory import DispatchDirectory
from cc112_pbx.services.dispatch_positions import PositionService
from cc112_pbx.services.dispatch_service import DispatchService, IncidentCheck
from cc112_pbx.services.eta import EtaService
from cc112_pbx.services.ports import Clock, DispatchStore, Notices, PhotoStore, Router
from cc112_pbx.services.timers import TimerService

PRUNE_EVERY = 3600.0
Submit = Callable[[str, Callable[[], Awaitable[Any]]], None]


@dataclass(frozen=True, slots=True)
class DispatchPolicy:
    fallback_speed_kmh: float = 30.0
    stale_after: float = 600.0
    accept_within: float = 300.0
    retention_days: int = 7
    limits: PositionLimits = PositionLimits()
    photo_max_bytes: int = 5 * 1024 * 1024


class Dispatching:
    def __init__(self, store: DispatchStore, clock: Clock, notices: Notices, photos: PhotoStore, *,
                 router: Router | None = None, policy: DispatchPolicy = DispatchPolicy(),
                 check_incident: IncidentCheck | None = None) -> None:
        self.policy = policy
        self.clock = clock
        self.directory = DispatchDirectory(store, clock, notices, stale_after=policy.stale_after)
        self.positions = PositionService(store, self.directory, notices, limits=policy.limits,
                                         retention_days=policy.retention_days)
        self.etas = EtaService(router, policy.fallback_speed_kmh)
        self.service = DispatchService(store, self.directory, notices, self.etas, photos,
                                       accept_within=policy.accept_within, photo_max_bytes=policy.photo_max_bytes,
                                       check_incident=check_incident)
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
