"""AMI messages -> telephony events and snapshots. Pure functions; never raise.

A message is any mapping of header -> value (panoramisk's `Message` or a plain dict); header
names are matched case-insensitively, a repeated header keeps its last value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from cc112_pbx.asterisk.translate import DropCounter, Malformed, device_state
from cc112_pbx.domain import telephony as t

Headers = dict[str, str]


def normalise(message: object) -> Headers:
    """Lower-cased header names; list values (repeated headers) keep the last one."""
    if not isinstance(message, Mapping):
        raise Malformed("AMI message is not a mapping")
    out: Headers = {}
    for key, value in message.items():
        if isinstance(value, list | tuple):
            value = value[-1] if value else ""
        out[str(key).lower()] = value if isinstance(value, str) else str(value)
    return out


def field(m: Headers, key: str) -> str:
    value = m.get(key)
    if value is None:
        raise Malformed(f"missing header {key!r}")
    return value


def opt(m: Headers, key: str) -> str | None:
    value = m.get(key, "")
    return None if value in ("", "<unknown>") else value


def int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def ami_time(m: Headers) -> datetime:
    """`Timestamp: 1795938116.271098` (timestampevents=yes) -> datetime; now when absent."""
    try:
        return datetime.fromtimestamp(float(m["timestamp"]), UTC)
    except (KeyError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


# --- one function per AMI event ---------------------------------------------------------------


def _device_state(m: Headers, at: datetime) -> t.TelephonyEvent:
    return t.DeviceStateChanged(at=at, device=field(m, "device"), state=device_state(field(m, "state")))


ONLINE_CONTACT = frozenset({"created", "reachable", "nonqualified"})
OFFLINE_CONTACT = frozenset({"removed", "unreachable"})


def _contact_status(m: Headers, at: datetime) -> t.TelephonyEvent | None:
    status = field(m, "contactstatus").lower()
    if status not in ONLINE_CONTACT | OFFLINE_CONTACT:
        return None  # "Unknown", "Updated": no change of reachability
    return t.EndpointReachability(at=at, endpoint=f"PJSIP/{field(m, 'endpointname')}",
                                  online=status in ONLINE_CONTACT)


def _varset(m: Headers, at: datetime) -> t.TelephonyEvent | None:
    if m.get("variable") != "MIXMONITOR_FILENAME":
        return None
    return t.RecordingStarted(at=at, channel_id=field(m, "uniqueid"), path=opt(m, "value"))


def _mixmonitor_stop(m: Headers, at: datetime) -> t.TelephonyEvent:
    return t.RecordingStopped(at=at, channel_id=field(m, "uniqueid"))


def _originate_response(m: Headers, at: datetime) -> t.TelephonyEvent:
    return t.OriginateFinished(
        at=at, action_id=field(m, "actionid"), success=m.get("response", "").lower() == "success",
        reason=int_or_none(m.get("reason")) or 0, channel=m.get("channel", ""), channel_id=opt(m, "uniqueid"),
    )


def _member(m: Headers, at: datetime, kind: str) -> t.TelephonyEvent:
    return t.QueueMemberUpdated(
        at=at, queue=field(m, "queue"), interface=field(m, "interface"), member_name=m.get("membername", ""),
        kind=kind, paused=flag(m.get("paused")), paused_reason=m.get("pausedreason", ""),
        in_call=flag(m.get("incall")), status=int_or_none(m.get("status")),
    )


def _caller_join(m: Headers, at: datetime) -> t.TelephonyEvent:
    return t.QueueCallerJoined(at=at, queue=field(m, "queue"), channel_id=field(m, "uniqueid"),
                               channel_name=m.get("channel", ""), caller_number=opt(m, "calleridnum"),
                               position=int_or_none(m.get("position")))


def _caller_abandon(m: Headers, at: datetime) -> t.TelephonyEvent:
    return t.QueueCallerLeft(at=at, queue=field(m, "queue"), channel_id=field(m, "uniqueid"), abandoned=True,
                             hold_time=int_or_none(m.get("holdtime")))


def _agent_connect(m: Headers, at: datetime) -> t.TelephonyEvent:
    return t.QueueCallAnswered(at=at, queue=field(m, "queue"), channel_id=field(m, "uniqueid"),
                               interface=m.get("interface", ""), member_channel_id=opt(m, "destuniqueid"))


AMI_DISPATCH: dict[str, Callable[[Headers, datetime], t.TelephonyEvent | None]] = {
    "devicestatechange": _device_state,
    "contactstatus": _contact_status,
    "varset": _varset,
    "mixmonitorstop": _mixmonitor_stop,
    "originateresponse": _originate_response,
    "queuememberadded": lambda m, at: _member(m, at, "added"),
    "queuememberremoved": lambda m, at: _member(m, at, "removed"),
    "queuememberpause": lambda m, at: _member(m, at, "paused"),
    "queuememberstatus": lambda m, at: _member(m, at, "status"),
    "queuecallerjoin": _caller_join,
    "queuecallerabandon": _caller_abandon,
    "agentconnect": _agent_connect,
}

# QueueCallerLeave follows QueueCallerAbandon or AgentConnect, so it adds nothing; MixMonitorStart
# follows the VarSet MIXMONITOR_FILENAME that already gave the path.
AMI_IGNORED = frozenset({
    "fullybooted", "successfulauth", "challengesent", "newexten", "newchannel", "hangup", "newconnectedline",
    "newcallerid", "newstate", "softhanguprequest", "localbridge", "hanguprequest", "dialbegin", "dialend",
    "dialstate", "queuecallerleave", "mixmonitorstart", "dtmfbegin", "dtmfend", "bridgeenter", "bridgeleave",
    "bridgecreate", "bridgedestroy", "peerstatus", "musiconholdstart", "musiconholdstop", "agentcalled",
    "agentcomplete", "agentringnoanswer", "agentdump", "queuememberpenalty", "queuememberringinuse",
    "newaccountcode", "rtcpsent", "rtcpreceived", "cel", "cdr", "registry", "reload",
    "queueparams", "queuemember", "queueentry", "queuestatuscomplete",
    # items of list actions (normally consumed by the action; unsolicited only after a timeout)
    "queuesummary", "queuesummarycomplete", "coreshowchannel", "coreshowchannelscomplete",
    "devicestatelistcomplete", "endpointlist", "endpointlistcomplete", "endpointdetail",
    "endpointdetailcomplete", "authdetail", "transportdetail", "aordetail", "identifydetail",
    "contactlist", "contactlistcomplete", "contactstatusdetail", "aorlist", "aorlistcomplete",
})


def _single_header(message: object, key: str) -> str | None:
    """`key`'s value when the message holds it once, as a string (panoramisk's `Message` matches
    names case-insensitively); None otherwise, and the caller takes the general path."""
    try:
        value = message.get(key)  # type: ignore[attr-defined]
    except Exception:
        return None
    return value if isinstance(value, str) else None


def _ignored_at_a_glance(message: object, drops: DropCounter) -> bool:
    """Most of Asterisk's events are of no use here (every dialplan step, state and variable):
    drop them by their name (and a VarSet by its variable) before copying every header."""
    name = _single_header(message, "Event")
    if not name:
        return False
    kind = name.lower()
    if kind in AMI_IGNORED:
        drops.ignore(kind)
        return True
    if kind == "varset":
        variable = _single_header(message, "Variable")
        return variable is not None and variable != "MIXMONITOR_FILENAME"
    return False


def translate_ami_event(message: object, drops: DropCounter) -> t.TelephonyEvent | None:
    """One AMI event -> a telephony event, or None (ignored or dropped). Never raises."""
    if _ignored_at_a_glance(message, drops):
        return None
    try:
        m = normalise(message)
    except Exception as exc:
        drops.bad(str(exc), message)
        return None
    name = m.get("event", "").lower()
    if not name:
        drops.bad("AMI message without an Event header", m)
        return None
    handler = AMI_DISPATCH.get(name)
    if handler is None:
        if name in AMI_IGNORED:
            drops.ignore(name)
        else:
            drops.unknown_type(name)
        return None
    try:
        return handler(m, ami_time(m))
    except Exception as exc:
        drops.bad(f"{name}: {exc}", m)
        return None


# --- list items of AMI actions ----------------------------------------------------------------


def queue_member(message: Any) -> t.QueueMemberSnapshot | None:
    """An `Event: QueueMember` item of QueueStatus; None for other items (QueueParams, ...)."""
    m = normalise(message)
    if m.get("event", "").lower() != "queuemember":
        return None
    return t.QueueMemberSnapshot(
        queue=field(m, "queue"), interface=field(m, "location"), member_name=m.get("name", ""),
        state_interface=m.get("stateinterface", ""), paused=flag(m.get("paused")),
        paused_reason=m.get("pausedreason", ""), in_call=flag(m.get("incall")),
        status=int_or_none(m.get("status")), calls_taken=int_or_none(m.get("callstaken")) or 0,
        dynamic=m.get("membership", "dynamic") == "dynamic",
    )


def device_state_item(message: Any) -> t.DeviceStateSnapshot | None:
    m = normalise(message)
    if m.get("event", "").lower() != "devicestatechange":
        return None
    return t.DeviceStateSnapshot(device=field(m, "device"), state=device_state(field(m, "state")))


def contact_item(message: Any) -> t.ContactSnapshot | None:
    m = normalise(message)
    if m.get("event", "").lower() != "contactlist":
        return None
    return t.ContactSnapshot(endpoint=f"PJSIP/{field(m, 'endpoint')}", aor=m.get("aor", ""),
                             uri=m.get("uri", ""), status=m.get("status", ""))
