"""Originating channels: Local pairs, PJSIP endpoints (seat softphones, the trunk).

`originate(core, endpoint, ...)` creates the outgoing channel at once (or raises
`CoreError("allocation_failed", "Allocation failed")`) and runs the dial in a task the core
owns. The returned `OriginateResult` lets AMI wait for the outcome (answered, busy, ...).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from . import events as ev
from .engine import Core, CoreError
from .model import CallerId, Channel

# AMI OriginateResponse reasons
REASON_FAILURE, REASON_NO_ANSWER, REASON_ANSWERED, REASON_BUSY, REASON_CONGESTION = 0, 3, 4, 5, 8
DIAL_CAUSE_STATUS = {17: "BUSY", 34: "CONGESTION", 19: "NOANSWER", 21: "CHANUNAVAIL"}


@dataclass(frozen=True, slots=True)
class OriginateOutcome:
    answered: bool
    reason: int  # AMI OriginateResponse Reason
    dialstatus: str  # ANSWER, BUSY, CONGESTION, NOANSWER, CANCEL, CHANUNAVAIL
    cause: int


@dataclass(eq=False)
class OriginateResult:
    channel: Channel
    dialstring: str
    outcome: asyncio.Future[OriginateOutcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())
    starter: Callable[[float | None], None] | None = None

    @property
    def channel_id(self) -> str:
        return self.channel.id

    async def wait(self) -> OriginateOutcome:
        return await asyncio.shield(self.outcome)

    def start(self, timeout: float | None = None) -> None:
        """Dial now (`originate(..., start=False)` then `start()`: ARI create + dial); once only."""
        starter, self.starter = self.starter, None
        if starter is None:
            raise CoreError("conflict", "Channel already dialed")
        starter(timeout)

    def resolve(self, outcome: OriginateOutcome) -> None:
        if not self.outcome.done():
            self.outcome.set_result(outcome)


@dataclass(frozen=True, slots=True)
class OriginateRequest:
    app: str | None = None
    app_args: tuple[str, ...] = ()
    context: str | None = None
    exten: str | None = None
    priority: int = 1
    timeout: float = 30
    variables: Mapping[str, str] = field(default_factory=dict)
    originator: str | None = None


def parse_endpoint(endpoint: str) -> tuple[str, str, str]:
    """`Local/112@ctx` -> (Local, 112@ctx, ""), `PJSIP/0812@telco` -> (PJSIP, telco, 0812)."""
    technology, sep, rest = endpoint.partition("/")
    if not sep or not rest:
        raise CoreError("allocation_failed", "Allocation failed")
    if technology == "PJSIP" and "@" in rest:
        number, _, resource = rest.partition("@")
        return technology, resource, number
    return technology, rest.split("/")[0], ""


def originate(
    core: Core, endpoint: str, *, app: str | None = None, app_args: Sequence[str] = (),
    context: str | None = None, exten: str | None = None, priority: int = 1,
    caller_id: str | CallerId | None = None, timeout: float = 30,
    variables: Mapping[str, str] | None = None, channel_id: str | None = None,
    other_channel_id: str | None = None, originator: str | None = None, start: bool = True,
) -> OriginateResult:
    request = OriginateRequest(app, tuple(app_args), context, exten, priority, timeout,
                               dict(variables or {}), originator if originator is not None else app)
    caller = caller_id if isinstance(caller_id, CallerId) else CallerId.parse(caller_id)
    technology, resource, number = parse_endpoint(endpoint)
    if technology == "Local":
        channel = local_pair(core, resource, caller, request, channel_id, other_channel_id)
    elif technology == "PJSIP":
        channel = pjsip_channel(core, resource, number, caller, request, channel_id)
    else:
        raise CoreError("allocation_failed", "Allocation failed")
    _announce_parties(core, channel, core.partner(channel), caller, request)
    result = OriginateResult(channel, endpoint.partition("/")[2])
    result.starter = lambda timeout=None: _start(core, result, request, timeout)
    if start:
        result.start()
    return result


def _announce_parties(core: Core, channel: Channel, partner: Channel | None, caller: CallerId,
                      request: OriginateRequest) -> None:
    """The originate's variables on each half (a Local ;1 hands them to ;2), and for a Local pair
    with a caller id: NewCallerid + NewConnectedLine per half (ami-02, ami-06, ari-09). An ARI
    app only sees the `;2` half's (it subscribes to `;1` after), so `;1`'s are announced only
    for an originate no app made (AMI, dialplan)."""
    halves = [channel] if partner is None else [channel, partner]
    for half in halves:
        for name, value in request.variables.items():
            core.set_variable(half.id, name, value)
        if partner is None or not (caller.name or caller.number):
            continue
        if half is channel and request.originator is not None:
            continue
        if half is partner:
            half.connected = caller  # the ;1 half's connected line, handed over
        core.set_caller_id(half, caller)
        core.set_connected(half, caller)


def _start(core: Core, result: OriginateResult, request: OriginateRequest, timeout: float | None) -> None:
    if timeout is not None:
        request = OriginateRequest(request.app, request.app_args, request.context, request.exten,
                                   request.priority, timeout, request.variables, request.originator)
    channel = result.channel
    partner = core.partner(channel)
    missing = partner is not None and core.dialplan is not None and \
        core.dialplan.lookup(partner.context, partner.exten) is None
    if not missing:  # a Local channel to a missing extension fails before any Dial
        channel.dialing = result.dialstring
        core.emit(ev.DialBegin(core.now(), None, None, channel.id, channel.to_dict(), result.dialstring))
    core.spawn(_dial(core, result, request), name=f"originate:{channel.name}")


def local_pair(core: Core, resource: str, caller: CallerId, request: OriginateRequest,
               channel_id: str | None, other_id: str | None) -> Channel:
    """Create a `Local/<exten>@<context>` pair (`;1` Down, `;2` Ring, partners); return `;1`."""
    exten, _, context = resource.partition("@")
    context = context or "default"
    base = f"Local/{exten}@{context}-{core.ids.suffix()}"
    one = core.new_channel("Local", resource, base + ";1", caller=caller, context=context, exten=exten,
                           originator=request.originator, channel_id=channel_id)
    one.half = 1
    two = core.new_channel("Local", resource, base + ";2", state="Ring", caller=caller, context=context,
                           exten=exten, originator=request.originator, linkedid=one.linkedid,
                           channel_id=other_id)
    two.half = 2
    one.partner_id, two.partner_id = two.id, one.id
    one.app_name, one.app_data = "AppDial2", "(Outgoing Line)"
    return one


def pjsip_channel(core: Core, resource: str, number: str, caller: CallerId, request: OriginateRequest,
                  channel_id: str | None) -> Channel:
    """Create the channel to a registered PJSIP endpoint; CoreError allocation_failed if not."""
    endpoint = core.get_endpoint("PJSIP", resource)
    if endpoint is None or endpoint.state != "online":
        raise CoreError("allocation_failed", "Allocation failed")
    name = f"PJSIP/{resource}-{core.ids.suffix()}"
    connected = None
    if not (caller.name or caller.number) and endpoint.caller is not None:  # pjsip.conf callerid (ari-15)
        caller, connected = CallerId(endpoint.caller.name, endpoint.caller.number), CallerId()
    channel = core.new_channel("PJSIP", resource, name, caller=caller, context="default",
                               exten=number or "s", originator=request.originator, channel_id=channel_id,
                               dialled=number, connected=connected)
    channel.protocol_id = f"{core.ids.uuid()}@127.0.0.1"  # the SIP Call-ID
    channel.app_name, channel.app_data = "AppDial2", "(Outgoing Line)"
    return channel


async def _dial(core: Core, result: OriginateResult, request: OriginateRequest) -> None:
    channel = result.channel
    try:
        answered = await await_answer(core, channel, request.timeout)
    except asyncio.CancelledError:
        result.resolve(OriginateOutcome(False, REASON_FAILURE, "CANCEL", 0))
        raise
    if not answered:
        cause = channel.hangup_cause if channel.hangup_cause is not None else 19
        if channel.alive:
            channel.dialing = None  # Asterisk sends no final Dial event on a dial timeout
            core.hangup(channel.id, 19, origin="timeout")
            cause = 19
        status = channel.dialstatus or DIAL_CAUSE_STATUS.get(cause, "CHANUNAVAIL" if cause == 0 else "CANCEL")
        cause = {"BUSY": 17, "CONGESTION": 34}.get(channel.dialstatus, cause)
        reason = {17: REASON_BUSY, 19: REASON_NO_ANSWER, 34: REASON_CONGESTION}.get(cause, REASON_FAILURE)
        result.resolve(OriginateOutcome(False, reason, status, cause))
        return
    result.resolve(OriginateOutcome(True, REASON_ANSWERED, "ANSWER", 0))
    channel.driver = asyncio.current_task()
    if request.app is not None:
        # res_stasis runs the app without the PBX: the snapshot shows it, no ChannelDialplan/Newexten
        channel.app_name, channel.app_data = "Stasis", ",".join((request.app, *request.app_args))
        await core.stasis(channel, request.app, request.app_args)
        if channel.alive:
            core.hangup(channel.id, 16, origin="dialplan")
    elif request.exten is not None and core.dialplan is not None:
        channel.context, channel.exten = request.context or "default", request.exten or "s"
        await core.dialplan.run(core, channel, priority=request.priority)


async def await_answer(core: Core, channel: Channel, timeout: float) -> bool:
    """Start the far end (Local `;2` dialplan or the endpoint's phone); wait for answer or hangup."""
    if channel.half == 1:
        partner = core.partner(channel)
        if partner is not None and core.dialplan is not None:
            partner.driver = core.spawn(core.dialplan.run(core, partner), name=f"dialplan:{partner.name}")
    else:
        endpoint = core.get_endpoint(channel.technology, channel.resource)
        phone = getattr(endpoint, "phone", None)
        if phone is not None:
            channel.driver = core.spawn(phone.on_call(core, channel), name=f"phone:{channel.name}")
    answer_seen = channel.far_answered if channel.owner_reads_answer else channel.answered
    answered = asyncio.ensure_future(answer_seen.wait())
    gone = asyncio.ensure_future(channel.gone.wait())
    try:
        await asyncio.wait({answered, gone}, timeout=timeout if timeout > 0 else None,  # -1: no limit
                           return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in (answered, gone):
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
    return (answer_seen.is_set() or channel.answered.is_set()) and channel.alive
