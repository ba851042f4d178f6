"""The emulator as a whole: one `Core`, its dialplan, simulated parties, ARI and AMI servers.

    async with Emulator(EmulatorConfig(seats=2, recordings_dir=tmp_path)) as emu:
        emu.ari_url, emu.ami_port, emu.core, emu.timeline
        call = emu.place_call(number="+6281234567890", dialled="112", patience=20)
        await emu.timeline.wait_for(lambda: call.connected_at is not None)

Seats `PJSIP/seat01..NN` are registered softphones answering after `seat_answer_after` s unless
the scenario says otherwise; `PJSIP/<number>@<trunk>` reaches the scenario's citizens.

Test hooks for a network blip (the server side closes the connections; calls go on):
    await emu.drop_ari_connections()   # every ARI events WebSocket; apps keep their channels
    await emu.drop_ami_connections()   # every AMI session
and for a controller killed with SIGKILL (ari-14): `await emu.kill_ari_connections("cc112")`.
Softphones: `register_seat(seat)` (later), `qualify_seat(seat)`, `dial_feature_code(seat, "*11")`;
see `SeatBehaviour` for `qualify_delay`, `register_after`, `dial_on_start`, `busy_at`, `callerid`.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import structlog

from .ari_server import AriServer
from .core import CallerId, Channel, Core, Endpoint
from .dialplan import Dialplan
from .parties import (
    CallerBehaviour,
    SeatBehaviour,
    SeatPhone,
    TrunkPhone,
    hang_up_caller,
    place_call,
    sip_call,
)
from .scenario import Scenario
from .timeline import SimulatedCall, Timeline

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    ami_port: int = 0
    ari_port: int = 0
    ami_user: str = "cc112"
    ami_secret: str = "cc112secret"
    ari_user: str = "cc112"
    ari_password: str = "cc112secret"
    seats: int = 0
    seat_answer_after: float = 0.2
    seat_qualify_delay: float | None = None  # SeatBehaviour.qualify_delay of seat01..NN (None: not qualified)
    seat_busy_at: int = 0  # SeatBehaviour.busy_at of seat01..NN (the project's pjsip.conf: 1)
    recordings_dir: Path | None = None  # MixMonitor files here, ARI recordings in ./recording
    scenario: Scenario = field(default_factory=Scenario)
    trunk: str | None = "telco"  # the telco peer reached by PJSIP/<number>@<trunk>; None: no trunk
    extra_endpoints: tuple[str, ...] = ("testcaller",)  # PJSIP endpoints that exist, unregistered
    sound_seconds: float = 0.3
    missing_sounds: frozenset[str] = frozenset()
    with_ami: bool = True  # False: no AMI side, so no Queue/MixMonitor (fallback calls hang up)
    # Each Stasis channel's commands run one after the other, as res_stasis does (ari-15): a channel's
    # playbacks play in turn and addChannel/answer/continue... wait for them. False: the emulator's
    # older behaviour (every command at once, a channel's playbacks overlap), for suites that predate it.
    serial_channel_commands: bool = True


class Emulator:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.core = Core()
        self.core.dialplan = Dialplan()
        self.timeline = Timeline(self.core)
        self.phones: dict[str, SeatPhone] = {}
        self.trunk = TrunkPhone({c.number: c for c in self.config.scenario.citizens})
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.recordings_dir = self._pick_recordings_dir()
        self.ari: AriServer | None = None
        self.ami: Any = None

    def _pick_recordings_dir(self) -> Path:
        if self.config.recordings_dir is not None:
            return Path(self.config.recordings_dir)
        self._tmp = tempfile.TemporaryDirectory(prefix="cc112-emulator-")
        return Path(self._tmp.name)

    # ---- lifecycle ---------------------------------------------------------------------------
    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        self.recordings_dir.mkdir(parents=True, exist_ok=True)
        self._add_endpoints()
        cfg = self.config
        missing = cfg.missing_sounds
        self.ari = AriServer(self.core, host=cfg.host, port=cfg.ari_port, user=cfg.ari_user,
                             password=cfg.ari_password, recordings_dir=self.recordings_dir / "recording",
                             sound_seconds=lambda media: cfg.sound_seconds,
                             sound_exists=lambda name: name not in missing,
                             serial_commands=cfg.serial_channel_commands)
        await self.ari.start()
        if cfg.with_ami:
            from .ami_server import AmiServer  # the AMI side, built beside this one

            self.ami = AmiServer(self.core, cfg.host, cfg.ami_port, cfg.ami_user, cfg.ami_secret,
                                 recordings_dir=self.recordings_dir)
            await self.ami.start()
        for caller in cfg.scenario.callers:
            self.core.spawn(self._delayed_call(caller), name=f"scenario-caller:{caller.number}")
        for seat in cfg.scenario.seats:
            if seat.dial_on_start:
                self.dial_feature_code(seat.seat, seat.dial_on_start)
            if seat.register_after is not None:
                self.core.spawn(self._delayed_registration(seat.seat, seat.register_after),
                                name=f"scenario-register:{seat.seat}")
        log.info("emulator_started", ari=self.ari_url, ami_port=self.ami_port)

    async def stop(self) -> None:
        try:
            await self.core.close()
        except Exception:  # keep stopping the servers whatever happened to the calls
            log.exception("emulator_core_close_failed")
        if self.ami is not None:
            await self.ami.stop()
        if self.ari is not None:
            await self.ari.stop()
        self.timeline.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _add_endpoints(self) -> None:
        cfg = self.config
        behaviours = {f"seat{n:02d}": SeatBehaviour(f"seat{n:02d}", answer_after=cfg.seat_answer_after,
                                                    qualify_delay=cfg.seat_qualify_delay, busy_at=cfg.seat_busy_at)
                      for n in range(1, cfg.seats + 1)}
        behaviours.update({s.seat: s for s in self.config.scenario.seats})
        for behaviour in behaviours.values():
            self.add_seat(behaviour)
        if self.config.trunk:
            self.core.add_endpoint(Endpoint("PJSIP", self.config.trunk, phone=self.trunk,
                                            always_available=True))
        for name in self.config.extra_endpoints:
            if self.core.get_endpoint("PJSIP", name) is None:
                self.core.add_endpoint(Endpoint("PJSIP", name))

    # ---- parties -------------------------------------------------------------------------------
    def add_seat(self, behaviour: SeatBehaviour) -> SeatPhone:
        """A softphone for `PJSIP/<seat>` (registered if the behaviour says so)."""
        phone = SeatPhone(behaviour)
        self.phones[behaviour.seat] = phone
        endpoint = self.core.get_endpoint("PJSIP", behaviour.seat)
        if endpoint is None:
            endpoint = self.core.add_endpoint(Endpoint("PJSIP", behaviour.seat))
        endpoint.phone = phone
        endpoint.qualify_delay, endpoint.busy_at = behaviour.qualify_delay, behaviour.busy_at
        endpoint.caller = CallerId.parse(behaviour.callerid) if behaviour.callerid else None
        registered = behaviour.registered and behaviour.register_after is None
        self.core.set_registered(endpoint.device, registered, self._contact(behaviour.seat))
        self.core._refresh_device(endpoint)
        return phone

    @staticmethod
    def _contact(seat: str) -> str:
        return f"sip:{seat}@127.0.0.1:5072"

    def set_seat(self, seat: str, **changes: Any) -> SeatPhone:
        """Change a seat's behaviour for the next calls (e.g. `actions=("busy",)`)."""
        current = self.phones[seat].behaviour
        return self.add_seat(replace(current, **changes))

    def register_seat(self, seat: str, registered: bool = True) -> None:
        """The seat's softphone registers now (or unregisters); with the seat's `qualify_delay` set
        its device stays UNAVAILABLE until the qualify answer that many seconds later."""
        self.core.set_registered(f"PJSIP/{seat}", registered, self._contact(seat))

    def qualify_seat(self, seat: str) -> bool:
        """The seat's registered contact answers its first qualify now (PeerStatus/ContactStatus
        Reachable, device NOT_INUSE when idle); False if there is nothing to qualify."""
        return self.core.qualify(f"PJSIP/{seat}")

    def dial_feature_code(self, seat: str, code: str, context: str = "cc112-seats") -> Channel:
        """The seat's softphone dials `code` (`*11` log-in, ...) into `context`, registered or not:
        the INVITE may come before the REGISTER (ami-11)."""
        endpoint = self.core.get_endpoint("PJSIP", seat)
        caller = endpoint.caller if endpoint is not None and endpoint.caller is not None else CallerId(seat, seat)
        return sip_call(self.core, seat, code, context, CallerId(caller.name, caller.number))

    def place_call(self, number: str | None = "+6281234567890", dialled: str = "112", **behaviour: Any
                   ) -> SimulatedCall:
        """A citizen calls now; keyword arguments as `CallerBehaviour` (patience, talk_time, dtmf...)."""
        caller = CallerBehaviour(number=number, dialled=dialled, **behaviour)
        return place_call(self.core, self.timeline, caller)

    def hang_up(self, call: SimulatedCall) -> None:
        """The citizen hangs up now."""
        hang_up_caller(self.core, call)

    def sip_call(self, endpoint: str = "pstn", exten: str = "112", context: str = "cc112-inbound",
                 caller: CallerId | None = None, talk_time: float | None = None) -> Channel:
        """A SIP call arriving from PJSIP `endpoint` (not a Local originate); BYE after `talk_time`."""
        return sip_call(self.core, endpoint, exten, context, caller or CallerId(), talk_time)

    # ---- test hooks: a network blip -------------------------------------------------------------
    async def drop_ari_connections(self) -> int:
        """Close every ARI events WebSocket from the server side (`AriServer.drop_event_sockets`):
        the apps stay registered with their channels, the gap's events are lost. Returns the count."""
        return await self.ari.drop_event_sockets() if self.ari is not None else 0

    async def drop_ami_connections(self) -> int:
        """Close every AMI session from the server side; returns the count (0 without the AMI side)."""
        return await self.ami.drop_sessions() if self.ami is not None else 0

    async def kill_ari_connections(self, app: str | None = None) -> int:
        """Abort the events WebSocket(s) of `app` (every app: None) as a SIGKILLed client leaves
        them: no close handshake. Asterisk keeps the app's callers in Stasis (app_data intact),
        their MixMonitor recordings, its bridges with their channels, and the commands its dead
        requests queued (ari-14, ami-10); nothing is replayed to the next client. Returns the count."""
        return await self.ari.abort_event_sockets(app) if self.ari is not None else 0

    async def _delayed_registration(self, seat: str, delay: float) -> None:
        await asyncio.sleep(delay)
        self.register_seat(seat)

    async def _delayed_call(self, caller: CallerBehaviour) -> None:
        await asyncio.sleep(caller.delay)
        place_call(self.core, self.timeline, caller)

    # ---- addresses -----------------------------------------------------------------------------
    @property
    def calls(self) -> list[SimulatedCall]:
        return self.timeline.calls

    @property
    def ari_port(self) -> int:
        return self.ari.port if self.ari else 0

    @property
    def ari_url(self) -> str:
        return f"http://{self.config.host}:{self.ari_port}"

    @property
    def ami_port(self) -> int:
        return int(self.ami.port) if self.ami is not None else 0
