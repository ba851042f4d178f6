"""The emulator's dialplan: Python mirroring dialplan/extensions_cc112.conf.

Contexts (docs/contracts.md):
- `cc112-inbound`: 112 110 113 115 118 119 123 -> `NoOp`, `Stasis(cc112,inbound,${EXTEN})`; when the
  app is not registered (STASISSTATUS=FAILED) or the controller `continue`s the channel:
  `Answer()`, `MixMonitor(...)`, `Queue(cc112-fallback,,,,300)`, `Hangup()`.
- `cc112-seats`: `*11` `*12` `*13` -> `Stasis(cc112,feature,<seat>,<code>)`; emergency numbers as inbound
  (test calls from a softphone).
- `cc112-outbound`: any number -> `Dial(PJSIP/<number>@telco,60)` (callbacks through the trunk).
Compatibility contexts of the recording Asterisk (traces): `from-pstn`, `seats-sim`, `seats`.

Queue and MixMonitor are provided by the AMI side through `core.register_application`; the
built-ins here are NoOp, Answer, Ringing, Progress, Wait, Hangup, Busy, Congestion, Set, Dial,
Playback, MusicOnHold, GotoIf (the branch itself is in the context function). An application
nobody registered ends the call as in Asterisk (pbx.c
"No application '%s' for extension": the PBX stops and the channel is hung up), so an emulator
without its AMI side (no Queue, no MixMonitor) hangs fallback callers up.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from .core import CallerId, Channel, Core, CoreError
from .core.dial import dial_application
from .core.lifecycle import dial_update

log = structlog.get_logger(__name__)

EMERGENCY_NUMBERS = ("112", "110", "113", "115", "118", "119", "123")
FEATURE_CODES = ("*11", "*12", "*13")
STASIS_APP = "cc112"
FALLBACK_QUEUE = "cc112-fallback"
TRUNK = "telco"
PLAYBACK_SECONDS = 0.2  # every dialplan Playback() lasts this long


class HangupNow(Exception):
    """Raised inside a context function to end the dialplan (the channel was hung up)."""


@dataclass(eq=False)
class Step:
    """One channel's dialplan execution: runs applications, counting priorities."""

    core: Core
    channel: Channel
    dialplan: Dialplan
    priority: int = 0

    @property
    def exten(self) -> str:
        return self.channel.exten

    def var(self, name: str) -> str:
        return self.channel.variables.get(name, "")

    async def app(self, name: str, data: str = "") -> None:
        if not self.channel.alive:
            raise HangupNow
        self.priority += 1
        if name == "Stasis":
            raise CoreError("bad_request", "use Step.stasis()")
        handler = self.core.applications.get(name) or BUILTINS.get(name)
        if handler is None:  # pbx.c: "No application '%s' for extension", the PBX ends: hang-up
            log.warning("emulator_dialplan_app_missing", app=name, channel=self.channel.name,
                        context=self.channel.context, exten=self.channel.exten, priority=self.priority)
            self.core.hangup(self.channel.id, 16, origin="dialplan")
            raise HangupNow
        self.core.set_dialplan_step(self.channel, name, data, self.priority)
        if self.channel.requeued_dtmf:
            self.core.read_requeued_dtmf(self.channel)
        await handler(self.core, self.channel, data)
        if not self.channel.alive:
            raise HangupNow

    async def stasis(self, app: str, *args: str) -> tuple[str, str, int] | None:
        """`Stasis(app,args...)`: None when it failed (app not registered), else the continue target."""
        self.priority += 1
        self.core.set_dialplan_step(self.channel, "Stasis", ",".join((app, *args)), self.priority)
        target = await self.core.stasis(self.channel, app, args)
        if not self.channel.alive:
            raise HangupNow
        if target is not None and (target[0] or target[1]):
            await self.goto(target[0] or self.channel.context, target[1] or self.channel.exten, app=False)
            raise HangupNow  # the goto ran the rest of the call
        return target

    async def goto(self, context: str, exten: str, *, app: bool = True) -> None:
        """`Goto(context,exten,1)`: run that extension (priorities restart at 1). As an application
        (`app`) it is a dialplan step of its own (Newexten Goto: ami-11); a `continue` is not."""
        if app:
            self.priority += 1
            self.core.set_dialplan_step(self.channel, "Goto", f"{context},{exten},1", self.priority)
        fn = self.dialplan.lookup(context, exten)
        if fn is None:
            log.warning("emulator_goto_nowhere", context=context, exten=exten)
            self.core.hangup(self.channel.id, 16, origin="dialplan")
            raise HangupNow
        self.channel.context, self.channel.exten, self.priority = context, exten, 0
        await fn(self)
        raise HangupNow  # nothing after a Goto runs


