"""Queue actions: QueueAdd, QueueRemove, QueuePause, QueuePenalty, QueueStatus, QueueSummary.

Texts as app_queue.c's manager_* functions answer them.
"""

from __future__ import annotations

import time

from cc112_pbx.emulator.ami_actions import ActionContext, action, is_true
from cc112_pbx.emulator.ami_protocol import AmiMessage


def _int(text: str, default: int = 0) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return default


@action("QueueAdd")
async def queue_add(ctx: ActionContext, m: AmiMessage) -> None:
    queue, interface = m.get("Queue").strip(), m.get("Interface").strip()
    if not queue:
        ctx.error(m, "'Queue' not specified.")
        return
    if not interface:
        ctx.error(m, "'Interface' not specified.")
        return
    penalty = max(_int(m.get("Penalty")), 0)
    paused = is_true(m.get("Paused"))
    outcome = ctx.server.queues.add_member(
        queue,
        interface,
        m.get("MemberName").strip(),
        penalty,
        paused,
        m.get("StateInterface").strip(),
        m.get("Reason"),
    )
    if outcome == "ok":
        ctx.ack(m, "Added interface to queue")
    elif outcome == "exists":
        ctx.error(m, "Unable to add interface: Already there")
    else:
        ctx.error(m, "Unable to add interface to queue: No such queue")


@action("QueueRemove")
async def queue_remove(ctx: ActionContext, m: AmiMessage) -> None:
    queue, interface = m.get("Queue").strip(), m.get("Interface").strip()
    if not queue or not interface:
        ctx.error(m, "Need 'Queue' and 'Interface' parameters.")
        return
    outcome = ctx.server.queues.remove_member(queue, interface)
    if outcome == "ok":
        ctx.ack(m, "Removed interface from queue")
    elif outcome == "notthere":
        ctx.error(m, "Unable to remove interface: Not there")
    else:
        ctx.error(m, "Unable to remove interface from queue: No such queue")


@action("QueuePause")
async def queue_pause(ctx: ActionContext, m: AmiMessage) -> None:
    interface, paused_text = m.get("Interface").strip(), m.get("Paused").strip()
    if not interface or not paused_text:
        ctx.error(m, "Need 'Interface' and 'Paused' parameters.")
        return
    paused = is_true(paused_text)
    if not ctx.server.queues.set_paused(m.get("Queue").strip(), interface, paused, m.get("Reason")):
        ctx.error(m, "Interface not found")
        return
    ctx.ack(m, "Interface paused successfully" if paused else "Interface unpaused successfully")


@action("QueuePenalty")
async def queue_penalty(ctx: ActionContext, m: AmiMessage) -> None:
    interface, penalty = m.get("Interface").strip(), m.get("Penalty").strip()
    if not interface or not penalty:
        ctx.error(m, "Need 'Interface' and 'Penalty' parameters.")
        return
    if not ctx.server.queues.set_penalty(m.get("Queue").strip(), interface, _int(penalty)):
        ctx.error(m, "Invalid interface, queuename or penalty")
        return
    ctx.ack(m, "Interface penalty set successfully")


@action("QueueStatus")
async def queue_status(ctx: ActionContext, m: AmiMessage) -> None:
    wanted, member_filter = m.get("Queue").strip(), m.get("Member").strip()
    ctx.list_ack(m, "Queue status will follow")
    items = 0
    now = time.monotonic()
    for queue in ctx.server.queues.queues.values():
        if wanted and wanted.lower() != queue.name.lower():
            continue
        ctx.list_item(m, "QueueParams", queue.params_item(), id_last=True)
        items += 1
        for member in queue.members.values():
            if member_filter and member_filter not in (member.interface, member.name):
                continue
            ctx.list_item(m, "QueueMember", member.status_item(queue.name), id_last=True)
            items += 1
        for position, entry in enumerate(queue.entries, start=1):
            ctx.list_item(
                m,
                "QueueEntry",
                _entry_item(ctx, queue.name, position, entry.channel_id, int(now - entry.joined)),
                id_last=True,
            )
            items += 1
    ctx.list_complete(m, "QueueStatusComplete", items)


def _entry_item(ctx: ActionContext, queue: str, position: int, channel_id: str, wait: int) -> list[tuple[str, str]]:
    channel = ctx.core.channels.get(channel_id)
    caller = channel.caller if channel is not None else None
    connected = channel.connected if channel is not None else None
    return [
        ("Queue", queue),
        ("Position", str(position)),
        ("Channel", channel.name if channel else ""),
        ("Uniqueid", channel_id),
        ("CallerIDNum", (caller.number if caller else "") or "unknown"),
        ("CallerIDName", (caller.name if caller else "") or "unknown"),
        ("ConnectedLineNum", (connected.number if connected else "") or "unknown"),
        ("ConnectedLineName", (connected.name if connected else "") or "unknown"),
        ("Wait", str(wait)),
        ("Priority", "0"),
    ]


@action("QueueSummary")
async def queue_summary(ctx: ActionContext, m: AmiMessage) -> None:
    wanted = m.get("Queue").strip()
    ctx.list_ack(m, "Queue summary will follow")
    count = 0
    now = time.monotonic()
    for queue in ctx.server.queues.queues.values():
        if wanted and wanted.lower() != queue.name.lower():
            continue
        ctx.list_item(m, "QueueSummary", queue.summary_item(now), id_last=True)
        count += 1
    ctx.list_complete(m, "QueueSummaryComplete", count)
