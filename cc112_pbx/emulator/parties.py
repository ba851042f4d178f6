"""Simulated parties: seat softphones, the citizens behind the trunk, and callers.

- `SeatPhone(SeatBehaviour)`: the softphone registered as `PJSIP/seatNN`. A call to it rings,
  then per call the next action of its script: `answer` (after `answer_after` s, hangs up after
  `talk_time` s if set), `auto` (an auto-answering softphone: 200 OK at once, no ringing:
  ari-15), `busy` (486: cause 17), `reject` (603: cause 21), `never` (rings until
  the caller gives up).
- `TrunkPhone`: the telco peer `PJSIP/telco`; `PJSIP/<number>@telco` reaches the citizen whose
  `CitizenBehaviour` says `answer`, `busy` or `never` (unknown numbers answer).
- `run_caller(core, timeline, CallerBehaviour)`: a citizen dialling an emergency number, placed
  as `Local/<dialled>@cc112-inbound` with its caller id (none for SIM-less phones), who hangs up
  after `patience` s without a call taker, presses `dtmf` once connected, and hangs up after
  `talk_time` s of conversation (or waits for the call taker to end the call).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from .core import CallerId, Channel, Core
from .core.lifecycle import dial_update
from .timeline import SimulatedCall, Timeline

SEAT_ACTIONS = ("answer", "auto", "busy", "reject", "never")
REFUSAL = {"busy": (17, "BUSY"), "reject": (21, "CHANUNAVAIL")}
SPEAKS_FOR = 0.8  # seconds a (not silent) caller talks once connected, as TALK_DETECT hears it


async def alive_after(channel: Channel, seconds: float) -> bool:
    """Sleep `seconds` unless the channel goes away first; True if it is still there."""
    try:
        await asyncio.wait_for(channel.gone.wait(), seconds)
    except TimeoutError:
        return channel.alive
    return False


@dataclass(frozen=True, slots=True)
class SeatBehaviour:
    """A seat's softphone `PJSIP/<seat>`.

    - `registered`: registered when the emulator starts (False: the endpoint exists, no contact).
    - `answer_after`, `actions`, `talk_time`: how it answers calls (see the module docstring).
    - `qualify_delay`: None (default): the contact is not qualified, as before: registering makes
      the device NOT_INUSE at once (ContactStatus NonQualified). Seconds: qualify is on
      (qualify_frequency=30 in the project's pjsip.conf): after registering, the device stays
      UNAVAILABLE (app_queue member status 5) and the contact Unknown, with no AMI event, until
      the first qualify answer that many seconds later: PeerStatus + ContactStatus Reachable,
      DeviceStateChange NOT_INUSE (ami-11: 12.7 s). ARI shows the endpoint online meanwhile.
      `Emulator.qualify_seat(seat)` answers the qualify at once.
    - `register_after`: seconds after the start at which it registers (it starts unregistered);
      None: as `registered` says.
    - `dial_on_start`: a feature code (e.g. "*11") the phone dials into `cc112-seats` as the
      emulator starts, before registering: a softphone's first INVITE may beat its REGISTER (ami-11).
    - `busy_at`: pjsip.conf `device_state_busy_at` (the project sets 1: an answered call makes
      the device BUSY, ami-10/ami-11); 0 (default): INUSE, as before.
    - `callerid`: pjsip.conf `callerid` ('Meja 1 <seat01>'): the caller id of calls to and from
      the phone when none is given (ari-15); "" (default): none.
    """

    seat: str
    registered: bool = True
    answer_after: float = 0.2
    actions: tuple[str, ...] = ("answer",)  # per call, the last one repeats
    talk_time: float | None = None  # None: talk until the other side hangs up
    qualify_delay: float | None = None
    register_after: float | None = None
    dial_on_start: str = ""
    busy_at: int = 0
    callerid: str = ""

    def __post_init__(self) -> None:
        bad = [a for a in self.actions if a not in SEAT_ACTIONS]
        if bad or not self.actions:
            raise ValueError(f"seat {self.seat}: actions must be among {SEAT_ACTIONS}, got {self.actions}")


class SeatPhone:
    def __init__(self, behaviour: SeatBehaviour) -> None:
        self.behaviour = behaviour
        self._actions: Iterator[str] = itertools.chain(
            behaviour.actions, itertools.repeat(behaviour.actions[-1]))
        self.calls_received = 0

    async def on_call(self, core: Core, channel: Channel) -> None:
        self.calls_received += 1
        action = next(self._actions)
        if action == "auto":
            core.answer(channel)
            await answer_like(core, channel, "answered", 0, self.behaviour.talk_time)
            return
        core.ring(channel)
        await answer_like(core, channel, action, self.behaviour.answer_after, self.behaviour.talk_time)


async def answer_like(core: Core, channel: Channel, action: str, answer_after: float,
                      talk_time: float | None) -> None:
    """A phone's reaction to a ringing call: answer / busy / reject / never."""
    if action == "never":
        await channel.gone.wait()
        return
    if action in REFUSAL:
        cause, status = REFUSAL[action]
        if await alive_after(channel, min(answer_after, 0.05)):
            channel.dialstatus = status
            dial_update(core, channel, status, final=True)
            core.hangup(channel.id, cause, origin="sip")
        return
    if action != "answered":
        if not await alive_after(channel, answer_after):
            return
        core.answer(channel)
    if talk_time is not None and await alive_after(channel, talk_time):
        core.hangup(channel.id, 16, origin="sip")


@dataclass(frozen=True, slots=True)
class CitizenBehaviour:
    """The citizen the trunk reaches for a callback."""

    number: str
    action: str = "answer"  # answer, busy, never
    answer_after: float = 0.3
    talk_time: float | None = None


class TrunkPhone:
    def __init__(self, citizens: dict[str, CitizenBehaviour] | None = None) -> None:
        self.citizens = dict(citizens or {})
        self.dialled: list[str] = []

    async def on_call(self, core: Core, channel: Channel) -> None:
        self.dialled.append(channel.dialled)
        citizen = self.citizens.get(channel.dialled, CitizenBehaviour(channel.dialled))
        core.ring(channel)
        await answer_like(core, channel, citizen.action, citizen.answer_after, citizen.talk_time)


@dataclass(frozen=True, slots=True)
class CallerBehaviour:
    """A citizen calling: `number` None (or "") for no caller id, "anonymous" for a withheld one."""

    number: str | None = "+6281234567890"
    name: str = ""
    dialled: str = "112"
    context: str = "cc112-inbound"
    delay: float = 0.0  # seconds after the scenario starts
    patience: float | None = None  # hang up when no call taker within this many seconds
    talk_time: float | None = None  # hang up after talking this long (None: wait for the seat)
    dtmf: str = ""  # pressed once connected
    silent: bool = False  # says nothing: TALK_DETECT never hears them talk
    extra: dict[str, str] = field(default_factory=dict)


def place_call(core: Core, timeline: Timeline, caller: CallerBehaviour) -> SimulatedCall:
    """Originate the caller's leg now and record it; the caller's script runs in an owned task."""
    caller_id = CallerId(caller.name, caller.number or "")
    result = core.originate(f"Local/{caller.dialled}@{caller.context}", caller_id=caller_id,
                            timeout=3600, originator=None)
    one = result.channel
    record = SimulatedCall(caller.number or None, caller.dialled, one.id, one.partner_id or one.id,
                        core.clock.monotonic())
    timeline.add_call(record)
    core.spawn(_caller_script(core, one, record, caller), name=f"caller:{one.name}")
    return record


async def _caller_script(core: Core, one: Channel, record: SimulatedCall, caller: CallerBehaviour) -> None:
    waiters = {asyncio.ensure_future(record.connected.wait()), asyncio.ensure_future(one.gone.wait())}
    try:
        await asyncio.wait(waiters, timeout=caller.patience, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
    if not one.alive:
        return
    if not record.connected.is_set():
        hang_up_caller(core, record)  # patience ran out: abandoned
        return
    if not caller.silent:  # says what happened (a silent caller never does: TALK_DETECT hears nothing)
        core.spawn(core.speak(one.id, SPEAKS_FOR), name=f"speak:{one.id}")
    if caller.dtmf:
        await core.send_dtmf(one.id, caller.dtmf, between_ms=150, duration_ms=120)
        record.dtmf_sent += caller.dtmf
    if caller.talk_time is not None and await alive_after(one, caller.talk_time):
        hang_up_caller(core, record)
        return
    await one.gone.wait()


def hang_up_caller(core: Core, record: SimulatedCall) -> None:
    """The citizen hangs up (a BYE on the caller's leg)."""
    if record.channel_id in core.channels:
        record.ended_by = record.ended_by or "caller"
        core.hangup(record.channel_id, 16, origin="sip")


def sip_call(core: Core, endpoint: str, exten: str, context: str, caller: CallerId,
             talk_time: float | None = None, protocol_id: str = "") -> Channel:
    """A SIP INVITE from PJSIP endpoint `endpoint` (e.g. the telco peer `pstn`) to `exten@context`:
    the channel runs the dialplan; the phone sends BYE after `talk_time` s of being answered."""
    name = f"PJSIP/{endpoint}-{core.ids.suffix()}"
    channel = core.new_channel("PJSIP", endpoint, name, state="Ring", caller=caller, context=context,
                               exten=exten, connected=CallerId())  # an INVITE has no connected line (ari-05)
    channel.protocol_id = protocol_id or f"{core.ids.uuid()}@127.0.0.1"
    if core.dialplan is not None:
        channel.driver = core.spawn(core.dialplan.run(core, channel), name=f"dialplan:{name}")
    if talk_time is not None:
        core.spawn(_bye_after(core, channel, talk_time), name=f"sip-bye:{name}")
    return channel


async def _bye_after(core: Core, channel: Channel, talk_time: float) -> None:
    answered = asyncio.ensure_future(channel.answered.wait())
    gone = asyncio.ensure_future(channel.gone.wait())
    try:
        await asyncio.wait({answered, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in (answered, gone):
            waiter.cancel()
        await asyncio.gather(answered, gone, return_exceptions=True)
    if await alive_after(channel, talk_time):
        core.hangup(channel.id, 16, origin="sip")
