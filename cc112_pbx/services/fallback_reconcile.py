"""The citizens Asterisk holds in the dialplan's fallback queue, recorded from what it tells us.

While no controller held the Stasis app, callers reached the fallback (`[cc112-inbound] fallback`):
new ones because `Stasis()` failed (no controller, or only its WebSocket down for a moment), held
ones because the watchdog `continue`d them there. Each time its ARI link comes up (at start and
after every reconnect) the controller lists the channels (`GET /channels`: their dialplan location
is the fallback extension) and, through the journal:
- a call a previous run stored and left open is closed as handed to the fallback (its incident
  stays open for the call taker who answers in the queue);
- a call no controller ever saw gets its incident and call row, closed the same way, so no
  citizen's call is missing from the records.
The controller does not take these callers back: they are ringing the seats in Asterisk's queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import structlog

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.caller import callback_number, classify_caller
from cc112_pbx.services.journal import Journal
from cc112_pbx.services.ports import Store
from cc112_pbx.services.watchdog import FALLBACK_TARGET, FallbackTarget

log = structlog.get_logger("cc112.fallback")

HANDED_TO_FALLBACK = "handed to the fallback queue while no controller held the app"
FALLBACK_CALL_NAMESPACE = uuid.UUID("5f0c1a12-7d3e-4c55-9a40-112fa11bac00")


def in_fallback(snap: tel.ChannelSnapshot, target: FallbackTarget = FALLBACK_TARGET) -> bool:
    return snap.app is None and snap.context == target.context and snap.exten == target.extension


def fallback_call_id(channel_id: str) -> str:
    """The same call id for the same channel in every run: recording it twice is idempotent."""
    return str(uuid.uuid5(FALLBACK_CALL_NAMESPACE, channel_id))


async def record_fallback_calls(store: Store, channels: Sequence[tel.ChannelSnapshot], now: datetime,
                                target: FallbackTarget = FALLBACK_TARGET) -> int:
    """Write what the listing shows of the fallback (idempotent: a channel recorded before is
    skipped); the number of calls written."""
    written = 0
    for snap in (s for s in channels if in_fallback(s, target)):
        row = await store.calls.by_channel(snap.channel_id)
        if row is not None:
            if row.ended_at is None and row.direction == "inbound":
                await store.calls.end(row.id, now, None, HANDED_TO_FALLBACK)
                log.warning("call_found_in_fallback", call_id=row.id, incident_id=row.incident_id,
                            channel=snap.channel_id)
                written += 1
            continue
        await _record_unseen(store, snap, now)
        log.warning("unseen_call_found_in_fallback", channel=snap.channel_id, caller=snap.caller_number)
        written += 1
    return written


class FallbackRecorder:
    """A fact subscriber: when the ARI link comes up, list the channels (in a lane, never in the
    loop) and journal the fallback's calls."""

    def __init__(self, store: Store, journal: Journal,
                 list_channels: Callable[[], Awaitable[Sequence[tel.ChannelSnapshot]]],
                 submit: Callable[[str, Callable[[], Awaitable[None]]], None], clock: Callable[[], datetime],
                 target: FallbackTarget = FALLBACK_TARGET) -> None:
        self.store, self.journal, self.list_channels = store, journal, list_channels
        self.submit, self.clock, self.target = submit, clock, target

    def __call__(self, fact: object) -> None:
        if isinstance(fact, tel.ConnectionChanged) and fact.link == "ari" and fact.connected:
            self.submit("fallback_scan", self._scan)

    async def _scan(self) -> None:
        try:
            channels = await self.list_channels()
        except Exception as exc:  # the next reconnect looks again
            log.warning("fallback_scan_failed", error=repr(exc))
            return
        now = self.clock()
        if any(in_fallback(c, self.target) for c in channels):
            self.journal.submit("fallback_calls", lambda: self._record(channels, now))

    async def _record(self, channels: Sequence[tel.ChannelSnapshot], now: datetime) -> None:
        await record_fallback_calls(self.store, channels, now, self.target)


async def _record_unseen(store: Store, snap: tel.ChannelSnapshot, now: datetime) -> None:
    call_id = fallback_call_id(snap.channel_id)
    kind = classify_caller(snap.caller_number)
    await store.incidents.open_for_call(
        call_id=call_id, channel_id=snap.channel_id, channel_name=snap.name, arrived_at=snap.created or now,
        dialled="112", caller_number=snap.caller_number or None, caller_kind=kind.value, category_hint=None,
        no_callback=callback_number(snap.caller_number) is None)
    await store.calls.end(call_id, now, None, HANDED_TO_FALLBACK)
