"""The strict AMI stream comparison (tests/emulator/conformance/ami_compare.py) on hand-made streams."""

from __future__ import annotations

from cc112_pbx.emulator.ami_protocol import AmiMessage
from tests.emulator.conformance.ami_compare import Excuse, compare_streams, streams


def event(name: str, channel: str = "", **fields: str) -> AmiMessage:
    pairs = [("Event", name), ("Privilege", "call,all")]
    if channel:
        pairs += [("Channel", channel), ("Uniqueid", f"{hash(channel) % 1000}.1")]
    return AmiMessage(pairs + list(fields.items()))


CALLER = "Local/112@from-pstn-00000003;2"
SEAT = "Local/seat01@seats-sim-00000005;1"


def recorded() -> list[AmiMessage]:
    return [
        event("Newchannel", CALLER),
        event("Newchannel", SEAT),
        event("Newstate", CALLER),
        event("DeviceStateChange", Device="Local/112@from-pstn", State="INUSE"),
        event("Hangup", SEAT),
        event("Hangup", CALLER),
    ]


def test_events_of_different_channels_may_interleave_differently():
    mine = [
        event("Newchannel", "Local/112@from-pstn-0000000a;2"),
        event("Newstate", "Local/112@from-pstn-0000000a;2"),
        event("Hangup", "Local/112@from-pstn-0000000a;2"),
        event("DeviceStateChange", Device="Local/112@from-pstn", State="INUSE"),
        event("Newchannel", "Local/seat01@seats-sim-0000000b;1"),
        event("Hangup", "Local/seat01@seats-sim-0000000b;1"),
    ]
    assert compare_streams("conn1", recorded(), mine) == []


def test_an_extra_event_on_a_channel_is_flagged():
    mine = recorded()
    mine.insert(3, event("SoftHangupRequest", CALLER))
    problems = compare_streams("conn1", recorded(), mine)
    assert len(problems) == 1 and "chan:Local/112@from-pstn#0;2" in problems[0]


def test_a_missing_event_and_a_missing_device_stream_are_flagged():
    mine = [m for m in recorded() if m.get("Event") != "DeviceStateChange"]
    problems = compare_streams("conn1", recorded(), mine)
    assert problems == [
        "conn1 device:Local/112@from-pstn: events differ at #0: trace ['DeviceStateChange'] / emulator []"
    ]


def test_the_order_within_one_channel_is_strict():
    mine = recorded()
    mine[0], mine[2] = mine[2], mine[0]  # Newstate before Newchannel on the caller
    assert compare_streams("conn1", recorded(), mine) != []


def test_a_field_set_difference_is_flagged_per_event():
    mine = recorded()
    mine[4] = event("Hangup", SEAT, Cause="16")
    problems = compare_streams("conn1", recorded(), mine)
    assert problems == ["conn1 chan:Local/seat01@seats-sim#0;1 Hangup[1]: fields extra ['Cause'] missing []"]


def test_an_excuse_covers_one_event_type_in_matching_streams_only():
    mine = recorded()
    mine.insert(3, event("SoftHangupRequest", CALLER))
    mine.insert(5, event("SoftHangupRequest", SEAT))
    excuse = Excuse("chan:Local/112@*", "SoftHangupRequest", "test")
    problems = compare_streams("conn1", recorded(), mine, excuses=[excuse])
    assert len(problems) == 1 and "seat01" in problems[0]


def test_list_items_go_with_their_action_and_channels_are_numbered_per_base_name():
    messages = [
        event("QueueMember", ActionID="a-1", Queue="q"),
        event("Newchannel", "Local/seat01@seats-sim-00000001;1"),
        event("Newchannel", "Local/seat01@seats-sim-00000002;1"),
    ]
    assert sorted(streams(messages)) == [
        "action:a-1",
        "chan:Local/seat01@seats-sim#0;1",
        "chan:Local/seat01@seats-sim#1;1",
    ]