ContextFn = Callable[[Step], Awaitable[None]]


# ---- built-in applications -----------------------------------------------------------------
async def _noop(core: Core, channel: Channel, data: str) -> None:
    return None


ANSWER_MEDIA_WAIT = 0.5  # main/channel.c __ast_answer: up to 500 ms for the first voice frame


async def _answer(core: Core, channel: Channel, data: str) -> None:
    """Answer; a channel that was ringing then waits for media as `__ast_answer` does: up to
    500 ms for a first frame, a hang-up meanwhile ends the dialplan. For a Local `;2` half the
    media comes through its `;1` half: audio once that is in a bridge that mixes (a Recorder or
    Announcer in it: ari-01, ami-06), a DTMF digit (ami-07, ari-11: the frame read is put back
    and read again by the next application, see `Core.read_requeued_dtmf`), else nothing until
    the 500 ms pass (ari-09; ami-02: the losing seat is hung up before Wait()). A channel
    already Up, or not a Local half, is taken to have media at once (a phone's RTP)."""
    ringing = channel.state in ("Ring", "Ringing")
    core.answer(channel)
    partner = core.partner(channel)
    if partner is None or not ringing:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ANSWER_MEDIA_WAIT
    channel.awaiting_media = True
    try:
        while partner.alive and loop.time() < deadline and not channel.requeued_dtmf:
            bridge = core.bridges.get(partner.bridge_id or "")
            if bridge is not None and bridge.hidden:
                return
            await asyncio.sleep(0.01)  # (bridging has no event to wait on; 10 ms steps)
    finally:
        channel.awaiting_media = False


async def _ringing(core: Core, channel: Channel, data: str) -> None:
    core.ring(channel)


async def _wait(core: Core, channel: Channel, data: str) -> None:
    await asyncio.sleep(float(data or 0))


async def _hangup(core: Core, channel: Channel, data: str) -> None:
    core.hangup(channel.id, int(data) if data.isdigit() else 16, origin="dialplan")


async def _busy(core: Core, channel: Channel, data: str) -> None:
    await _refuse(core, channel, 17, "BUSY")


async def _congestion(core: Core, channel: Channel, data: str) -> None:
    await _refuse(core, channel, 34, "CONGESTION")


async def _refuse(core: Core, channel: Channel, cause: int, status: str) -> None:
    """Busy()/Congestion(): the channel signals the state; the dialling side gives up at once."""
    core.set_state(channel, "Busy")
    partner = core.partner(channel)
    if partner is not None:
        partner.dialstatus = status  # the originate (or Dial) sees why its ;1 half went away
        dial_update(core, partner, status, final=True)
    core.hangup(channel.id, cause, origin="busy")


async def _set(core: Core, channel: Channel, data: str) -> None:
    name, _, value = data.partition("=")
    name = name.strip().lstrip("_")  # `__VAR` (inherited) is VAR on this channel
    if name == "CHANNEL(language)":
        channel.language = value
        return
    core.set_variable(channel.id, name, value)


