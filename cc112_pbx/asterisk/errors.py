"""The project's own exceptions for everything that goes wrong talking to Asterisk.

Nothing outside `asterisk/` sees an aiohttp or panoramisk exception or an HTTP status:
the adapters raise these. Every exception carries the message Asterisk gave
(`message` key of an ARI error body, `error` for "Allocation failed", `Message:` of an
AMI error response) so logs say what Asterisk said.
"""

from __future__ import annotations

from cc112_pbx.domain.telephony_errors import (
    AlreadyQueueMember,
    EndpointUnreachable,
    NotQueueMember,
    TargetGone,
    TelephonyError,
    TelephonyUnavailable,
)


class AsteriskError(TelephonyError):
    """Base of every error raised by the Asterisk adapters."""


class AsteriskUnavailable(AsteriskError, TelephonyUnavailable):
    """Asterisk cannot be reached or refused us (wrong URL, closed port, bad credentials).

    At startup this is the one clear message naming what was tried, e.g.
    `ARI at http://127.0.0.1:8088 answered 401 for user cc112`.
    """


class AsteriskTimeout(AsteriskUnavailable):
    """Asterisk did not answer within the configured timeout."""


class ConnectionLost(AsteriskUnavailable):
    """The connection dropped while a request or action was in flight."""


# --- ARI (REST) --------------------------------------------------------------------------------


class AriError(AsteriskError):
    """ARI answered with an error status. `status` is kept for logs only.

    `retried` is True when the error answered a retry (the first attempt's answer was lost).
    """

    retried = False

    def __init__(self, message: str, *, status: int, method: str, path: str) -> None:
        super().__init__(f"{method} {path}: {status} {message}")
        self.message = message
        self.status = status
        self.method = method
        self.path = path


class BadRequest(AriError):
    """400: missing or invalid parameters (`Endpoint must be specified`)."""


class Unauthorized(AriError):
    """401: wrong ARI user or password."""


class NotFound(AriError, TargetGone):
    """404: the resource (recording, playback, endpoint, ...) does not exist."""


class NoSuchChannel(NotFound):
    """404 `Channel not found`: the channel hung up (or never existed)."""


class NoSuchBridge(NotFound):
    """404 `Bridge not found`: the bridge was destroyed (or never existed)."""


class Conflict(AriError):
    """409: the resource is not in a state that allows the operation
    (`Bridge isn't playing music`, a channel id that already exists)."""


class ChannelNotInStasis(Conflict):
    """409 `Channel not in Stasis application`: the channel left the app."""


class Unprocessable(AriError):
    """422: the request is well formed but refers to something absent
    (`Channel not in this bridge`, `Event source does not exist`)."""


class AllocationFailed(AriError, EndpointUnreachable):
    """500 `{"error": "Allocation failed"}` on originate: unknown or unregistered endpoint,
    unknown technology. Never retried: the same request fails the same way."""


class ServerError(AriError):
    """Any other 5xx."""


# --- AMI -------------------------------------------------------------------------------------


class AmiActionError(AsteriskError):
    """An AMI action answered `Response: Error`."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(f"AMI {action}: {message}")
        self.action = action
        self.message = message


class AlreadyMember(AmiActionError, AlreadyQueueMember):
    """QueueAdd: `Unable to add interface: Already there` (callers may treat it as success)."""


class NotMember(AmiActionError, NotQueueMember):
    """QueueRemove: `Unable to remove interface: Not there`."""


class NoSuchQueue(AmiActionError):
    """QueueAdd/QueueRemove on a queue that does not exist."""


class InterfaceNotFound(AmiActionError):
    """QueuePause of an interface that is in no queue."""


class AmiNoSuchChannel(AmiActionError, TargetGone):
    """MixMonitor & co.: `No such channel`."""


class AmiPermissionDenied(AmiActionError):
    """`Permission denied`: an action before login, or not allowed for the AMI user."""


class BadResponse(AsteriskError):
    """Asterisk answered 2xx with a body we cannot read (not JSON, fields missing)."""
