"""AMI framing on panoramisk 1.4's `AMIProtocol`, hardened, plus the mapping of AMI errors.

panoramisk splits the byte stream into messages and matches responses to actions by
ActionID; `AmiManager` owns the session (connect, login, ping, reconnect). We use the
protocol, not panoramisk's `Manager`, because the Manager reconnects with fire-and-forget
tasks on a fixed delay, loops forever on a bad password, and dispatches coroutine callbacks
with `ensure_future`. What we add here:
- a message that makes panoramisk raise (duplicate `Response` headers, ...) is logged,
  counted and dropped instead of killing the transport;
- a peer that sends bytes without ever ending a message cannot grow the buffer without bound;
- each connection reports to its own `AmiLink` (events, loss), so a late `connection_lost`
  from an old socket cannot disturb the new one.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import structlog
from panoramisk.ami_protocol import AMIProtocol

from cc112_pbx.asterisk import errors as e
from cc112_pbx.asterisk.translate import DropCounter

log = structlog.get_logger(__name__)

MAX_BUFFER = 1 << 20  # bytes of an unfinished message before we give up on the peer


class AmiLink:
    """One TCP connection's sink for panoramisk's protocol (its `factory`)."""

    forgetable_actions = ("ping", "login")
    save_stream = None

    def __init__(self, on_event: Callable[[Any], None], drops: DropCounter) -> None:
        self.on_event = on_event
        self.drops = drops
        # panoramisk parks unanswered actions here on close; we never replay them
        self.awaiting_actions: deque[Any] = deque()
        self.lost = asyncio.Event()
        self.lost_reason = ""
        self.pending: set[asyncio.Future[Any]] = set()

    def dispatch(self, message: Any) -> None:
        self.on_event(message)

    def connection_lost(self, exc: object) -> None:
        if self.lost.is_set():
            return
        if isinstance(exc, Mapping):  # panoramisk passes the Shutdown event itself
            self.lost_reason = "Asterisk shut down"
        else:
            self.lost_reason = str(exc or "closed by peer")
        self.lost.set()
        self.awaiting_actions.clear()
        for future in self.pending:
            if not future.done():
                future.set_exception(e.ConnectionLost(f"AMI connection lost: {self.lost_reason}"))


class HardenedAmiProtocol(AMIProtocol):
    """panoramisk's protocol that survives garbage and reports to an `AmiLink`."""

    def __init__(self, link: AmiLink) -> None:
        super().__init__()
        self.link = link

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.factory = self.link
        self.encoding = "utf-8"

    def data_received(self, data: bytes) -> None:
        try:
            super().data_received(data)
        except Exception as exc:  # pragma: no cover - handle_message already guards each message
            self.link.drops.bad(f"AMI framing failed: {exc!r}", data[:200])
        if self.queue and len(self.queue[0]) > MAX_BUFFER:
            self.link.drops.bad("AMI message longer than the buffer limit; closing", self.queue[0][:200])
            self.queue.clear()
            self.transport.close()

    def handle_message(self, message: Any) -> None:
        try:
            super().handle_message(message)
        except Exception as exc:
            self.link.drops.bad(f"AMI message rejected: {exc!r}", dict(message))

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.link.connection_lost(exc)  # also when we closed it ourselves: pending actions must fail


# --- AMI error responses -> exceptions ----------------------------------------------------------

_ERRORS: tuple[tuple[str, type[e.AmiActionError]], ...] = (
    ("already there", e.AlreadyMember),
    ("not there", e.NotMember),
    ("no such queue", e.NoSuchQueue),
    ("interface not found", e.InterfaceNotFound),
    ("no such channel", e.AmiNoSuchChannel),
    ("permission denied", e.AmiPermissionDenied),
)


def header(message: Any, key: str) -> str:
    """A header as one string (panoramisk gives a list for a repeated header)."""
    value = message.get(key, "") if isinstance(message, Mapping) else ""
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value)


def raise_for_error(action: str, response: Any) -> None:
    """Raise the project's exception when an AMI response is not a success."""
    first = response[0] if isinstance(response, list) and response else response
    status = header(first, "Response").lower()
    if status in ("success", "follows", "goodbye"):
        return
    message = header(first, "Message") or f"Response: {header(first, 'Response') or '(none)'}"
    lowered = message.lower()
    for needle, exc_type in _ERRORS:
        if needle in lowered:
            raise exc_type(action, message)
    raise e.AmiActionError(action, message)