async def _playback(core: Core, channel: Channel, data: str) -> None:
    await asyncio.sleep(PLAYBACK_SECONDS)


async def _music_on_hold(core: Core, channel: Channel, data: str) -> None:
    seconds = data.partition(",")[2]
    await asyncio.sleep(float(seconds) if seconds.strip() else 3600)


BUILTINS: dict[str, Callable[[Core, Channel, str], Awaitable[None]]] = {
    "NoOp": _noop, "Answer": _answer, "Ringing": _ringing, "Progress": _noop, "Wait": _wait,
    "Hangup": _hangup, "Busy": _busy, "Congestion": _congestion, "Set": _set, "Dial": dial_application,
    "Playback": _playback, "MusicOnHold": _music_on_hold, "GotoIf": _noop,  # the context function branches
}


# ---- the project's contexts (dialplan/extensions_cc112.conf) ---------------------------------
async def inbound_number(step: Step) -> None:
    """112 and the legacy numbers enter as themselves; anything else enters as 112."""
    exten = step.exten
    await step.app("Set", f"CC112_DIALLED={exten}")
    await step.app("Set", f"CC112_EMERGENCY_NUMBER={exten if exten in EMERGENCY_NUMBERS else '112'}")
    await step.goto("cc112-inbound", "enter")


async def inbound_enter(step: Step) -> None:
    channel = step.channel
    number = step.var("CC112_EMERGENCY_NUMBER") or "112"
    dialled = step.var("CC112_DIALLED")
    await step.app("NoOp", f"cc112: {channel.caller.number} dialled {dialled}, enters as {number}")
    await step.app("Set", f"__CC112_ORIGIN={step.var('CC112_ORIGIN') or 'trunk'}")
    await step.app("Set", "CHANNEL(language)=id")
    await step.stasis(STASIS_APP, "inbound", number)
    await step.app("NoOp", f"cc112: Stasis returned, STASISSTATUS={step.var('STASISSTATUS')}")
    await step.goto("cc112-inbound", "fallback")


async def inbound_fallback(step: Step) -> None:
    """Controller unavailable (or the watchdog's `continue`): answer, record, queue, forever."""
    channel = step.channel
    await step.app("NoOp", f"cc112: fallback queue, STASISSTATUS={step.var('STASISSTATUS')}")
    await step.app("Set", "__CC112_FALLBACK=1")
    await step.app("Answer")
    if not step.var("MIXMONITOR_FILENAME"):
        await step.app("Set", f"__CC112_RECORDING=cc112/{channel.id}.wav")
        await step.app("MixMonitor", f"cc112/{channel.id}.wav")
    await step.app("Set", "CC112_QUEUE_ROUNDS=0")
    await step.app("Playback", "cc112/greeting")
    rounds = 0
    while True:
        rounds += 1
        await step.app("Set", f"CC112_QUEUE_ROUNDS={rounds}")
        await step.app("Queue", f"{FALLBACK_QUEUE},,,,600")
        await step.app("NoOp", f"cc112: left {FALLBACK_QUEUE} with QUEUESTATUS={step.var('QUEUESTATUS')}")
        await step.app("Playback", "cc112/still-holding")
        await step.app("MusicOnHold", "cc112,5")


def seat_of(channel: Channel) -> str:
    """`${CHANNEL(endpoint)}`: the PJSIP endpoint; for a Local test seat CC112_SEAT or the caller number."""
    if channel.technology == "PJSIP":
        return channel.resource
    return channel.variables.get("CC112_SEAT") or channel.caller.number


async def seat_code(step: Step) -> None:
    await step.app("Set", f"CC112_CODE={step.exten}")
    await step.goto("cc112-seats", "feature")


