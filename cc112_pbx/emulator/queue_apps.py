"""app_queue's member applications for the dialplan: AddQueueMember, RemoveQueueMember,
PauseQueueMember, UnpauseQueueMember, with their status variables (AQMSTATUS, RQMSTATUS,
PQMSTATUS, UPQMSTATUS). The seats' feature codes use them when the controller is down.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from cc112_pbx.emulator.queue import QueueService

log = structlog.get_logger(__name__)

App = Callable[[Any, Any, str], Awaitable[None]]


def _args(data: str, count: int) -> list[str]:
    parts = [part.strip() for part in data.split(",")]
    return (parts + [""] * count)[:count]


def _device_of(channel: Any) -> str:
    """The interface a member app defaults to: the calling channel's device (`PJSIP/seat01`)."""
    technology = getattr(channel, "technology", "")
    resource = getattr(channel, "resource", "")
    return f"{technology}/{resource}" if technology and resource else channel.name.rsplit("-", 1)[0]


def member_applications(service: QueueService) -> dict[str, App]:
    async def add_queue_member(core: Any, channel: Any, data: str) -> None:
        queue, interface, penalty, _options, name, state_interface, _wrapup = _args(data, 7)
        interface = interface or _device_of(channel)
        outcome = service.add_member(
            queue, interface, name or interface, int(penalty) if penalty.isdigit() else 0, False, state_interface
        )
        status = {"ok": "ADDED", "exists": "MEMBERALREADY"}.get(outcome, "NOSUCHQUEUE")
        core.set_variable(channel.id, "AQMSTATUS", status)
        log.info("queue_add_member_app", queue=queue, interface=interface, status=status)

    async def remove_queue_member(core: Any, channel: Any, data: str) -> None:
        queue, interface, _options = _args(data, 3)
        interface = interface or _device_of(channel)
        outcome = service.remove_member(queue, interface)
        status = {"ok": "REMOVED", "notthere": "NOTINQUEUE"}.get(outcome, "NOSUCHQUEUE")
        core.set_variable(channel.id, "RQMSTATUS", status)
        log.info("queue_remove_member_app", queue=queue, interface=interface, status=status)

    def pause_app(paused: bool, variable: str, done: str) -> App:
        async def app(core: Any, channel: Any, data: str) -> None:
            queue, interface, _options, reason = _args(data, 4)
            interface = interface or _device_of(channel)
            found = service.set_paused(queue, interface, paused, reason)
            core.set_variable(channel.id, variable, done if found else "NOTFOUND")

        return app

    return {
        "AddQueueMember": add_queue_member,
        "RemoveQueueMember": remove_queue_member,
        "PauseQueueMember": pause_app(True, "PQMSTATUS", "PAUSED"),
        "UnpauseQueueMember": pause_app(False, "UPQMSTATUS", "UNPAUSED"),
    }
