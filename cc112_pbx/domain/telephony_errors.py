"""What can go wrong when the services ask the telephony system for something, in the
project's words. The Asterisk adapters raise subclasses of these (`cc112_pbx.asterisk.errors`),
so services catch a `TargetGone` without knowing that Asterisk said 404. Standard library only.
"""

from __future__ import annotations


class TelephonyError(Exception):
    """A request to the telephony system failed (the message says what the system said)."""


class TelephonyUnavailable(TelephonyError):
    """The telephony system cannot be reached now (down, restarting, timed out)."""


class TargetGone(TelephonyError):
    """The channel, bridge or playback the request named no longer exists (a caller hung up)."""


class EndpointUnreachable(TelephonyError):
    """The device to ring cannot be reached at all (not registered, unknown)."""


class AlreadyQueueMember(TelephonyError):
    """The seat is already a member of the fallback queue: treat as done."""


class NotQueueMember(TelephonyError):
    """The seat is not a member of the fallback queue: treat as done."""
