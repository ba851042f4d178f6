"""Run the real controller against the built-in Asterisk emulator, on loopback sockets.

Used by the demo, the end-to-end tests and the benchmark: `async with Switchboard(...) as sb:`
starts an `Emulator` (seats `PJSIP/seat01..NN` registered), builds `Settings` pointing the
controller at the emulator's AMI and ARI ports, and starts `Cc112App` on them.
Never imported by the production code paths (`cc112 serve`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from cc112_pbx.app import Cc112App
from cc112_pbx.emulator.parties import SeatBehaviour
from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from cc112_pbx.services.notifier import Notifier
from cc112_pbx.settings import (
    AmlSettings,
    AsteriskSettings,
    CallbackSettings,
    DatabaseSettings,
    DispatchSettings,
    IncidentSettings,
    QcSettings,
    QueueSettings,
    SeatSettings,
    Secret,
    Settings,
)

SECRET = "cc112-harness-secret"
SETTLE_POLL_INTERVAL = 0.02  # seconds between looks at the controller in `Switchboard.settled()`


def harness_settings(*, ari_url: str, ami_port: int, recordings_dir: Path, database_url: str, seats: int,
                     queue: dict[str, Any] | None = None, overflow_seats: int = 0,
                     callback: dict[str, Any] | None = None, incident: dict[str, Any] | None = None,
                     dial_strings: dict[str, str] | None = None, aml: dict[str, Any] | None = None,
                     dispatch: dict[str, Any] | None = None) -> Settings:
    base = Settings()
    dial_strings = dial_strings or {}
    seat_list = tuple(
        SeatSettings(id=f"seat{n:02d}", name=f"Meja {n}",
                     dial_string=dial_strings.get(f"seat{n:02d}", f"PJSIP/seat{n:02d}"),
                     overflow=n > seats - overflow_seats)
        for n in range(1, seats + 1)
    )
    return dataclasses.replace(
        base,
        asterisk=dataclasses.replace(
            AsteriskSettings(), ari_url=ari_url, ari_password=Secret(SECRET), ami_port=ami_port,
            ami_secret=Secret(SECRET), recordings_dir=recordings_dir, reconnect_min_delay=0.05,
            reconnect_max_delay=0.5, connect_timeout=2.0, request_timeout=5.0,
        ),
        database=DatabaseSettings(url=database_url),
        queue=dataclasses.replace(QueueSettings(), **(queue or {})),
        # callbacks only where a test or the demo asks for them: they ring seats on their own
        callback=dataclasses.replace(CallbackSettings(), **{"enabled": False, **(callback or {})}),
        incident=dataclasses.replace(IncidentSettings(), **(incident or {})),
        aml=dataclasses.replace(AmlSettings(), **(aml or {})),
        # issue 17: report photos under the work directory unless a test says otherwise
        dispatch=dataclasses.replace(DispatchSettings(), **{"photo_dir": str(recordings_dir.parent / "photos"),
                                                            **(dispatch or {})}),
        qc=QcSettings(enabled=False),  # the weekly QC draw only where a test or the demo runs it
        seats=seat_list,
    )


class Switchboard:
    """An emulator with `seats` softphones and the controller on SQLite (or `database_url`).

    `serial_channel_commands=True` (the default) makes the emulator run each Stasis channel's
    commands in turn as Asterisk does (ari-15: addChannel waits for the caller's queued channel
    playbacks); False runs them at once (only to show what the controller did before issue 12).
    `seat_qualify_delay` (seconds, default None: not qualified, reachable at once) and
    `seat_busy_at` (default 0: INUSE; the project's pjsip.conf: 1, BUSY) apply to seat01..NN as
    `SeatBehaviour.qualify_delay` / `busy_at`; `seat_behaviours` overrides single seats.
    """

    def __init__(self, workdir: Path, *, seats: int = 3, queue: dict[str, Any] | None = None,
                 callback: dict[str, Any] | None = None, incident: dict[str, Any] | None = None,
                 seat_behaviours: dict[str, SeatBehaviour] | None = None, seat_answer_after: float = 0.2,
                 database_url: str | None = None, overflow_seats: int = 0, notifier: Notifier | None = None,
                 sound_seconds: float = 0.3, dial_strings: dict[str, str] | None = None,
                 serial_channel_commands: bool = True, seat_qualify_delay: float | None = None,
                 seat_busy_at: int = 0, api: bool = False, aml: dict[str, Any] | None = None,
                 dispatch: dict[str, Any] | None = None) -> None:
        self.workdir = Path(workdir).resolve()
        self.recordings_dir = self.workdir / "recordings"
        self.database_url = database_url or f"sqlite+aiosqlite:///{self.workdir / 'cc112.sqlite3'}"
        self.seats = seats
        self.queue = queue
        self.callback = callback
        self.incident = incident
        self.aml = aml  # `[aml]` settings (issue 19): senders, match_window, unmatched_retention
        self.dispatch = dispatch  # `[dispatch]` settings (issue 17): routing_url, stale_after, agencies_file...
        self.overflow_seats = overflow_seats
        self.seat_behaviours = seat_behaviours or {}
        self.dial_strings = dial_strings
        self.notifier = notifier or Notifier()
        self.api = api  # start the HTTP API on a free loopback port (`api_url`, `api_token()`)
        self.emulator = Emulator(EmulatorConfig(
            seats=seats, seat_answer_after=seat_answer_after, recordings_dir=self.recordings_dir,
            ami_secret=SECRET, ari_password=SECRET, sound_seconds=sound_seconds,
            serial_channel_commands=serial_channel_commands, seat_qualify_delay=seat_qualify_delay,
            seat_busy_at=seat_busy_at,
        ))
        self.app: Cc112App | None = None

    async def __aenter__(self) -> Switchboard:
        self.workdir.mkdir(parents=True, exist_ok=True)
        await self.emulator.start()
        try:
            for behaviour in self.seat_behaviours.values():
                self.emulator.add_seat(behaviour)
            await self.start_controller()
        except BaseException:
            await self.emulator.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_controller()
        await self.emulator.stop()

    @property
    def settings(self) -> Settings:
        return harness_settings(
            ari_url=self.emulator.ari_url, ami_port=self.emulator.ami_port, recordings_dir=self.recordings_dir,
            database_url=self.database_url, seats=self.seats, queue=self.queue, callback=self.callback,
            incident=self.incident, aml=self.aml, dispatch=self.dispatch,
            overflow_seats=self.overflow_seats, dial_strings=self.dial_strings,
        )

    async def start_controller(self) -> Cc112App:
        app = Cc112App(self.settings, notifier=self.notifier, serve_api=self.api, api_port=0)
        await app.__aenter__()  # on a failed start, what was opened is closed again
        self.app = app
        return app

    async def stop_controller(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    @property
    def controller(self) -> Any:
        assert self.app is not None and self.app.controller is not None
        return self.app.controller

    @property
    def api_url(self) -> str:
        """The API's base URL (`Switchboard(..., api=True)`)."""
        assert self.app is not None and self.app.api_server is not None, "start the Switchboard with api=True"
        return self.app.api_server.url

    async def api_token(self, username: str = "admin", role: str = "admin", seat: str | None = None,
                        password: str = "harness-password") -> str:
        """Create a user (if needed) and issue a one-hour token for it."""
        from datetime import timedelta

        assert self.app is not None and self.app.api is not None
        auth = self.app.api.auth
        if await auth.users.by_username(username) is None:
            await auth.add_user("harness", username, role, password, seat)
        issued = await auth.issue_token("harness", username, timedelta(hours=1), label="harness")
        return issued["token"]

    async def settled(self, timeout: float = 5.0) -> None:
        """Wait until the controller holds no live call, has handled everything Asterisk told it
        and has written it all down; TimeoutError saying what is still pending after `timeout` s."""
        controller = self.controller
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while controller.ctx.sessions.calls or not controller.inbox.empty():  # a test aid: poll its state
            if loop.time() >= deadline:
                raise TimeoutError(f"controller still holds {len(controller.ctx.sessions.calls)} calls "
                                   f"and {controller.inbox.qsize()} unhandled events after {timeout:g}s")
            await asyncio.sleep(SETTLE_POLL_INTERVAL)
        await controller.request(lambda: None)
        assert self.app is not None
        if not await self.app.journal.flush(timeout=timeout):
            raise TimeoutError(f"journal still has {self.app.journal.backlog} writes pending after {timeout:g}s")

    def dial_feature_code(self, seat: str, code: str) -> None:
        """The seat's softphone dials a feature code (`*11` login ...) into `cc112-seats`, registered
        or not (a softphone's first INVITE may come before its REGISTER: ami-11)."""
        self.emulator.dial_feature_code(seat, code)

    def register_seat(self, seat: str, registered: bool = True) -> None:
        """The seat's softphone registers now (or unregisters); see `seat_qualify_delay`."""
        self.emulator.register_seat(seat, registered)

    def qualify_seat(self, seat: str) -> bool:
        """The seat's contact answers its first qualify now (device NOT_INUSE when idle)."""
        return self.emulator.qualify_seat(seat)

    async def kill_controller(self) -> None:
        """The controller dies as under SIGKILL: its ARI events WebSocket is cut with no close
        handshake and its AMI session dropped, then the app object is torn down (its tasks and
        in-flight requests cancelled; it hangs nothing up). Asterisk keeps what ari-14 shows:
        callers in Stasis, their MixMonitor recordings, bridges with their channels, and
        commands already queued on a channel (a blocked addChannel still runs later).
        `start_controller()` then starts a new one against the same emulator and database."""
        await self.emulator.kill_ari_connections("cc112")
        await self.emulator.drop_ami_connections()
        app, self.app = self.app, None
        if app is not None:
            await app.stop()

    async def login_all(self) -> None:
        """Every seat logs in through the service (as the API does)."""
        controller = self.controller
        for n in range(1, self.seats + 1):
            seat = f"seat{n:02d}"
            await controller.request(lambda s=seat: controller.seats.login(s))
