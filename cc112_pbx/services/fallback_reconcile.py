"""At start: the citizens Asterisk holds in the dialplan's fallback queue, recorded from what it tells us.

While no controller held the Stasis app, callers reached the fallback (`[cc112-inbound] fallback`):
new ones because `Stasis()` failed, held ones because the watchdog `continue`d them there. A
returning controller lists the channels (`GET /channels`: their dialplan location is the fallback
extension) and, through the journal:
- a call a previous run stored and left open is closed as handed to the fallback (its incident
  stays open for the call taker who answers in the queue);
- a call no controller ever saw gets its incident and call row, closed the same way, so no
  citizen's call is missing from the records.
The controller does not take these callers back: they are ringing the seats in Asterisk's queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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


async def record_fallback_calls(store: Store, journal: Journal, channels: Sequence[tel.ChannelSnapshot],
                                now: datetime, target: FallbackTarget = FALLBACK_TARGET) -> int:
    """Journal the writes for every channel in the fallback; the number of channels found there."""
    found = [snap for snap in channels if in_fallback(snap, target)]
    for snap in found:
        row = await store.calls.by_channel(snap.channel_id)
        if row is not None:
            if row.ended_at is None and row.direction == "inbound":
                journal.submit("call_handed_to_fallback",
                               lambda r=row: store.calls.end(r.id, now, None, HANDED_TO_FALLBACK),
                               call_id=row.id, channel=snap.channel_id)
                log.warning("call_found_in_fallback", call_id=row.id, incident_id=row.incident_id,
                            channel=snap.channel_id)
            continue
        journal.submit("fallback_call_recorded", lambda s=snap: _record_unseen(store, s, now),
                       channel=snap.channel_id)
        log.warning("unseen_call_found_in_fallback", channel=snap.channel_id, caller=snap.caller_number)
    return len(found)


async def _record_unseen(store: Store, snap: tel.ChannelSnapshot, now: datetime) -> None:
    call_id = fallback_call_id(snap.channel_id)
    kind = classify_caller(snap.caller_number)
    await store.incidents.open_for_call(
        call_id=call_id, channel_id=snap.channel_id, channel_name=snap.name, arrived_at=snap.created or now,
        dialled="112", caller_number=snap.caller_number or None, caller_kind=kind.value, category_hint=None,
        no_callback=callback_number(snap.caller_number) is None)
    await store.calls.end(call_id, now, None, HANDED_TO_FALLBACK)
