"""Ringing one queue member: the member channel (`Local/...;1` or `PJSIP/...`) and its far end.

Unlike `core.originate`, the member channel runs nothing once answered: the queue bridges it
with the caller. Built on the core's public originate building blocks (`local_pair`,
`pjsip_channel`, `await_answer`): a thin, separate layer so that the queue does not depend on
what an originate does after the answer.
"""

from __future__ import annotations

from typing import Any

from cc112_pbx.emulator.core import events as ev
from cc112_pbx.emulator.core.engine import CoreError
from cc112_pbx.emulator.core.model import CallerId, Channel
from cc112_pbx.emulator.core.originate import (
    OriginateRequest,
    await_answer,
    local_pair,
    parse_endpoint,
    pjsip_channel,
)


def create_member_channel(core: Any, interface: str, caller: Channel) -> Channel:
    """Create the outgoing channel for `interface` (then call `dial_begin`); CoreError if impossible."""
    technology, resource, number = parse_endpoint(interface)
    request = OriginateRequest(originator=None)
    caller_id = CallerId(caller.caller.name, caller.caller.number)
    if technology == "Local":
        channel = local_pair(core, resource, caller_id, request, None, None)
        channel.app_name, channel.app_data = "AppQueue", "(Outgoing Line)"
        channel.owner_reads_answer = True  # Up only once the queue picks it (`answer_member`)
        _announce_caller(core, channel, caller_id, resource)
    elif technology == "PJSIP":
        channel = pjsip_channel(core, resource, number, caller_id, request, None)
        channel.app_name, channel.app_data = "AppQueue", "(Outgoing Line)"
    else:
        raise CoreError("allocation_failed", "Allocation failed")
    return channel


def _announce_caller(core: Any, one: Channel, caller_id: CallerId, dialled: str) -> None:
    """app_queue hands the caller's id and DIALEDPEERNUMBER to the member's Local pair, in this
    order per half: `;1` NewCallerid, VarSet; `;2` VarSet, NewCallerid, NewConnectedLine
    (ami-02); no caller id events for a caller without an id."""
    two = core.partner(one)
    if two is None:
        return
    known = bool(caller_id.name or caller_id.number)
    if known:
        core.set_caller_id(one, caller_id)
    core.set_variable(one.id, "DIALEDPEERNUMBER", dialled)
    core.set_variable(two.id, "DIALEDPEERNUMBER", dialled)
    if known:
        core.set_caller_id(two, caller_id)
        core.set_connected(two, caller_id)


def dial_begin(core: Any, caller: Channel, channel: Channel, interface: str) -> None:
    core.emit(ev.DialBegin(core.now(), caller.id, caller.to_dict(), channel.id, channel.to_dict(), interface))


async def ring_member(core: Any, channel: Channel, timeout: float) -> bool:
    """Start the far end and wait up to `timeout` s: True when the member's far end answered."""
    return await await_answer(core, channel, timeout)


def answer_member(core: Any, channel: Channel) -> None:
    """The queue reads the winner's answer: its `;1` half goes Up. A ringall loser whose far end
    answered too is never read, so it stays Down until hung up (ami-02, ari-09)."""
    core.answer(channel)
    # app_queue takes the winner over (its snapshot republished with the same `AppQueue`
    # application): a second Newexten on its `;1` half right after it goes Up (ami-02)
    core.set_dialplan_step(channel, channel.app_name, channel.app_data)
    _far_end_connected_line(core, channel)


def hang_up_member(core: Any, channel: Channel, cause: int) -> None:
    """app_queue hangs a ringing or losing member up: no hang-up request on its `;1` half (the
    `;2` half is told `cause`). A loser whose far end had answered reads that answer's connected
    line only as it is torn down: NewConnectedLine after its Hangup (ami-02)."""
    answered = channel.far_answered.is_set() and channel.state != "Up"
    partner = core.partner(channel)
    if channel.alive:
        core.hangup(channel.id, cause, origin="queue")
    if answered and partner is not None:
        core.set_connected(channel, partner.caller)


def _far_end_connected_line(core: Any, channel: Channel) -> None:
    """The answering far end's connected line reaches the member's `;1` half (NewConnectedLine
    right after the queue takes it, ami-02)."""
    partner = core.partner(channel)
    if partner is not None:
        core.set_connected(channel, partner.caller)


def dial_end(core: Any, caller: Channel, channel: Channel, interface: str, status: str) -> None:
    core.emit(ev.DialStatus(core.now(), caller.id, caller.to_dict(), channel.id, channel.to_dict(), interface, status))
