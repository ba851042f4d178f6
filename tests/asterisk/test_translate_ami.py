"""AMI bytes recorded from Asterisk 22.10.1 -> framed by the hardened protocol -> telephony events."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from cc112_pbx.asterisk.ami_protocol import AmiLink, HardenedAmiProtocol
from cc112_pbx.asterisk.translate import DropCounter
from cc112_pbx.asterisk.translate_ami import translate_ami_event
from cc112_pbx.domain import telephony as t
from tests.asterisk.traces import ami_bytes

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
AMI_TRACES = [
    "ami-01-login-status.rx.bin", "ami-02-fallback-queue-answered.rx.bin", "ami-03-fallback-queue-abandon.rx.bin",
    "ami-04-queue-member-actions.rx.bin", "ami-05-originate-failures.rx.bin",
    "ami-07-mixmonitor-on-stasis-channel.rx.bin", "ami-08-device-and-contact-state.rx.bin",
    "ami-09-originate-async-success.rx.bin",
]


class NullTransport:
    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


def events_of(trace: str, drops: DropCounter, chunk: int = 97) -> list[t.TelephonyEvent]:
    """Feed the trace in odd-sized chunks (frames split anywhere), translate what comes out."""
    messages: list = []
    protocol = HardenedAmiProtocol(AmiLink(messages.append, drops))
    protocol.connection_made(NullTransport())  # type: ignore[arg-type]
    data = ami_bytes(trace)
    for start in range(0, len(data), chunk):
        protocol.data_received(data[start:start + chunk])
    return [ev for m in messages if (ev := translate_ami_event(m, drops)) is not None]


def test_every_recorded_ami_event_is_translated_or_knowingly_ignored():
    drops = DropCounter("ami")
    for trace in AMI_TRACES:
        events_of(trace, drops)
    assert drops.malformed == 0
    assert dict(drops.unknown) == {}


def test_fallback_queue_call_is_seen_joining_and_answered():
    events = events_of("ami-02-fallback-queue-answered.rx.bin", DropCounter("ami"))
    joined = next(ev for ev in events if isinstance(ev, t.QueueCallerJoined))
    answered = next(ev for ev in events if isinstance(ev, t.QueueCallAnswered))
    assert (joined.queue, joined.caller_number, joined.position) == ("cc112-fallback", "+4930123456", 1)
    assert (answered.channel_id, answered.interface) == (joined.channel_id, "Local/seat01@seats-sim")


def test_abandoned_fallback_caller_is_reported_with_hold_time():
    events = events_of("ami-03-fallback-queue-abandon.rx.bin", DropCounter("ami"))
    left = [ev for ev in events if isinstance(ev, t.QueueCallerLeft)]
    assert [(ev.abandoned, ev.hold_time) for ev in left] == [(True, 5)]


def test_failed_async_originate_has_no_channel_id_and_a_reason():
    events = events_of("ami-05-originate-failures.rx.bin", DropCounter("ami"))
    finished = [ev for ev in events if isinstance(ev, t.OriginateFinished)]
    assert finished and all(not ev.success and ev.channel_id is None for ev in finished)
    assert {ev.reason for ev in finished} >= {5}  # busy


def test_registration_and_unregistration_flip_reachability():
    events = events_of("ami-08-device-and-contact-state.rx.bin", DropCounter("ami"))
    reach = [(ev.endpoint, ev.online) for ev in events if isinstance(ev, t.EndpointReachability)]
    assert reach == [("PJSIP/seat02", True), ("PJSIP/seat02", False)]
    states = [ev.state for ev in events if isinstance(ev, t.DeviceStateChanged) and ev.device == "PJSIP/seat02"]
    assert states[-1] is t.DeviceState.UNAVAILABLE and t.DeviceState.NOT_INUSE in states


def test_queue_member_pause_events_carry_the_reason():
    events = events_of("ami-04-queue-member-actions.rx.bin", DropCounter("ami"))
    paused = [(ev.kind, ev.paused, ev.paused_reason) for ev in events if isinstance(ev, t.QueueMemberUpdated)]
    assert ("added", False, "") in paused and ("paused", True, "break") in paused


def test_events_dropped_by_their_name_at_a_glance_translate_as_the_full_headers_do():
    """The fast path (an ignored event or a VarSet of another variable dropped before its headers are
    copied) gives the same events and the same ignored counts as the general path (a plain dict of
    lower-cased headers, which it never takes)."""
    from cc112_pbx.asterisk.translate_ami import normalise

    fast, general = DropCounter("ami"), DropCounter("ami")
    messages: list = []
    protocol = HardenedAmiProtocol(AmiLink(messages.append, DropCounter("ami")))
    protocol.connection_made(NullTransport())  # type: ignore[arg-type]
    for trace in AMI_TRACES:
        protocol.data_received(ami_bytes(trace))
    assert len(messages) > 100
    def timeless(event):  # events without a Timestamp header are stamped "now", twice here
        return None if event is None else dataclasses.replace(event, at=EPOCH)

    for message in messages:
        expected = translate_ami_event(normalise(message), general)
        assert timeless(translate_ami_event(message, fast)) == timeless(expected)
    assert fast.ignored == general.ignored and sum(fast.ignored.values()) > 50
    assert (fast.malformed, fast.unknown) == (general.malformed, general.unknown)
