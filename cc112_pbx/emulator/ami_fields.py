"""Field blocks shared by many AMI events: the channel block, the `Dest` channel block, the bridge block.

Snapshots are the core's dicts in the ARI Channel/Bridge model shape (`id`, `name`, `state`,
`caller`, `connected`, `dialplan`, ...), with an optional `linkedid`.
"""

from __future__ import annotations

from typing import Any

Pairs = list[tuple[str, str]]

CHANNEL_STATES = {
    "Down": 0,
    "Rsrved": 1,
    "OffHook": 2,
    "Dialing": 3,
    "Ring": 4,
    "Ringing": 5,
    "Up": 6,
    "Busy": 7,
    "Dialing Offhook": 8,
    "Pre-ring": 9,
    "Unknown": 10,
}

CAUSE_TEXT = {
    0: "Unknown",
    1: "Unallocated (unassigned) number",
    3: "No route to destination",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    21: "Call Rejected",
    26: "Answered elsewhere",
    27: "Destination out of order",
    31: "Normal, unspecified",
    32: "Normal, unspecified",
    34: "Circuit/channel congestion",
    38: "Network out of order",
    41: "Temporary failure",
    127: "Interworking, unspecified",
}


def unknown_if_empty(value: object) -> str:
    text = "" if value is None else str(value)
    return text if text else "<unknown>"


def _party(snapshot: dict[str, Any], key: str) -> tuple[str, str]:
    party = snapshot.get(key) or {}
    return unknown_if_empty(party.get("number")), unknown_if_empty(party.get("name"))


def channel_block(snapshot: dict[str, Any], prefix: str = "") -> Pairs:
    """Channel, ChannelState, ... Linkedid; with prefix `Dest` for the dialled side."""
    state = str(snapshot.get("state", "Down"))
    caller_num, caller_name = _party(snapshot, "caller")
    conn_num, conn_name = _party(snapshot, "connected")
    dialplan = snapshot.get("dialplan") or {}
    unique = str(snapshot.get("id", ""))
    channel_key = "Channel" if not prefix else f"{prefix}Channel"
    return [
        (channel_key, str(snapshot.get("name", ""))),
        (f"{prefix}ChannelState", str(CHANNEL_STATES.get(state, 10))),
        (f"{prefix}ChannelStateDesc", state),
        (f"{prefix}CallerIDNum", caller_num),
        (f"{prefix}CallerIDName", caller_name),
        (f"{prefix}ConnectedLineNum", conn_num),
        (f"{prefix}ConnectedLineName", conn_name),
        (f"{prefix}Language", str(snapshot.get("language") or "en")),
        (f"{prefix}AccountCode", str(snapshot.get("accountcode") or "")),
        (f"{prefix}Context", str(dialplan.get("context", ""))),
        (f"{prefix}Exten", str(dialplan.get("exten", ""))),
        (f"{prefix}Priority", str(dialplan.get("priority", 1))),
        (f"{prefix}Uniqueid", unique),
        (f"{prefix}Linkedid", str(snapshot.get("linkedid") or unique)),
    ]


def bridge_block(snapshot: dict[str, Any], num_channels: int | None = None) -> Pairs:
    channels = snapshot.get("channels") or []
    count = len(channels) if num_channels is None else num_channels
    return [
        ("BridgeUniqueid", str(snapshot.get("id", ""))),
        ("BridgeType", str(snapshot.get("bridge_class") or "basic")),
        ("BridgeTechnology", str(snapshot.get("technology") or "simple_bridge")),
        ("BridgeCreator", unknown_if_empty(snapshot.get("creator"))),
        ("BridgeName", unknown_if_empty(snapshot.get("name"))),
        ("BridgeNumChannels", str(count)),
        ("BridgeVideoSourceMode", str(snapshot.get("video_mode") or "none")),
    ]


def cause_text(cause: int) -> str:
    return CAUSE_TEXT.get(cause, "Unknown")
