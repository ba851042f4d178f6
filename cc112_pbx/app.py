"""The one composition root: settings -> storage, Asterisk adapters, services; start, serve, drain, stop.

    async with Cc112App(settings) as app:   # fails fast if Asterisk is unreachable or refuses us
        await app.serve_forever(until=stop)  # returns once `stop` is set (SIGINT/SIGTERM in `cc112 serve`);
                                             # raises EssentialTaskFailed if an essential task fails

Lifecycle (uvicorn-style): `start()` opens the database (migrating it) and the adapters, then
starts the essential tasks (the controller's loop and one pump per event source; the journal's
worker is watched too) under a `Supervisor`: the first that fails is logged once and makes
`serve_forever()` raise. `stop()` stops taking events (the tasks, then the ARI stream, so
Asterisk sends new callers to the fallback queue), drains the lanes and the journal until
`shutdown_deadline`, logs what was left, and closes everything in reverse order. No task
outlives `stop()`.

A database that cannot be reached at start does not stop the controller: calls are handled and
what is learnt is written once the database answers (the journal retries).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import structlog

from cc112_pbx.app_dispatch import agency_seeds, dispatch_factory, dispatch_router
from cc112_pbx.asterisk import AmiManager, AriClient, AriEventStream, AsteriskHealth
from cc112_pbx.asterisk.call_control import AriCallControl
from cc112_pbx.asterisk.fallback_queue import AmiFallbackQueue
from cc112_pbx.asterisk.recorder import MixMonitorRecorder
from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import QueueConfig, SeatLoggedIn, SeatPaused
from cc112_pbx.domain.aml import AmlLimits
from cc112_pbx.domain.call_tags import NuisanceNumbers, PrankPolicy
from cc112_pbx.domain.callbacks import CallbackPolicy
from cc112_pbx.http.server import ApiServer
from cc112_pbx.services.adoption import StoredCalls
from cc112_pbx.services.aml_service import AmlPolicy, parse_senders
from cc112_pbx.services.api import ApiServices, build_api_services
from cc112_pbx.services.callbacks import PendingCallback
from cc112_pbx.services.context import Context, ControllerOptions
from cc112_pbx.services.controller import Controller
from cc112_pbx.services.fallback_reconcile import FallbackRecorder
from cc112_pbx.services.journal import Journal
from cc112_pbx.services.leadership import Leadership, LeadershipLost, Role
from cc112_pbx.services.notices import NoticeSubscriber
from cc112_pbx.services.notifier import Notifier
from cc112_pbx.services.persistence import PersistenceSubscriber
from cc112_pbx.services.qc_service import QcPolicy, run_weekly
from cc112_pbx.services.recording_checksums import RecordingChecksums
from cc112_pbx.services.recording_health import RecordingHealth
from cc112_pbx.services.retention import RetentionService
from cc112_pbx.settings import Settings
from cc112_pbx.storage import Database
from cc112_pbx.storage.leadership import Fence, PgLeaderLock
from cc112_pbx.storage.refusals import refused_by_database
from cc112_pbx.supervisor import EssentialTaskFailed, Supervisor

log = structlog.get_logger("cc112.app")

ENDED_WHILE_DOWN = "ended while the controller was down"
SHUTDOWN_DEADLINE = 10.0  # seconds `stop()` may take: draining, then closing
CLOSE_RESERVE = 1.0  # the last part of the deadline, kept for closing connections
RESYNC_SETTLE = 5.0  # seconds a (re)start waits for the callers found in the app before restoring callbacks


def aml_policy(settings: Settings) -> AmlPolicy:
    """The AML service's policy from `[aml]` (issue 19)."""
    aml = settings.aml
    return AmlPolicy(senders=parse_senders(aml.senders), match_window=float(aml.match_window),
                     unmatched_retention=float(aml.unmatched_retention), limits=AmlLimits(max_age=float(aml.max_age)))


def qc_policy(settings: Settings) -> QcPolicy:
    """Quality control's sampling policy from `[qc]` and the centre's time zone (issue 18)."""
    qc = settings.qc
    return QcPolicy.of(settings.http.time_zone, qc.samples_per_taker, qc.min_talk_time, qc.answer_target)


