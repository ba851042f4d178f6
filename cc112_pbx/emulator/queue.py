"""`QueueService`: the emulator's app_queue: the `cc112-fallback` queue, its members over AMI,
and the `Queue()` dialplan application (whose call flow lives in `queue_call.py`).

Members are dynamic and live as long as the service (persistentmembers semantics for the
life of the emulator). Member status follows the core's device states: `PJSIP/...` endpoints
and `Local/<exten>@<context>` devices (INUSE while a channel of theirs lives), and the queue's
own calls for `Local/...` interfaces.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import structlog

from cc112_pbx.emulator.core import events as ev
from cc112_pbx.emulator.queue_apps import member_applications
from cc112_pbx.emulator.queue_model import AVAILABLE_STATUSES, DEVICE_STATUS, CallQueue, QueueMember

log = structlog.get_logger(__name__)

Pairs = list[tuple[str, str]]
Publish = Callable[..., None]
FALLBACK_QUEUE = "cc112-fallback"


class QueueService:
    def __init__(
        self,
        core: Any,
        publish: Publish,
        *,
        queue_names: tuple[str, ...] = (FALLBACK_QUEUE,),
        timeout: float = 15,
        retry: float = 5,
    ) -> None:
        self.core = core
        self.publish = publish
        self._avail_state: dict[str, str] = {}  # last published `Queue:<name>_avail` state
        # device -> the members it is the state interface of, in the order they were added
        self._by_device: dict[str, dict[tuple[str, str], tuple[CallQueue, QueueMember]]] = {}
        self.queues: dict[str, CallQueue] = {
            name: CallQueue(name, timeout=timeout, retry=retry) for name in queue_names
        }
        self.active_calls: dict[str, Any] = {}  # caller channel id -> QueueCall
        self._changed: dict[str, asyncio.Event] = {}
        self._unsubscribe: Any = None
        self._installed = False

    # -- lifecycle -------------------------------------------------------------------------
    def install(self) -> None:
        """Register `Queue` and the member apps with the core; follow device states and hangups."""
        if self._installed:
            return
        from cc112_pbx.emulator.queue_call import run_queue_application

        async def queue_app(core: Any, channel: Any, data: str) -> None:
            await run_queue_application(self, channel, data)

        self.core.register_application("Queue", queue_app)
        for name, app in member_applications(self).items():
            self.core.register_application(name, app)
        self._unsubscribe = self.core.subscribe(self._on_core_event)
        self._installed = True

    async def aclose(self) -> None:
        if callable(self._unsubscribe):
            self._unsubscribe()
        self._unsubscribe = None
        self._installed = False
        await asyncio.sleep(0)

    def get(self, name: str) -> CallQueue | None:
        return self.queues.get(name)

    def notify(self, queue_name: str) -> None:
        """Something that decides who may ring changed (members, pauses, states, callers)."""
        changed = self._changed.pop(queue_name, None)
        if changed is not None:
            changed.set()

    async def wait_change(self, queue_name: str, timeout: float) -> None:
        """Wait for `notify(queue_name)` (or `timeout` s, as a safety net)."""
        changed = self._changed.setdefault(queue_name, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout)

    # -- members -------------------------------------------------------------------------------
    def add_member(
        self,
        queue_name: str,
        interface: str,
        name: str = "",
        penalty: int = 0,
        paused: bool = False,
        state_interface: str = "",
        reason: str = "",
    ) -> str:
        """Returns "ok", "exists" or "nosuchqueue" (app_queue's RES_* outcomes)."""
        queue = self.queues.get(queue_name)
        if queue is None:
            return "nosuchqueue"
        if interface in queue.members:
            return "exists"
        member = QueueMember(
            interface=interface,
            name=name or interface,
            state_interface=state_interface or interface,
            penalty=max(penalty, 0),
            paused=paused,
            paused_reason=reason if paused else "",
        )
        member.status = self._device_status(member.state_interface)
        queue.members[interface] = member
        self._by_device.setdefault(member.state_interface, {})[(queue.name, interface)] = (queue, member)
        self._device_state(f"Queue:{queue.name}_pause_{interface}", "INUSE" if paused else "NOT_INUSE")
        self._member_event("QueueMemberAdded", queue, member)
        log.info("queue_member_added", queue=queue.name, interface=interface, paused=paused)
        return "ok"

    def remove_member(self, queue_name: str, interface: str) -> str:
        """Returns "ok", "notthere" or "nosuchqueue"."""
        queue = self.queues.get(queue_name)
        if queue is None:
            return "nosuchqueue"
        member = queue.members.pop(interface, None)
        if member is None:
            return "notthere"
        self._by_device.get(member.state_interface, {}).pop((queue.name, interface), None)
        self._member_event("QueueMemberRemoved", queue, member)
        self._device_state(f"Queue:{queue.name}_pause_{interface}", "NOT_INUSE")
        log.info("queue_member_removed", queue=queue.name, interface=interface)
        return "ok"

    def set_paused(self, queue_name: str, interface: str, paused: bool, reason: str = "") -> bool:
        """Pause in one queue, or in every queue when `queue_name` is empty; False: not found."""
        found = False
        for queue in self._queues_for(queue_name):
            member = queue.members.get(interface)
            if member is None:
                continue
            found = True
            member.paused = paused
            member.paused_reason = reason if paused else ""
            member.last_pause = int(time.time()) if paused else member.last_pause
            self._device_state(f"Queue:{queue.name}_pause_{interface}", "INUSE" if paused else "NOT_INUSE")
            self._update_avail(queue)
            self._member_event("QueueMemberPause", queue, member)
            log.info("queue_member_paused", queue=queue.name, interface=interface, paused=paused)
        return found

    def set_penalty(self, queue_name: str, interface: str, penalty: int) -> bool:
        found = False
        for queue in self._queues_for(queue_name):
            member = queue.members.get(interface)
            if member is None:
                continue
            found = True
            member.penalty = penalty
            self._member_event("QueueMemberPenalty", queue, member)
        return found

    def _queues_for(self, queue_name: str) -> list[CallQueue]:
        if not queue_name:
            return list(self.queues.values())
        queue = self.queues.get(queue_name)
        return [queue] if queue is not None else []

    # -- member status --------------------------------------------------------------------------
    def set_member_status(self, queue: CallQueue, member: QueueMember, status: str) -> None:
        code = DEVICE_STATUS.get(status, 0)
        if member.status == code:
            return
        member.status = code
        self._member_event("QueueMemberStatus", queue, member)
        self._update_avail(queue)

    def _device_status(self, state_interface: str) -> int:
        endpoints = getattr(self.core, "endpoints", {}) or {}
        endpoint = endpoints.get(state_interface)
        if endpoint is None:
            return DEVICE_STATUS["NOT_INUSE"]
        return DEVICE_STATUS.get(getattr(endpoint, "device_state", "UNKNOWN"), 0)

    def _on_core_event(self, event: ev.CoreEvent) -> None:
        if isinstance(event, ev.DeviceStateChanged):
            for queue, member in list(self._by_device.get(event.device, {}).values()):
                self.set_member_status(queue, member, event.state)
            return
        if isinstance(event, ev.ChannelHangupRequest):
            for call in list(self.active_calls.values()):
                call.on_hangup_request(event.channel_id)
        elif isinstance(event, ev.LeftBridge) and event.channel_id in self.active_calls:
            self.active_calls[event.channel_id].on_caller_left_bridge()

    # -- AMI output ---------------------------------------------------------------------------
    def _member_event(self, name: str, queue: CallQueue, member: QueueMember) -> None:
        self.publish(name, "agent,all", member.member_fields(queue.name))
        self.notify(queue.name)

    def _update_avail(self, queue: CallQueue) -> None:
        """app_queue's `Queue:<name>_avail` device: NOT_INUSE while some member could take a
        call (not paused, device free or unknown), INUSE otherwise; a cached device state, so
        published only when it changes (ami-02: both seats ringing, then one free again; ami-03:
        both paused, then unpaused)."""
        available = any(m.status in AVAILABLE_STATUSES and not m.paused for m in queue.members.values())
        state = "NOT_INUSE" if available else "INUSE"
        if self._avail_state.get(queue.name, "NOT_INUSE") != state:
            self._avail_state[queue.name] = state
            self._device_state(f"Queue:{queue.name}_avail", state)

    def _device_state(self, device: str, state: str) -> None:
        self.publish("DeviceStateChange", "call,all", [("Device", device), ("State", state)])

    def cli_show(self) -> list[str]:
        lines = []
        for queue in self.queues.values():
            lines.append(
                f"{queue.name} has {len(queue.entries)} calls (max unlimited) in "
                f"'{queue.strategy}' strategy ({queue.holdtime}s holdtime, {queue.talktime}s talktime), "
                f"W:{queue.weight}, C:{queue.completed}, A:{queue.abandoned}"
            )
            for member in queue.members.values():
                paused = " (paused)" if member.paused else ""
                lines.append(
                    f"   {member.name} ({member.interface}) ({member.membership}){paused} "
                    f"has taken {member.calls_taken} calls"
                )
        return lines