async def seat_feature(step: Step) -> None:
    seat, code = seat_of(step.channel), step.var("CC112_CODE")
    await step.app("NoOp", f"cc112: feature code {code} from seat {seat}")
    await step.app("Set", f"CC112_SEAT={seat}")
    await step.app("Answer")
    await step.stasis(STASIS_APP, "feature", seat, code)
    if step.var("STASISSTATUS") != "FAILED":
        await step.app("Hangup")
    member = f"PJSIP/{seat}"
    await step.app("Set", f"CC112_MEMBER={member}")
    paused = step.core.get_variable(step.channel.id, f"QUEUE_MEMBER({FALLBACK_QUEUE},paused,{member})")
    action = {"*11": ("AddQueueMember", f"{FALLBACK_QUEUE},{member},,,{seat},{member}", "logged-in"),
              "*12": ("RemoveQueueMember", f"{FALLBACK_QUEUE},{member}", "logged-out")}.get(
                  code, ("UnpauseQueueMember", f"{FALLBACK_QUEUE},{member}", "unpaused") if paused == "1"
                  else ("PauseQueueMember", f"{FALLBACK_QUEUE},{member},,cc112 pause", "paused"))
    await step.app(action[0], action[1])
    await step.app("Playback", f"cc112/{action[2]}")
    await step.app("Hangup")


async def seat_test_call(step: Step) -> None:
    await step.app("NoOp", f"cc112: test call from seat {seat_of(step.channel)}")
    await step.app("Set", "CC112_ORIGIN=seat")
    await step.app("Set", f"CC112_DIALLED={step.exten}")
    await step.app("Set", f"CC112_EMERGENCY_NUMBER={step.exten}")
    await step.goto("cc112-inbound", "enter")


async def outbound_number(step: Step) -> None:
    await step.app("Set", f"CC112_CALLBACK_NUMBER={step.exten}")
    await step.goto("cc112-outbound", "dial")


async def outbound_dial(step: Step) -> None:
    number = step.var("CC112_CALLBACK_NUMBER")
    await step.app("NoOp", f"cc112: callback to {number}")
    if step.var("CC112_CALLERID"):
        step.core.set_caller_id(step.channel, CallerId(step.channel.caller.name, step.var("CC112_CALLERID")))
    await step.app("Dial", f"PJSIP/{number}@{TRUNK},60")
    await step.app("Hangup")


# ---- compatibility with the recording Asterisk's dialplan (traces) ---------------------------
async def pstn_112(step: Step) -> None:
    """from-pstn 112 as recorded (ami-02, ari-01..11: priorities 1..8)."""
    await _pstn_emergency(step, "Emergency call", ())


async def pstn_113(step: Step) -> None:
    """from-pstn 113: as 112 with Stasis arguments (ari-07)."""
    await _pstn_emergency(step, "Emergency call (with Stasis args)", ("inbound", step.exten))


async def _pstn_emergency(step: Step, what: str, args: tuple[str, ...]) -> None:
    """NoOp, Stasis, NoOp(STASISSTATUS=..), GotoIf(FAILED?fallback), Hangup; fallback (priority 6):
    NoOp, Answer, Queue(cc112-fallback,,,,300), Hangup."""
    caller, channel = step.channel.caller, step.channel
    await step.app("NoOp", f'{what} from "{caller.name}" <{caller.number}> on {channel.name}')
    await step.stasis(STASIS_APP, *args)
    status = step.var("STASISSTATUS")
    await step.app("NoOp", f"STASISSTATUS={status}")
    await step.app("GotoIf", f"{int(status == 'FAILED')}?fallback")
    if status != "FAILED":
        await step.app("Hangup")
        return
    step.priority = 5  # the `fallback` label
    await step.app("NoOp", f"Stasis app {STASIS_APP} not available - falling back to queue")
    await step.app("Answer")
    await step.app("Queue", f"{FALLBACK_QUEUE},,,,300")
    await step.app("Hangup")


async def sim_seat(step: Step) -> None:
    """seats-sim _seatX.: a call taker who answers at once (ari-01, ami-02)."""
    await step.app("NoOp", f"Simulated call-taker {step.exten}")
    await step.app("Answer")
    await step.app("Wait", "30")
    await step.app("Hangup")


