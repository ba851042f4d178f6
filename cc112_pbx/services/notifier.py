"""What happens in the call centre, as a stream of plain dicts for people: the demo's live
output today, the seats' screens and the supervisor's board (API event stream) later.

`publish` never blocks and never raises: a slow or broken listener cannot delay a call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

log = structlog.get_logger("cc112.notifier")

Listener = Callable[[dict[str, Any]], None]


class Notifier:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, kind: str, **fields: Any) -> None:
        event = {"kind": kind, **fields}
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("notifier_listener_failed", kind=kind)
