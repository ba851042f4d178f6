"""Who is calling: classify the caller number Asterisk gave us.

A caller with no number (SIM-less phones), a withheld number, or a number that cannot be
dialled back is a *no-callback* caller: accepted like any other, but flagged on the
incident and on the seat's screen so the call taker asks for a location first.
Standard library only.
"""

from __future__ import annotations

import re
from enum import StrEnum


class CallerKind(StrEnum):
    NORMAL = "normal"
    NONE = "none"  # no number at all: SIM-less phone, or the network sent nothing
    ANONYMOUS = "anonymous"  # withheld / restricted / unknown
    UNROUTABLE = "unroutable"  # a number, but not one we could ring back

    @property
    def no_callback(self) -> bool:
        """True when nobody can ring this caller back (the supervisor's list gets it)."""
        return self is not CallerKind.NORMAL


# Words networks and SIP stacks put where the number would be when it is withheld.
_ANONYMOUS_WORDS = frozenset(
    {
        "anonymous",
        "restricted",
        "unknown",
        "unavailable",
        "private",
        "withheld",
        "blocked",
        "no caller id",
        "nocallerid",
        "not available",
        "none",
    }
)
# Characters people and gateways put inside numbers: "+62 812-3456-7890", "(024) 355 1234".
_SEPARATORS = re.compile(r"[\s\-.()/]")
_SIP_URI = re.compile(r"^(?:sips?|tel):([^@;]*)", re.IGNORECASE)


def classify_caller(number: str | None) -> CallerKind:
    """Classify a raw caller number (None when Asterisk had none)."""
    if number is None:
        return CallerKind.NONE
    text = number.strip()
    if not text:
        return CallerKind.NONE
    uri = _SIP_URI.match(text)
    if uri:
        text = uri.group(1).strip()
    lowered = text.lower()
    if lowered in _ANONYMOUS_WORDS or "anonymous" in lowered:
        return CallerKind.ANONYMOUS
    if not text:
        return CallerKind.NONE
    return CallerKind.NORMAL if callback_number(text) else CallerKind.UNROUTABLE


def callback_number(number: str | None) -> str | None:
    """The number to ring back in E.164 (`+62...`), or None when there is none.

    Accepted: E.164 (`+628123456789`, 8 to 15 digits, any country), Indonesian national
    numbers with the trunk prefix (`08123456789`, `0243551234`), `62...` without the plus,
    and mobiles delivered without the trunk prefix (`8123456789`).
    """
    if number is None:
        return None
    text = _SEPARATORS.sub("", number.strip())
    uri = _SIP_URI.match(text)
    if uri:
        text = uri.group(1)
    if text.startswith("+"):
        digits = text[1:]
        if digits.isdigit() and 8 <= len(digits) <= 15 and digits[0] != "0":
            return "+" + digits
        return None
    if not text.isdigit():
        return None
    if text.startswith("00"):
        return None  # an international access code: not what a network delivers as caller id
    if text.startswith("0") and 9 <= len(text) <= 13:
        return "+62" + text[1:]
    if text.startswith("62") and 10 <= len(text) <= 15:
        return "+" + text
    if text.startswith("8") and 9 <= len(text) <= 12:
        return "+62" + text
    return None
