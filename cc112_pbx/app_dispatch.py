"""The composition root's part for dispatch (issue 17): the `[dispatch]` settings made into the
bundle's policy, the road router (when `routing_url` is set), the photo directory, and the agencies
seeded from `agencies_file`. Kept apart from `app.py` so that file stays small."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cc112_pbx.domain.positions import PositionLimits
from cc112_pbx.routing import OsrmRouter
from cc112_pbx.services.dispatching import Dispatching, DispatchPolicy
from cc112_pbx.settings import Settings
from cc112_pbx.settings.agencies import load_agencies
from cc112_pbx.storage import Database
from cc112_pbx.storage.photos import DiskPhotoStore


def dispatch_policy(settings: Settings) -> DispatchPolicy:
    d = settings.dispatch
    return DispatchPolicy(fallback_speed_kmh=d.fallback_speed_kmh, stale_after=float(d.stale_after),
                          accept_within=float(d.accept_within), retention_days=d.position_retention_days,
                          limits=PositionLimits(max_future=float(d.position_max_future),
                                                max_age=float(d.position_max_age)),
                          photo_max_bytes=d.photo_max_bytes)


def dispatch_router(settings: Settings) -> OsrmRouter | None:
    d = settings.dispatch
    return OsrmRouter(d.routing_url, timeout=d.routing_timeout) if d.routing_url else None


def dispatch_factory(settings: Settings, db: Database, router: OsrmRouter | None) -> Callable[..., Dispatching]:
    """What `build_api_services(dispatch=...)` calls with the clock, the notices and the hooks."""
    photos = DiskPhotoStore(Path(settings.dispatch.photo_dir))
    policy = dispatch_policy(settings)
    return lambda **hooks: Dispatching(db, hooks["clock"], hooks["notices"], photos, router=router,  # type: ignore[arg-type]
                                       policy=policy, check_incident=hooks["check_incident"],
                                       queue_callback=hooks["queue_callback"])


def agency_seeds(settings: Settings) -> list[dict[str, Any]]:
    """The agencies file's content (SettingsError naming each bad key); none when not configured."""
    path = settings.dispatch.agencies_file
    return load_agencies(Path(path)) if path else []
