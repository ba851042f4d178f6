"""Queue a callback that tells the reporter how their report was dispositioned (issue 17, SOP step 5):
stored like any callback (reason `inform_reporter`), then handed to the running callback engine,
which rings a free seat first and the citizen through the trunk, as for a dropped call."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import structlog

from cc112_pbx.domain.callbacks import CallbackReason
from cc112_pbx.domain.caller import callback_number
from cc112_pbx.services.callbacks import PendingCallback
from cc112_pbx.services.controller import Controller
from cc112_pbx.services.ports import StoredCallback

log = structlog.get_logger("cc112.dispatch")


class CallbackScheduler(Protocol):
    async def schedule(self, *, incident_id: int, reason: str, created_at: datetime, due_at: datetime,
                       number: str | None, call_id: str | None = None, seat_id: str | None = None,
                       dialable: bool = True, detail: str | None = None) -> StoredCallback: ...


class HasCallbacks(Protocol):
    @property
    def callbacks(self) -> Any: ...


async def queue_reporter_callback(store: HasCallbacks, controller: Controller, incident: Any,
                                  actor: str) -> int | None:
    """The stored callback's id; None when the reporter has no number to call."""
    number = callback_number(getattr(incident, "callback_number", None)) or callback_number(incident.caller_number)
    if number is None:
        return None
    now = controller.ctx.clock.wall()
    scheduler: CallbackScheduler = store.callbacks
    record = await scheduler.schedule(incident_id=incident.id, reason=CallbackReason.INFORM_REPORTER.value,
                                      created_at=now, due_at=now, number=number, detail=f"asked by {actor}"[:128])
    entry = PendingCallback(key=f"callback-{record.id}", number=number, reason=CallbackReason.INFORM_REPORTER,
                            incident_id=incident.id, seat_id=None, due_at=now, callback_id=record.id)
    await controller.request(lambda: controller.callbacks.restore([entry]))
    log.info("reporter_callback_queued", incident_id=incident.id, callback_id=record.id, actor=actor)
    return record.id
