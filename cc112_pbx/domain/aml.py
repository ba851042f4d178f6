"""Advanced Mobile Location (ETSI TS 103 625): the handset's own position, sent when 112 is dialled.

A handset (Android ELS, iOS) sends the same `key=value` fields either as an HTTPS POST
(form-encoded) or as an SMS text forwarded by the operator:

    A"ML=1;lt=-6.98123;lg=+110.40912;rd=12;top=20260301093015;lc=68;pm=G;si=510100000000000;
    ei=355458061005220;mcc=510;mnc=10;ml=124

`v`/`A"ML` version (1), `lt`/`lg` degrees (WGS 84), `rd` radius of the uncertainty circle in
metres, `top` time of positioning (yyyyMMddHHmmss, UTC), `lc` level of confidence (percent),
`pm` positioning method (`G` GNSS, `W` Wi-Fi, `C` cell; `N`: no position), `si` IMSI (first
digits only), `ei` IMEI, `mcc`/`mnc` the network, `ml` the message length, `thisMsgNum` the
message's number in the HTTPS form (handsets send several as the fix improves). The caller's
number is the SMS's originator (the gateway gives it) or, in the HTTPS form, `msisdn` (alias
`device_number`, as in Google's ELS).

`parse_fields` and `parse_sms` check every field and raise `InvalidAml` listing every problem
at once, each naming its field. Standard library only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from cc112_pbx.domain.caller import callback_number
from cc112_pbx.domain.incident import FieldError

SMS_HEADER = 'A"ML'
MAX_TEXT = 2000  # characters: an AML SMS is at most a few hundred
NUMBER_FIELDS = ("msisdn", "device_number")  # the HTTPS form's caller number (ELS: device_number)
_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_DIGITS = re.compile(r"^\d+$")


class PositioningMethod(StrEnum):
    """How the handset found its position (`pm`): decides how far a dispatcher trusts it."""

    GNSS = "gnss"
    WIFI = "wifi"
    CELL = "cell"
    HYBRID = "hybrid"


# `pm` as handsets send it: ETSI's letters, and the words some senders use instead
_METHODS = {"g": PositioningMethod.GNSS, "gnss": PositioningMethod.GNSS, "gps": PositioningMethod.GNSS,
            "w": PositioningMethod.WIFI, "wifi": PositioningMethod.WIFI, "wlan": PositioningMethod.WIFI,
            "c": PositioningMethod.CELL, "cell": PositioningMethod.CELL, "network": PositioningMethod.CELL,
            "h": PositioningMethod.HYBRID, "hybrid": PositioningMethod.HYBRID, "fused": PositioningMethod.HYBRID}
_NO_POSITION = frozenset({"n", "none", "null", "unknown"})


@dataclass(frozen=True, slots=True)
class AmlLimits:
    """What a position may be to be believed: not from the future beyond a clock skew, not stale,
    and with an uncertainty radius a dispatcher can use."""

    max_age: float = 3600.0  # seconds between the fix and its receipt
    future_skew: float = 120.0  # seconds a handset's clock may run ahead
    max_radius_m: float = 100_000.0


@dataclass(frozen=True, slots=True)
class AmlMessage:
    """One validated AML position. `message_number` is the HTTPS form's `thisMsgNum` (None in an
    SMS, which has none): with the number it identifies a message a sender retries."""

    number: str  # E.164
    latitude: float
    longitude: float
    radius_m: float
    positioned_at: datetime
    confidence: int
    method: PositioningMethod
    message_number: int | None = None
    version: int = 1
    mcc: str | None = None
    mnc: str | None = None

    @property
    def dedupe_key(self) -> str:
        """The same message sent twice (a retried POST, a gateway's second delivery) has the same key."""
        if self.message_number is not None:
            return f"{self.number}#{self.message_number}"
        return f"{self.number}@{self.positioned_at:%Y%m%d%H%M%S}"

    def location(self) -> dict[str, object]:
        """JSON-ready, for notices and the screen pop."""
        return {"latitude": self.latitude, "longitude": self.longitude, "accuracy_m": self.radius_m,
                "method": self.method.value, "confidence": self.confidence,
                "positioned_at": self.positioned_at.isoformat(), "source": "aml"}


class InvalidAml(ValueError):
    """The message was refused as a whole; `.errors` names each field and what is wrong."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("invalid AML message: " + "; ".join(str(e) for e in self.errors))


def number_suffix(number: str | None) -> str:
    """The last digits of a number: enough to follow a message in the logs, not to identify a person."""
    return f"...{number[-4:]}" if number else "-"


class _Reader:
    """Reads the fields one by one, collecting every problem instead of stopping at the first."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = {str(k).strip(): str(v).strip() for k, v in fields.items()}
        self.errors: list[FieldError] = []

    def fail(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))

    def text(self, name: str, *, required: bool = True) -> str | None:
        value = self.fields.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, "required")
            return None
        return value

    def decimal(self, name: str, low: float, high: float, unit: str) -> float | None:
        value = self.text(name)
        if value is None:
            return None
        if not _DECIMAL.match(value) or not math.isfinite(number := float(value)):
            self.fail(name, f"must be a decimal number of {unit} (got {value[:32]!r})")
            return None
        if not low <= number <= high:
            self.fail(name, f"must be between {low:g} and {high:g} {unit} (got {value[:32]})")
            return None
        return number

    def integer(self, name: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        if not _DIGITS.match(value.lstrip("+")) or len(value) > 12:
            self.fail(name, f"must be a whole number (got {value[:32]!r})")
            return None
        number = int(value)
        if not low <= number <= high:
            self.fail(name, f"must be between {low} and {high} (got {number})")
            return None
        return number

    def digits(self, name: str, low: int, high: int) -> str | None:
        value = self.text(name, required=False)
        if value is not None and (not _DIGITS.match(value) or not low <= len(value) <= high):
            self.fail(name, f"must be {low} to {high} digits")
            return None
        return value


def _positioned_at(reader: _Reader, now: datetime, limits: AmlLimits) -> datetime | None:
    value = reader.text("top")
    if value is None:
        return None
    try:
        if not (len(value) == 14 and value.isdigit()):
            raise ValueError
        at = datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        reader.fail("top", f"must be the UTC time of positioning as yyyyMMddHHmmss (got {value[:32]!r})")
        return None
    if at > now + timedelta(seconds=limits.future_skew):
        reader.fail("top", f"is in the future ({value} UTC)")
        return None
    if at < now - timedelta(seconds=limits.max_age):
        reader.fail("top", f"is older than {limits.max_age:g} s ({value} UTC)")
        return None
    return at


def _method(reader: _Reader) -> PositioningMethod | None:
    value = reader.text("pm")
    if value is None:
        return None
    if value.lower() in _NO_POSITION:
        reader.fail("pm", "the handset had no position (N): nothing to locate")
        return None
    method = _METHODS.get(value.lower())
    if method is None:
        reader.fail("pm", f"must be one of G (GNSS), W (Wi-Fi), C (cell), H (hybrid) (got {value[:16]!r})")
    return method


def _number(reader: _Reader, originator: str | None) -> str | None:
    if originator is not None and originator.strip():
        raw, name = originator, "msisdn"
    else:
        name = next((n for n in NUMBER_FIELDS if reader.fields.get(n)), NUMBER_FIELDS[0])
        raw = reader.text(name)
        if raw is None:
            return None
    number = callback_number(raw)
    if number is None:
        reader.fail(name, "not a telephone number (E.164, or Indonesian with 0 or 62)")
    return number


def parse_fields(fields: Mapping[str, str], now: datetime, *, originator: str | None = None,
                 limits: AmlLimits = AmlLimits(), sms: bool = False) -> AmlMessage:
    """An AML message from its fields (the HTTPS form; an SMS once split); `originator` is the
    caller's number when it travels beside the fields (an SMS's sender). Raises `InvalidAml`."""
    reader = _Reader(fields)
    version_field = SMS_HEADER if sms else "v"
    version = reader.integer(version_field, 1, 1)
    message_number = reader.integer("thisMsgNum", 0, 999_999, required=not sms)
    number = _number(reader, originator)
    latitude = reader.decimal("lt", -90.0, 90.0, "degrees")
    longitude = reader.decimal("lg", -180.0, 180.0, "degrees")
    radius = None
    if reader.fields.get("rd", "").upper() == "N":
        reader.fail("rd", "no radius (N): the handset had no position")
    else:
        radius = reader.decimal("rd", 0.0, limits.max_radius_m, "metres")
    positioned_at = _positioned_at(reader, now, limits)
    confidence = reader.integer("lc", 0, 100)
    method = _method(reader)
    mcc = reader.digits("mcc", 3, 3)
    mnc = reader.digits("mnc", 2, 3)
    reader.digits("si", 5, 15)
    reader.digits("ei", 14, 16)
    reader.integer("ml", 1, MAX_TEXT, required=False)
    if reader.errors:
        raise InvalidAml(reader.errors)
    assert number is not None and latitude is not None and longitude is not None and radius is not None
    assert positioned_at is not None and confidence is not None and method is not None and version is not None
    return AmlMessage(number=number, latitude=latitude, longitude=longitude, radius_m=radius,
                      positioned_at=positioned_at, confidence=confidence, method=method,
                      message_number=message_number, version=version, mcc=mcc, mnc=mnc)


def split_sms(text: str) -> dict[str, str]:
    """`A"ML=1;lt=...;lg=...` as fields (raises `InvalidAml` when it is not an AML text at all)."""
    if len(text) > MAX_TEXT:
        raise InvalidAml([FieldError("text", f"at most {MAX_TEXT} characters (got {len(text)})")])
    body = text.strip().strip(";")
    if not body.upper().startswith(SMS_HEADER):
        raise InvalidAml([FieldError(SMS_HEADER, 'not an AML text: it must start with A"ML=')])
    fields: dict[str, str] = {}
    errors: list[FieldError] = []
    for part in body.split(";"):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not key:
            errors.append(FieldError("text", f"not key=value: {part.strip()[:32]!r}"))
            continue
        key = SMS_HEADER if key.upper() == SMS_HEADER else key
        if key in fields:
            errors.append(FieldError(key, "given twice"))
            continue
        fields[key] = value.strip()
    if errors:
        raise InvalidAml(errors)
    return fields


def parse_sms(text: str, now: datetime, *, originator: str | None = None,
              limits: AmlLimits = AmlLimits()) -> AmlMessage:
    """An AML message from an SMS text; `originator` is the SMS's sender (else a `msisdn=` field)."""
    return parse_fields(split_sms(text), now, originator=originator, limits=limits, sms=True)
