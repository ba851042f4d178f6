"""One caller inside `Queue()`: join, ring members (ringall), connect or abandon.

Event order follows ami-02 (answered) and ami-03 (abandoned): QueueCallerJoin, AgentCalled +
DialBegin per member, the winner's AgentConnect after QueueCallerLeave, the others hung up
with cause 26 "Answered elsewhere" (no AgentRingNoAnswer); AgentComplete when one side hangs
up; QueueCallerAbandon + QueueCallerLeave when the caller hangs up while waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from cc112_pbx.emulator.ami_fields import channel_block
from cc112_pbx.emulator.core.engine import CoreError
from cc112_pbx.emulator.core.model import Channel
from cc112_pbx.emulator.queue_dial import (
    answer_member,
    create_member_channel,
    dial_begin,
    dial_end,
    hang_up_member,
    ring_member,
)
from cc112_pbx.emulator.queue_model import CallQueue, QueueEntry, QueueMember

if TYPE_CHECKING:
    from cc112_pbx.emulator.queue import QueueService

log = structlog.get_logger(__name__)

ANSWERED_ELSEWHERE = 26
IDLE_POLL = 1.0  # a safety net: waiting callers are woken by QueueService.notify
START_VARIABLES = (
    "ANSWEREDTIME",
    "ANSWEREDTIME_MS",
    "DIALEDTIME",
    "DIALEDTIME_MS",
    "QUEUEWAIT",
    "QUEUEWAIT_MS",
)


@dataclass(eq=False)
class Attempt:
    member: QueueMember
    channel: Channel
    task: asyncio.Task[bool]
    started: float


async def run_queue_application(service: QueueService, channel: Channel, data: str) -> None:
    """`Queue(name,options,URL,announce,timeout)`: returns when the call is over or timed out."""
    args = data.split(",")
    queue = service.get(args[0].strip())
    core = service.core
    if queue is None:
        log.warning("queue_unknown", queue=args[0], channel=channel.name)
        core.set_variable(channel.id, "QUEUESTATUS", "UNKNOWN")
        return
    limit = float(args[4]) if len(args) > 4 and args[4].strip().isdigit() else 0.0
    call = QueueCall(service, queue, channel, limit)
    service.active_calls[channel.id] = call
    try:
        await call.run()
    finally:
        service.active_calls.pop(channel.id, None)
        await call.cleanup()


class QueueCall:
    def __init__(self, service: QueueService, queue: CallQueue, caller: Channel, limit: float) -> None:
        self.service = service
        self.core: Any = service.core
        self.queue = queue
        self.caller = caller
        self.limit = limit
        self.entry: QueueEntry | None = None
        self.attempts: list[Attempt] = []
        self._ring_tasks: set[asyncio.Task[bool]] = set()
        self.agent: Attempt | None = None
        self.bridge_id: str | None = None
        self.connected_at = 0.0
        self.finished = False
        self.times_set = False  # ANSWEREDTIME / DIALEDTIME given to the caller
        self.log = log.bind(queue=queue.name, channel=caller.name)

    # -- the flow ----------------------------------------------------------------------------
    async def run(self) -> None:
        for name in START_VARIABLES:
            self.core.set_variable(self.caller.id, name, "")
        self._join()
        deadline = time.monotonic() + self.limit if self.limit else None
        while self.caller.alive and self.agent is None:
            if deadline is not None and time.monotonic() >= deadline:
                self._leave_timeout()
                return
            await self._ring_round()
        if self.agent is not None and self.caller.alive:
            await self._talk()

    def _join(self) -> None:
        wall = time.time()
        self.entry = QueueEntry(self.caller.id, time.monotonic(), wall, len(self.queue.entries) + 1)
        self.queue.entries.append(self.entry)
        self.service._device_state(f"Queue:{self.queue.name}", "RINGING")
        self._publish(
            "QueueCallerJoin",
            [
                ("Queue", self.queue.name),
                ("Position", str(self.entry.original_position)),
                ("Count", str(len(self.queue.entries))),
            ],
        )
        self._publish_caller("MusicOnHoldStart", [("Class", "default")], privilege="call,all")
        self.log.info("queue_caller_joined", position=self.entry.original_position)

    async def _ring_round(self) -> None:
        """Ring every free member, but only when it is this caller's turn (first come, first
        served: with autofill, the first N callers ring when N members are free)."""
        members = self.queue.ringable_members()
        if not members or self.queue.position_of(self.caller.id) > len(members):
            await self.service.wait_change(self.queue.name, IDLE_POLL)
            return
        for member in members:
            self._call_member(member)
        if not self.attempts:
            await asyncio.sleep(self.queue.retry)
            return
        winner = await self._wait_for_answer()
        if winner is not None:
            self._connect(winner)
            return
        self._give_up_round()
        if self.caller.alive:
            await asyncio.sleep(self.queue.retry)

    def _call_member(self, member: QueueMember) -> None:
        try:
            channel = create_member_channel(self.core, member.interface, self.caller)
        except CoreError as error:
            self.log.info("queue_member_unreachable", interface=member.interface, error=error.message)
            return
        member.ringing = True
        self._publish_agent("AgentCalled", channel, member, [])
        dial_begin(self.core, self.caller, channel, member.interface)
        task = asyncio.get_running_loop().create_task(ring_member(self.core, channel, self.queue.timeout))
        self._ring_tasks.add(task)
        self.attempts.append(Attempt(member, channel, task, time.monotonic()))

    async def _wait_for_answer(self) -> Attempt | None:
        pending = {attempt.task for attempt in self.attempts}
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for attempt in self.attempts:
                if attempt.task in done and not attempt.task.cancelled() and attempt.task.result():
                    return attempt
        return None

    def _connect(self, winner: Attempt) -> None:
        self.agent = winner
        answer_member(self.core, winner.channel)
        dial_end(self.core, self.caller, winner.channel, winner.member.interface, "ANSWER")
        self._end_dials([a for a in self.attempts if a is not winner], "CANCEL", ANSWERED_ELSEWHERE)
        self.attempts = [winner]
        member = winner.member
        member.ringing = False
        if member.state_interface not in (getattr(self.core, "endpoints", {}) or {}):
            self.service.set_member_status(self.queue, member, "INUSE")
        hold = self._leave_queue()
        self.core.set_variable(self.caller.id, "QUEUEWAIT", str(int(hold)))
        self.core.set_variable(self.caller.id, "QUEUEWAIT_MS", str(int(hold * 1000)))
        ring = int(time.monotonic() - winner.started)
        self._publish_agent(
            "AgentConnect", winner.channel, member, [("HoldTime", str(int(hold))), ("RingTime", str(ring))]
        )
        member.in_call = True
        member.calls_taken += 1
        member.last_call = int(time.time())
        self.connected_at = time.monotonic()
        bridge = self.core.create_bridge("mixing", "", bridge_class="basic", creator="", by_rest=False)
        bridge.video_mode = "none"
        self.bridge_id = bridge.id
        self.core.add_to_bridge(bridge.id, winner.channel.id)
        self.core.add_to_bridge(bridge.id, self.caller.id)
        self.log.info("queue_agent_connected", interface=member.interface, hold=round(hold, 3))

    async def _talk(self) -> None:
        assert self.agent is not None
        waits = [
            asyncio.ensure_future(self.caller.gone.wait()),
            asyncio.ensure_future(self.agent.channel.gone.wait()),
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    # -- endings -------------------------------------------------------------------------------
    def on_hangup_request(self, channel_id: str) -> None:
        """Called synchronously from the core's hangup: abandon or completion, in Asterisk's order."""
        if self.finished:
            return
        if self.agent is not None and channel_id in (self.caller.id, self.agent.channel.id):
            self._complete("caller" if channel_id == self.caller.id else "agent")
        elif self.agent is None and channel_id == self.caller.id and self.entry is not None:
            self._abandon()

    def _abandon(self) -> None:
        self.finished = True
        assert self.entry is not None
        hold = time.monotonic() - self.entry.joined
        position = self.queue.position_of(self.caller.id)
        self._publish_caller("MusicOnHoldStop", [], privilege="call,all")
        dialled = max((self.core.now() - self.caller.creationtime).total_seconds(), 0.0)
        for name, value in (  # app_queue's order on abandon (ami-03)
            ("QUEUEWAIT", str(int(hold))),
            ("QUEUEWAIT_MS", str(int(hold * 1000))),
            ("DIALEDTIME", str(int(dialled))),
            ("DIALEDTIME_MS", str(int(dialled * 1000))),
            ("ANSWEREDTIME", "0"),
            ("ANSWEREDTIME_MS", "0"),
            ("ABANDONED", "TRUE"),
        ):
            self._set_caller_variable(name, value)
        self._publish(
            "QueueCallerAbandon",
            [
                ("Queue", self.queue.name),
                ("Position", str(position)),
                ("OriginalPosition", str(self.entry.original_position)),
                ("HoldTime", str(int(hold))),
            ],
        )
        self.queue.record_abandoned(int(hold))
        self._leave_queue()
        self.log.info("queue_caller_abandoned", hold=round(hold, 3))

    def _complete(self, reason: str) -> None:
        self.finished = True
        assert self.agent is not None and self.entry is not None
        hold = int(self.connected_at - self.entry.joined)
        talk = int(time.monotonic() - self.connected_at)
        self._publish_agent(
            "AgentComplete",
            self.agent.channel,
            self.agent.member,
            [("HoldTime", str(hold)), ("TalkTime", str(talk)), ("Reason", reason)],
        )
        self.queue.record_completed(hold, talk)
        self.log.info("queue_call_completed", reason=reason, talk=talk)

    def _leave_timeout(self) -> None:
        self.finished = True
        self._publish_caller("MusicOnHoldStop", [], privilege="call,all")
        self._leave_queue()
        self.core.set_variable(self.caller.id, "QUEUESTATUS", "TIMEOUT")

    def _leave_queue(self) -> float:
        entry = self.entry
        if entry is None or entry not in self.queue.entries:
            return 0.0
        position = self.queue.position_of(self.caller.id)
        if self.agent is not None:
            self._publish_caller("MusicOnHoldStop", [], privilege="call,all")
        self.queue.entries.remove(entry)
        if not self.queue.entries:
            self.service._device_state(f"Queue:{self.queue.name}", "NOT_INUSE")
        self.service.notify(self.queue.name)
        self._publish(
            "QueueCallerLeave",
            [
                ("Queue", self.queue.name),
                ("Position", str(position)),
                ("Count", str(len(self.queue.entries))),
            ],
        )
        self._set_caller_variable("QUEUEPOSITION", str(position))
        return time.monotonic() - entry.joined

    def _give_up_round(self) -> None:
        ringing = []
        for attempt in self.attempts:
            if attempt.channel.alive:
                ring = int(time.monotonic() - attempt.started)
                self._publish_agent("AgentRingNoAnswer", attempt.channel, attempt.member, [("RingTime", str(ring))])
                ringing.append(attempt)
            else:
                attempt.member.ringing = False
                dial_end(self.core, self.caller, attempt.channel, attempt.member.interface, "BUSY")
        self._end_dials(ringing, "NOANSWER", 16)
        self.attempts = []

    def _end_dials(self, attempts: list[Attempt], status: str, cause: int) -> None:
        """app_queue's two steps: wait_for_answer's publish_dial_end_event (`status`, empty
        dialstring) for every attempt, then hangupcalls: per attempt a `CANCEL` carrying the
        member's interface, then the hang-up (ari-09, ami-02: the loser's Dial CANCEL twice)."""
        for attempt in attempts:
            dial_end(self.core, self.caller, attempt.channel, "", status)
        for attempt in attempts:
            self._drop_attempt(attempt, cause)

    def _drop_attempt(self, attempt: Attempt, cause: int) -> None:
        attempt.member.ringing = False
        self.service.notify(self.queue.name)
        attempt.task.cancel()
        dial_end(self.core, self.caller, attempt.channel, attempt.member.interface, "CANCEL")
        with contextlib.suppress(CoreError):
            hang_up_member(self.core, attempt.channel, cause)
        if attempt.member.state_interface not in (getattr(self.core, "endpoints", {}) or {}):
            self.service.set_member_status(self.queue, attempt.member, "NOT_INUSE")

    async def cleanup(self) -> None:
        """Whatever ended the call: hang up ringing or connected members, destroy the bridge."""
        if self.entry is not None and self.entry in self.queue.entries:
            if self.caller.alive:
                self._leave_queue()
            else:
                self._abandon()
        self._end_dials([a for a in self.attempts if a is not self.agent], "CANCEL", 16)
        if self.agent is not None:
            member = self.agent.member
            member.in_call = False
            self.service.notify(self.queue.name)
            if self.agent.channel.alive:
                with contextlib.suppress(CoreError):
                    self.core.hangup(self.agent.channel.id, 16, origin="queue")
            if member.state_interface not in (getattr(self.core, "endpoints", {}) or {}):
                self.service.set_member_status(self.queue, member, "NOT_INUSE")
        if self.bridge_id is not None and self.bridge_id in self.core.bridges:
            self.core.destroy_bridge(self.bridge_id)
        for task in self._ring_tasks:
            task.cancel()
        await asyncio.gather(*self._ring_tasks, return_exceptions=True)
        self._ring_tasks.clear()
        self.on_caller_left_bridge()

    def on_caller_left_bridge(self) -> None:
        """Queue() returns once the caller is out of the agent's bridge: ANSWEREDTIME and
        DIALEDTIME (ms too) on the caller, right after its BridgeLeave and before the dialplan
        goes on or the channel ends (ami-02)."""
        if self.times_set or not self.connected_at or not self.caller.alive:
            return
        self.times_set = True
        talk = time.monotonic() - self.connected_at
        dialled = max((self.core.now() - self.caller.creationtime).total_seconds(), 0.0)
        for name, seconds in (("ANSWEREDTIME", talk), ("DIALEDTIME", dialled)):
            self.core.set_variable(self.caller.id, name, str(int(seconds)))
            self.core.set_variable(self.caller.id, f"{name}_MS", str(int(seconds * 1000)))

    # -- AMI output -----------------------------------------------------------------------------
    def _publish(self, event: str, extra: list[tuple[str, str]]) -> None:
        self._publish_caller(event, extra, privilege="agent,all")

    def _publish_caller(self, event: str, extra: list[tuple[str, str]], *, privilege: str) -> None:
        self.service.publish(event, privilege, [*channel_block(self.caller.to_dict()), *extra])

    def _publish_agent(self, event: str, channel: Channel, member: QueueMember, extra: list[tuple[str, str]]) -> None:
        self.service.publish(
            event,
            "agent,all",
            [
                *channel_block(self.caller.to_dict()),
                *channel_block(channel.to_dict(), "Dest"),
                ("Queue", self.queue.name),
                ("Interface", member.interface),
                ("MemberName", member.name),
                *extra,
            ],
        )

    def _set_caller_variable(self, name: str, value: str) -> None:
        if self.caller.id in self.core.channels:
            self.core.set_variable(self.caller.id, name, value)
