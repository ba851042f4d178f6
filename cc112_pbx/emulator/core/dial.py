"""The `Dial()` dialplan application: call a target, bridge it with the caller when answered."""

from __future__ import annotations

import asyncio

from .engine import Core, CoreError
from .model import Channel
from .originate import originate


async def dial_application(core: Core, channel: Channel, data: str) -> None:
    """`Dial(PJSIP/0812@telco,60)`: sets DIALSTATUS; when answered, both talk in a basic bridge."""
    target, _, rest = data.partition(",")
    timeout_text = rest.partition(",")[0]
    timeout = float(timeout_text) if timeout_text.strip() else 60.0
    try:
        result = originate(core, target, caller_id=channel.caller, timeout=timeout, originator=None)
    except CoreError:
        core.set_variable(channel.id, "DIALSTATUS", "CHANUNAVAIL")
        return
    outcome = await result.wait()
    core.set_variable(channel.id, "DIALSTATUS", outcome.dialstatus)
    if not outcome.answered:
        return
    peer = result.channel
    core.answer(channel)
    bridge = core.create_bridge("basic", bridge_class="basic", creator="", by_rest=False)
    core.add_to_bridge(bridge.id, channel.id)
    core.add_to_bridge(bridge.id, peer.id)
    try:
        await _first_gone(channel, peer)
    finally:
        for leg in (peer, channel):
            if leg.alive and leg is peer:
                core.hangup(leg.id, 16, origin="remote")
        if bridge.id in core.bridges:
            core.destroy_bridge(bridge.id)


async def _first_gone(a: Channel, b: Channel) -> None:
    waits = [asyncio.ensure_future(a.gone.wait()), asyncio.ensure_future(b.gone.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waits:
            waiter.cancel()
        await asyncio.gather(*waits, return_exceptions=True)