async def sim_slow(step: Step) -> None:
    """seats-sim _slowX.: rings for 20 s, then answers (ari-04, ami-05)."""
    await step.app("NoOp", f"Slow simulated call-taker {step.exten}")
    await step.app("Ringing")
    await step.app("Wait", "20")
    await step.app("Answer")
    await step.app("Wait", "30")
    await step.app("Hangup")


async def sim_busy(step: Step) -> None:
    await step.app("Busy", "5")


async def sim_congest(step: Step) -> None:
    await step.app("Congestion", "5")


async def dial_seat(step: Step) -> None:
    await step.app("Dial", f"PJSIP/{step.exten},30")
    await step.app("Hangup")


DEFAULT_CONTEXTS: dict[str, list[tuple[str, ContextFn]]] = {
    "cc112-inbound": [
        *((n, inbound_number) for n in EMERGENCY_NUMBERS),
        ("enter", inbound_enter), ("fallback", inbound_fallback),
        ("_X", inbound_number), ("_X.", inbound_number), ("_+X.", inbound_number),
        ("_[A-Za-z#*].", inbound_number), ("s", inbound_number), ("i", inbound_number),
    ],
    "cc112-seats": [*((c, seat_code) for c in FEATURE_CODES), ("112", seat_test_call),
                    ("feature", seat_feature)],
    "cc112-outbound": [("dial", outbound_dial), ("_X.", outbound_number), ("_+X.", outbound_number)],
    "from-pstn": [("112", pstn_112), ("113", pstn_113)],
    "seats-sim": [("_seatX.", sim_seat), ("_slowX.", sim_slow), ("busy", sim_busy),
                  ("congest", sim_congest)],
    "seats": [("_seatX.", dial_seat)],
}


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """Asterisk extension pattern (`_X.`, `_seatX.`, `_[1-5]XX`) or a literal, as a regex."""
    if not pattern.startswith("_"):
        return re.compile(re.escape(pattern) + r"\Z")
    out, i, body = [], 0, pattern[1:]
    classes = {"X": "[0-9]", "Z": "[1-9]", "N": "[2-9]", ".": ".+", "!": ".*"}
    while i < len(body):
        char = body[i]
        if char == "[":
            end = body.index("]", i)
            out.append(body[i:end + 1])
            i = end + 1
            continue
        out.append(classes.get(char, re.escape(char)))
        i += 1
    return re.compile("".join(out) + r"\Z")


class Dialplan:
    def __init__(self, contexts: dict[str, list[tuple[str, ContextFn]]] | None = None) -> None:
        source = DEFAULT_CONTEXTS if contexts is None else contexts
        self.contexts = {
            name: [(pattern_regex(p), fn) for p, fn in entries] for name, entries in source.items()
        }

    def lookup(self, context: str, exten: str) -> ContextFn | None:
        for regex, fn in self.contexts.get(context, []):
            if regex.match(exten):
                return fn
        return None

    def add(self, context: str, pattern: str, fn: ContextFn) -> None:
        self.contexts.setdefault(context, []).insert(0, (pattern_regex(pattern), fn))

    async def run(self, core: Core, channel: Channel, priority: int = 1) -> None:
        """Run the channel's context/exten; a missing extension destroys the channel (cause 0)."""
        fn = self.lookup(channel.context, channel.exten)
        if fn is None:
            log.info("emulator_no_extension", context=channel.context, exten=channel.exten)
            partner = core.partner(channel)
            core.destroy_quietly(channel, 0)
            if partner is not None:
                core.destroy_quietly(partner, 0)
            return
        step = Step(core, channel, self, priority - 1)
        try:
            await fn(step)
        except HangupNow:
            return
        if channel.alive:
            core.hangup(channel.id, 16, origin="dialplan")
