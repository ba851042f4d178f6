"""The API's services, built once by the composition root (`app.py`) from the store, the running
controller and the notifier, and handed to the HTTP layer as one bundle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from cc112_pbx.services.aml_service import AmlPolicy, AmlService
from cc112_pbx.services.auth_service import AuthService
from cc112_pbx.services.call_stats import CallStats
from cc112_pbx.services.call_tag_service import CallTagService
from cc112_pbx.services.callback_admin import CallbackAdminService
from cc112_pbx.services.controller import Controller
from cc112_pbx.services.dispatch_callback import queue_reporter_callback
from cc112_pbx.services.dispatching import Dispatching
from cc112_pbx.services.event_hub import EventHub
from cc112_pbx.services.health_service import HealthService
from cc112_pbx.services.incident_service import IncidentService
from cc112_pbx.services.live_control import LiveControl
from cc112_pbx.services.notifier import Notifier
from cc112_pbx.services.ports import ApiStore
from cc112_pbx.services.qc_service import QcPolicy, QcService
from cc112_pbx.services.queue_config_service import QueueConfigService
from cc112_pbx.services.recording_service import RecordingService
from cc112_pbx.services.report_service import ReportService
from cc112_pbx.services.seat_admin_service import SeatAdminService


@dataclass(slots=True)
class ApiServices:
    auth: AuthService
    queue: QueueConfigService
    seats: SeatAdminService
    live: LiveControl
    events: EventHub
    incidents: IncidentService
    callbacks: CallbackAdminService
    recordings: RecordingService
    reports: ReportService
    health: HealthService
    stats: CallStats
    store: ApiStore
    aml: AmlService
    dispatch: Dispatching  # issue 17
    qc: QcService  # issue 18
    tags: CallTagService | None = None  # issue 19: prank/abusive/ghost/silent tags and their reports
    leadership: Callable[[], Mapping[str, object]] | None = None  # issue 21: {"role": ..., "leader": ...}

    def close(self) -> None:
        self.events.close()
        self.aml.close()
        self.dispatch.close()


def build_api_services(store: ApiStore, controller: Controller, notifier: Notifier, *,
                       links: Callable[[], Mapping[str, Mapping[str, str]]], recordings_dir: str,
                       aml_policy: AmlPolicy | None = None, time_zone: str = "Asia/Jakarta",
                       qc_policy: QcPolicy | None = None,
                       writes: Callable[[], Mapping[str, object]] | None = None,
                       recording_health: Callable[[], Awaitable[Mapping[str, object]]] | None = None,
                       dispatch: Callable[..., Dispatching] | None = None,
                       leadership: Callable[[], Mapping[str, object]] | None = None,
                       start_dispatch: bool = True) -> ApiServices:
    """`dispatch(clock=, notices=, check_incident=, queue_callback=)` builds the dispatch bundle (issue 17);
    `start_dispatch=False` leaves its timers to the caller (`Dispatching.start`: only the acting controller)."""
    clock = controller.ctx.clock
    live = LiveControl(controller)
    notifier.subscribe(live.observe)  # time in state per seat
    stats = CallStats(clock.monotonic)
    notifier.subscribe(stats)
    events = EventHub(notifier, live.session, lambda: clock.wall().isoformat())
    events.start()
    aml = AmlService(store, controller, notifier, aml_policy or AmlPolicy())  # type: ignore[arg-type]
    aml.start()
    tags = CallTagService(store, controller, notifier, time_zone)  # type: ignore[arg-type]
    tags.start()
    incidents = IncidentService(store, clock, live.incident_status_changed)
    dispatching = (dispatch or _no_dispatch(store))(clock=clock, notices=notifier, check_incident=incidents.check_own,
                                                    queue_callback=lambda incident, actor: queue_reporter_callback(
                                                        store, controller, incident, actor))
    incidents.open_dispatches = dispatching.service.open_count  # the closing rule (issue 17)
    auth = AuthService(store.api_users, store.audit, clock)
    auth.bind = dispatching.directory.bind
    reports = ReportService(store.audit, store.calls, store.callbacks, clock)
    reports.dispatch_summary = dispatching.reports.summary
    if start_dispatch:
        dispatching.start(lambda what, job: controller.ctx.lanes.submit("dispatch-upkeep", what, job))
    return ApiServices(
        auth=auth,
        queue=QueueConfigService(store.queue_config, store.audit, live, clock),
        seats=SeatAdminService(store.seats, store.audit, live, clock),
        live=live, events=events,
        incidents=incidents,
        callbacks=CallbackAdminService(store.callbacks, store.audit, clock, live),
        recordings=RecordingService(store.recordings, store.calls, recordings_dir),
        reports=reports,
        health=HealthService(links, store.ping, writes=writes, recordings=recording_health, leadership=leadership),
        stats=stats, store=store, aml=aml, dispatch=dispatching, tags=tags, leadership=leadership,
        qc=QcService(store, store.audit, clock, qc_policy or QcPolicy()),
    )


def _no_dispatch(store: ApiStore) -> Callable[..., Dispatching]:
    """Without a configured bundle (tests that build the API by hand): photos in memory, no router."""
    from cc112_pbx.services.dispatching import MemoryPhotos

    return lambda **kw: Dispatching(store, kw["clock"], kw["notices"], MemoryPhotos(),  # type: ignore[arg-type]
                                    check_incident=kw["check_incident"], queue_callback=kw["queue_callback"])
