"""Callers found in the Stasis app after a (re)start: what a previous run stored about them.

A controller killed mid-call leaves its callers in Asterisk, recorded, some of them bridged with
a seat (ari-14). The event stream reports each as recovered; this looks its call up in the store
(bounded: a database outage never holds a caller back) so the same call and incident go on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from cc112_pbx.domain import telephony as tel
from cc112_pbx.services.ports import Store

log = structlog.get_logger("cc112.adoption")

ADOPT_LOOKUP_TIMEOUT = 2.0  # seconds a recovered caller may wait for the database's answer


@dataclass(frozen=True, slots=True)
class Adoption:
    """What a previous run stored about a caller found in the app (all None: nothing)."""

    call_id: str | None = None
    incident_id: int | None = None
    arrived_at: datetime | None = None
    recording_id: int | None = None
    recording_path: str | None = None
    connected_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Adopted:
    """Loop input: a recovered caller, with what the database knew of it."""

    event: tel.CallEntered
    adoption: Adoption


async def look_up_stored(store: Store, event: tel.CallEntered, post: Callable[[object], None]) -> None:
    """What the store knows of this channel, then hand the caller to the loop as `Adopted`."""
    adoption = Adoption()
    try:
        async with asyncio.timeout(ADOPT_LOOKUP_TIMEOUT):
            row = await store.calls.by_channel(event.channel_id)
            if row is not None and row.ended_at is None and row.direction == "inbound":
                recordings = await store.recordings.for_call(row.id)
                last = recordings[-1] if recordings else None
                adoption = Adoption(row.id, row.incident_id, row.arrived_at, last.id if last else None,
                                    last.path if last else None, row.connected_at)
    except Exception as exc:
        log.warning("adopt_lookup_failed", channel=event.channel_id, error=repr(exc))
    post(Adopted(event, adoption))
