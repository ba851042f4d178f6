"""The `FallbackQueue` port: logged-in seats as members of app_queue's fallback queue (AMI)."""

from __future__ import annotations

from cc112_pbx.asterisk.ami_manager import AmiManager
from cc112_pbx.domain.telephony import QueueMemberSnapshot


class AmiFallbackQueue:
    def __init__(self, ami: AmiManager, queue: str) -> None:
        self.ami = ami
        self.queue = queue

    async def add(self, interface: str, *, seat_id: str, paused: bool) -> None:
        await self.ami.queue_add(self.queue, interface, member_name=seat_id, paused=paused)

    async def pause(self, interface: str, *, paused: bool, reason: str) -> None:
        await self.ami.queue_pause(interface, paused, queue=self.queue, reason=reason)

    async def remove(self, interface: str) -> None:
        await self.ami.queue_remove(self.queue, interface)

    async def list_members(self) -> list[QueueMemberSnapshot]:
        return [m for m in await self.ami.queue_status(self.queue) if m.queue == self.queue]