def controller_options(settings: Settings) -> ControllerOptions:
    queue = settings.queue
    return ControllerOptions(
        app=settings.asterisk.ari_app,
        recordings_dir=str(settings.asterisk.recordings_dir),
        hold_announcement_interval=float(queue.hold_announcement_interval),
        languages=tuple(queue.languages),
        feature_login=queue.feature_login,
        feature_logout=queue.feature_logout,
        feature_pause=queue.feature_pause,
        seat_dial_strings={seat.id: seat.dial_string for seat in settings.seats},
        repeat_caller_window=float(settings.incident.repeat_caller_window),
        ghost_call_threshold=float(settings.incident.ghost_call_threshold),
        silent_caller_prompt_after=float(settings.incident.silent_caller_prompt_after),
    )


class Cc112App:
    shutdown_deadline: float = SHUTDOWN_DEADLINE

    def __init__(self, settings: Settings, *, notifier: Notifier | None = None, restore_seats: bool = True,
                 serve_api: bool = False, api_port: int | None = None) -> None:
        self.settings = settings
        self.serve_api = serve_api  # the HTTP API on `[http] host:port` (`api_port` overrides the port)
        self.api_port = api_port
        self.api: ApiServices | None = None
        self.api_server: ApiServer | None = None
        self.notifier = notifier or Notifier()
        self.health = AsteriskHealth()
        self.restore_seats = restore_seats
        self.db: Database | None = None
        self.journal = Journal(is_permanent=refused_by_database)
        self.ari: AriClient | None = None
        self.ari_events: AriEventStream | None = None
        self.ami: AmiManager | None = None
        self.controller: Controller | None = None
        self.leadership = Leadership(None, None, poll_interval=1.0, lease=1.0, clock=_monotonic)  # see _leadership
        self._supervisor = Supervisor()
        self._exits = contextlib.AsyncExitStack()

    async def __aenter__(self) -> Cc112App:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        settings = self.settings
        self.db = Database(settings.database.url, server_settings=_pair_session(settings))
        await self.db.start()
        self._exits.push_async_callback(self.db.dispose)
        pair = settings.ha.mode == "pair" and self.db.dialect == "postgresql"
        db_ready = await self._migrate(write=not pair)  # a standby writes nothing (the fence comes next)
        self._leadership()
        await self.journal.start()
        self._exits.push_async_callback(self.journal.close)
        if self.journal.task is not None:
            self._supervisor.watch(self.journal.task)
        self.ari = await self._exits.enter_async_context(AriClient.from_settings(settings))
        self.ari_events = AriEventStream.from_settings(self.ari, settings, health=self.health.ari)
        self.ami = AmiManager.from_settings(settings, health=self.health.ami)
        await self.ami.start()
        self._exits.push_async_callback(self.ami.stop)
        api_seats = await self._api_seats() if db_ready else []
        options = controller_options(settings)
        options.seat_dial_strings.update({seat.id: seat.dial_string for seat in api_seats})
        ctx = Context(
            options=options, control=AriCallControl(self.ari, settings.asterisk.ari_app),
            recorder=MixMonitorRecorder(self.ami, self.ari),
            fallback=AmiFallbackQueue(self.ami, settings.asterisk.fallback_queue), devices=self.ami,
            store=self.db, watch=self.ari_events.watch,
            nuisance=NuisanceNumbers(PrankPolicy.from_settings(settings.incident)),
        )
        policy = CallbackPolicy.from_settings(settings.callback, settings.trunk)
        self.controller = Controller(ctx, QueueConfig.from_settings(settings.queue, [*settings.seats, *api_seats]),
                                     policy)
        controller = self.controller
        ctx.facts.subscribe(PersistenceSubscriber(self.db, self.journal, ctx.clock, controller.post,
                                                  lambda: controller.callbacks.policy))
        ctx.facts.subscribe(NoticeSubscriber(self.notifier))
        # reliability: callers who reached the fallback queue while the app was not held are recorded
        ctx.facts.subscribe(FallbackRecorder(self.db, self.journal, self.ari.list_channels,
                                             lambda what, job: ctx.lanes.submit("fallback-scan", what, job),
                                             ctx.clock.wall))
        # issue 15: each ended recording's size and SHA-256, stored beside its row (best-effort)
        ctx.facts.subscribe(RecordingChecksums(self.db.recordings, self.journal, ctx.lanes.submit, ctx.clock.wall))
        self._exits.push_async_callback(self.controller.close)
        self.controller.gate = self.leadership if self.leadership.role is not Role.SINGLE else None
        self._supervisor.spawn(self.controller.run(), name="cc112-controller")
        if self.leadership.role is Role.SINGLE:
            await self._act(db_ready)
            await self._start_api(db_ready)
            self._leader_duties()
        else:  # issue 21: the standby is warm (connected, configured, serving reads) until it leads
            self._supervisor.spawn(self._pump(self.ami), name="cc112-pump-ami")  # dropped until it leads
            await self._start_api(db_ready, adopt=False)
            self._supervisor.spawn(self._lead_when_elected(), name="cc112-leadership")
            log.info("standby_ready", node=self.settings.ha.node or _node())
        log.info("controller_started", ari=self.ari.base_url, ami=self.ami.where, seats=len(settings.seats),
                 database=_safe_url(settings.database.url), role=str(self.leadership.role))

    async def _act(self, db_ready: bool) -> None:
        """What a start (and a standby's takeover) does before it acts: the restart path. Seats, open
        calls and callbacks come back from the database; then the Stasis app's event stream: its
        resync reports the callers and bridges in Asterisk, adopted as after a restart."""
        assert self.db is not None and self.controller is not None and self.ari_events is not None
        assert self.ami is not None
        settings = self.settings
        if db_ready and self.restore_seats:
            await self._restore_seats()
        if db_ready:
            await self._close_calls_ended_while_down()
            await self._read_stored_calls()
        if self.leadership.role is not Role.SINGLE:
            self.ari_events.may_take_back = self._still_leading  # a former leader leaves the app to its successor
        await self.ari_events.start()
        self._exits.push_async_callback(self.ari_events.stop)
        self._supervisor.spawn(self._pump(self.ari_events), name="cc112-pump-ari")
        if self.leadership.role is Role.SINGLE:
            self._supervisor.spawn(self._pump(self.ami), name="cc112-pump-ami")
        elif self.health.ami.connected:  # what AMI said while standby was dropped: read it again
            self.controller.post(tel.ConnectionChanged(at=datetime.now(UTC), link="ami", connected=True))
        self.controller.seats.resync_fallback()
        if db_ready:  # after the resync's callers are back: a seat on a call is not free for a callback
            await self._settle_resync()
            await self._restore_callbacks()
        if settings.recordings.retention_days > 0:  # issue 15: the daily retention run, owned by the supervisor
            retention = RetentionService(self.db.recordings, str(settings.asterisk.recordings_dir),
                                         settings.recordings.retention_days, qc=self.db.qc)
            self._supervisor.spawn(retention.run_daily(lambda: datetime.now(UTC)), name="cc112-retention")

    def _leadership(self) -> None:
        """`[ha] mode = "pair"` on PostgreSQL: the lock, the fence, and this controller as the standby
        until it leads. Otherwise single-node (SQLite always is), and the log says so."""
        assert self.db is not None
        ha = self.settings.ha
        if ha.mode != "pair" or self.db.dialect != "postgresql":
            reason = ("[ha] mode = \"pair\" needs PostgreSQL: SQLite is single-node" if ha.mode == "pair"
                      else "[ha] mode = \"single\"")
            (log.error if ha.mode == "pair" else log.info)("single_node", reason=reason,
                                                            database=self.db.dialect)
            return
        node = ha.node or _node()
        lock = PgLeaderLock(self.settings.database.url, node=node, advertise_url=ha.advertise_url, lease=ha.lease)
        self._exits.push_async_callback(lock.release)  # after the journal's last writes, before the database
        fence = Fence()
        fence.install(self.db.engine)
        self.leadership = Leadership(lock, fence, poll_interval=ha.poll_interval, lease=ha.lease, clock=_monotonic)

    async def _still_leading(self) -> bool:
        try:
            await self.leadership.confirm(force=True)
        except LeadershipLost:
            return False
        return True

    def _leader_duties(self) -> None:
        """The timers only the acting controller runs (single-node, or the pair's leader once it leads):
        dispatch's overdue watch and position pruning (issue 17), each finished week's QC draw (issue 18)."""
        if self.api is None or self.controller is None:
            return
        lanes = self.controller.ctx.lanes
        self.api.dispatch.start(lambda what, job: lanes.submit("dispatch-upkeep", what, job))
        if self.settings.qc.enabled:
            self._supervisor.spawn(run_weekly(self.api.qc, interval=self.settings.qc.check_interval),
                                   name="cc112-qc")

    async def _lead_when_elected(self) -> None:
        """The standby's essential task: take the lock when it is free, take over as after a restart,
        then hold the lock; LeadershipLost ends it (and the process: a former leader acts no more)."""
        assert self.ari is not None
        leadership = self.leadership
        epoch = await leadership.campaign()
        started = _monotonic()
        # the heartbeat from the first moment: the lock's session dies after `lease` s without a query
        # (idle_session_timeout), and a takeover under load can take longer than that
        holding = asyncio.ensure_future(leadership.hold())
        try:
            # a former leader acts on its last heartbeat for at most `quiet`: wait that out before acting
            await asyncio.sleep(leadership.quiet)
            log.info("takeover_started", epoch=epoch)
            db_ready = await self._migrate(write=True)
            if db_ready and self.api is not None:
                await self._adopt_queue_config()
                await self._define_api_seats()  # seats the leader created through the API while this one stood by
                try:  # issue 17: seed the agencies file, read the directory and the open dispatches afresh
                    await self.api.dispatch.load(agency_seeds(self.settings))
                except Exception as exc:
                    log.error("dispatch_not_loaded", error=repr(exc))
            await self._act(db_ready)
            self._leader_duties()
            log.info("takeover_done", epoch=epoch, seconds=round(_monotonic() - started, 3))
            await holding  # LeadershipLost ends it
        finally:
            holding.cancel()

    async def _migrate(self, *, write: bool = True) -> bool:
        """Migrate, and (`write`: not a standby) store the settings file's seats."""
        assert self.db is not None
        try:
            await self.db.upgrade()
            if write:
                await self.db.seats.sync(self.settings.seats, datetime.now(UTC))
        except Exception as exc:
            log.error("database_unavailable_calls_still_handled", error=repr(exc),
                      database=_safe_url(self.settings.database.url))
            return False
        return True

    async def _restore_callbacks(self) -> None:
        """Callbacks a previous run scheduled and did not finish go on (an attempt cut short by the
        restart counts as made; the next one is due at once or when it was due)."""
        assert self.db is not None and self.controller is not None
        controller = self.controller
        try:
            rows = await self.db.callbacks.pending()
        except Exception as exc:
            log.warning("pending_callbacks_not_restored", error=repr(exc))
            return
        entries = [PendingCallback(key=row.call_id or f"callback-{row.id}", number=row.number, reason=row.reason,
                                   incident_id=row.incident_id, seat_id=row.seat_id, due_at=row.due_at,
                                   attempts=row.attempts, callback_id=row.id)
                   for row in rows if row.number]
        await controller.request(lambda: controller.callbacks.restore(entries))

    async def _api_seats(self) -> list[Any]:
        """Seats created through the API (kept across restarts, beside the settings file's)."""
        assert self.db is not None
        configured = {seat.id for seat in self.settings.seats}
        return [seat for seat in await self.db.seats.all() if seat.origin == "api" and seat.id not in configured]

    async def _start_api(self, db_ready: bool, *, adopt: bool = True) -> None:
        """The API's services (always: the demo and tests use them in-process) and, with `serve_api`,
        its HTTP server. The queue configuration version in force is adopted from the database."""
        assert self.db is not None and self.controller is not None
        settings = self.settings
        journal = self.journal
        recording_health = RecordingHealth(self.db.recordings, str(settings.asterisk.recordings_dir),
                                           settings.recordings.min_free_mb)
        router = dispatch_router(settings)  # issue 17: the road router for officers' ETAs, if configured
        if router is not None:
            self._exits.push_async_callback(router.close)
        self.api = build_api_services(self.db, self.controller, self.notifier, links=self.health.snapshot,
                                      recordings_dir=str(settings.asterisk.recordings_dir),
                                      aml_policy=aml_policy(settings), time_zone=settings.http.time_zone,
                                      qc_policy=qc_policy(settings),
                                      writes=lambda: {"retrying": journal.retrying, "backlog": journal.backlog},
                                      recording_health=recording_health.summary,
                                      dispatch=dispatch_factory(settings, self.db, router),
                                      leadership=self.leadership.describe, start_dispatch=False)
        self._exits.callback(self.api.close)
        if db_ready:  # issue 17: the directory and the open dispatches (a standby reads, only the acting one seeds)
            await self.api.dispatch.load(agency_seeds(settings) if adopt else ())
        if db_ready and adopt:
            await self._adopt_queue_config()
        if self.serve_api:
            port = settings.http.port if self.api_port is None else self.api_port
            server = ApiServer(self.api, host=settings.http.host, port=port, console=settings.http)
            try:
                await server.start()
            except OSError as exc:  # calls come first: the controller runs on without its API
                log.error("api_unavailable", host=settings.http.host, port=port, error=str(exc))
                return
            self.api_server = server
            self._exits.push_async_callback(server.stop)

    async def _settle_resync(self, timeout: float = RESYNC_SETTLE) -> None:
        """Until the event stream's resync is handled and the callers it found are adopted (bounded)."""
        assert self.controller is not None
        controller = self.controller
        try:
            async with asyncio.timeout(timeout):
                await controller.resynced.wait()
                await controller.calls.all_adopted.wait()  # each found caller's lookup handled in the loop
        except TimeoutError:
            log.warning("resync_not_settled", seconds=timeout)

    async def _read_stored_calls(self) -> None:
        """The open calls and their recordings in two queries, for the resync's callers to be taken back
        without a query each (a takeover's 100 callers within its 2 s); else each is looked up alone."""
        assert self.db is not None and self.controller is not None
        try:
            self.controller.calls.stored_calls = await StoredCalls.load(self.db)
        except Exception as exc:
            log.warning("stored_calls_not_read", error=repr(exc))

    async def _define_api_seats(self) -> None:
        assert self.api is not None and self.controller is not None
        dial_strings = self.controller.ctx.options.seat_dial_strings
        try:
            for seat in await self._api_seats():
                if dial_strings.get(seat.id) != seat.dial_string:
                    await self.api.live.define_seat(seat.id, seat.dial_string, seat.overflow)
        except Exception as exc:
            log.error("api_seats_not_defined", error=repr(exc))

    async def _adopt_queue_config(self) -> None:
        assert self.api is not None
        settings = self.settings
        try:
            callback = {f"callback_{name}": value for name, value in dataclasses.asdict(settings.callback).items()}
            await self.api.queue.adopt({**dataclasses.asdict(settings.queue), **callback})
        except Exception as exc:
            log.error("queue_config_not_adopted", error=repr(exc))

    async def _restore_seats(self) -> None:
        """Seats logged in before a restart stay logged in (and paused) as stored."""
        assert self.db is not None and self.controller is not None
        controller = self.controller
        for seat in await self.db.seats.all():
            if seat.logged_in:
                await controller.request(lambda s=seat: controller.feed(SeatLoggedIn(s.id)))
                if seat.paused_reason is not None:
                    await controller.request(lambda s=seat: controller.feed(SeatPaused(s.id, s.paused_reason)))

    async def _close_calls_ended_while_down(self) -> None:
        """Calls a previous run left open whose channel Asterisk no longer has ended while no
        controller was watching: stamp their end (outcome unknown) so they are not live forever.
        Channels still there are adopted by the event stream's resync instead."""
        assert self.db is not None and self.ari is not None
        try:
            present = {c.channel_id for c in await self.ari.list_channels()}
            stale = [c for c in await self.db.calls.active() if c.channel_id not in present]
        except Exception as exc:
            log.warning("stale_call_check_failed", error=repr(exc))
            return
        now, db = datetime.now(UTC), self.db
        for call in stale:
            self.journal.submit("close_stale_call", lambda c=call: db.calls.end(c.id, now, None, ENDED_WHILE_DOWN),
                                call_id=call.id, channel=call.channel_id)
        if stale:
            log.warning("calls_ended_while_controller_down", count=len(stale))

    async def _pump(self, source: AsyncIterator[Any]) -> None:
        assert self.controller is not None
        leadership = self.leadership
        async for event in source:
            if leadership.acting:  # a standby drops AMI's events (it reads the state again when it leads)
                self.controller.post(event)

    @property
    def failure(self) -> EssentialTaskFailed | None:
        """The essential task failure that ended serving, if any."""
        return self._supervisor.failure

    async def serve_forever(self, until: asyncio.Event | None = None) -> None:
        """Serve until `until` is set (or cancelled); raise EssentialTaskFailed as soon as an essential
        task fails (already logged as `essential_task_failed`): the caller then stops the app."""
        await self._supervisor.wait(until)

    async def stop(self) -> None:
        """Stop taking events, drain the lanes and the journal, close in reverse order, all within
        `shutdown_deadline`; what could not be done in time is logged. Idempotent."""
        loop = asyncio.get_running_loop()
        end = loop.time() + self.shutdown_deadline
        drain_end = end - min(CLOSE_RESERVE, self.shutdown_deadline / 2)
        if self.leadership.role is Role.LOST:  # a former leader: what is pending is not its to do any more
            drain_end = loop.time()
        if not self._supervisor.stopping:
            log.info("controller_stopping", deadline=self.shutdown_deadline, unwritten=self.journal.backlog,
                     failure=str(self.failure) if self.failure else None)
        if self.api_server is not None:
            await self.api_server.stop()  # no more API requests into a controller that is stopping
        await self._supervisor.stop()  # the controller's loop and the pumps: no new offers from here
        if self.ari_events is not None:
            await self.ari_events.stop()  # the Stasis app goes: new callers reach the fallback queue
        lanes_left = await self._drain_lanes(drain_end)
        journal = self.journal
        pending, done = journal.backlog, journal.written + journal.abandoned
        await journal.close(timeout=max(0.0, drain_end - loop.time()))  # logs each write left as journal_unwritten
        unwritten = pending - (journal.written + journal.abandoned - done)
        try:
            async with asyncio.timeout_at(max(end, loop.time() + 0.1)):
                await self._exits.aclose()
        except TimeoutError:
            log.error("controller_close_timed_out", deadline=self.shutdown_deadline)
        log.info("controller_stopped", unwritten=unwritten, lanes_abandoned=lanes_left)

    async def _drain_lanes(self, until: float) -> int:
        """Let the requests already decided reach Asterisk until `until`; the number of lanes cut off."""
        if self.controller is None:
            return 0
        lanes = self.controller.ctx.lanes
        left = 0
        try:
            async with asyncio.timeout_at(until):
                await lanes.idle()
        except TimeoutError:
            left = lanes.busy
            log.error("shutdown_deadline_lanes_abandoned", lanes=left)
        await lanes.close(timeout=0)
        return left


def _pair_session(settings: Settings) -> dict[str, str] | None:
    """A pair's PostgreSQL sessions are named after the node (an operator sees which controller holds
    what), and a transaction left open by a frozen controller ends after two leases (it would hold
    back the new leader's epoch bump)."""
    if settings.ha.mode != "pair":
        return None
    return {"application_name": f"cc112 {settings.ha.node or _node()}"[:63],
            "idle_in_transaction_session_timeout": str(int(settings.ha.lease * 2000))}


def _monotonic() -> float:
    return asyncio.get_running_loop().time()


def _node() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def _safe_url(url: str) -> str:
    """The database URL without its password, for logs."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
