"""ARI JSON from the real Asterisk traces -> telephony events."""

from __future__ import annotations

import json

from structlog.testing import capture_logs

from cc112_pbx.asterisk.translate import DropCounter, parse_ari_frame, translate_ari_event
from cc112_pbx.domain import telephony as t
from tests.asterisk.traces import ari_records, ws_frames

ALL_ARI_TRACES = [
    "ari-01-bridge-record-seat.jsonl", "ari-03-abandon-unanswered.jsonl", "ari-04-originate-failures.jsonl",
    "ari-07-stasis-args-and-list.jsonl", "ari-08-reconnect-gap.jsonl", "ari-09-application-replaced.jsonl",
    "ari-10-holding-bridge-announcer.jsonl", "ari-12-device-and-contact-state.jsonl",
]


def events_of(trace: str, ws: str = "cc112") -> list[t.TelephonyEvent]:
    drops = DropCounter("ari")
    out = [parse_ari_frame(frame, drops) for frame in ws_frames(trace, ws)]
    assert drops.malformed == 0 and not drops.unknown
    return [ev for ev in out if ev is not None]


def test_every_recorded_event_is_translated_or_knowingly_ignored():
    drops = DropCounter("ari")
    for trace in ALL_ARI_TRACES:
        for frame in ws_frames(trace):
            parse_ari_frame(frame, drops)
    assert drops.malformed == 0
    assert dict(drops.unknown) == {}
    assert "ChannelVarset" in drops.ignored


def test_dialplan_caller_enters_with_args_and_dialled_number():
    entered = [ev for ev in events_of("ari-07-stasis-args-and-list.jsonl") if isinstance(ev, t.CallEntered)]
    assert entered[0].args == ("inbound", "113")
    assert entered[0].dialled == "113"
    assert entered[0].caller_number == "+4930111222"
    assert entered[0].state is t.ChannelState.RING
    assert entered[0].at.tzinfo is not None


def test_seat_leg_args_arrive_as_a_tuple_and_caller_hangup_ends_with_call_left():
    events = events_of("ari-01-bridge-record-seat.jsonl")
    seat = [ev for ev in events if isinstance(ev, t.CallEntered) and ev.args[:1] == ("seat",)]
    assert seat and seat[0].args == ("seat", "seat01") and seat[0].dialled is None
    caller = next(ev for ev in events if isinstance(ev, t.CallEntered) and ev.args == ())
    assert caller.dialled == "112"  # plain Stasis(cc112): the dialplan's exten
    caller_events = [ev for ev in events if getattr(ev, "channel_id", None) == caller.channel_id]
    # a dialplan-entered caller gets no ChannelDestroyed: StasisEnd is the last word
    assert isinstance(caller_events[-1], t.CallLeft)
    assert not any(isinstance(ev, t.ChannelGone) for ev in caller_events)


def test_bridge_recording_dtmf_and_bridge_destroyed_are_translated():
    events = events_of("ari-01-bridge-record-seat.jsonl")
    digits = "".join(ev.digit for ev in events if isinstance(ev, t.DtmfReceived))
    assert digits == "12#"
    states = [ev.state for ev in events if isinstance(ev, t.LiveRecordingChanged)]
    assert states == ["recording", "done"]
    assert any(isinstance(ev, t.BridgeGone) for ev in events)


def test_originate_failures_give_q850_causes():
    events = events_of("ari-04-originate-failures.jsonl")
    causes = {ev.cause for ev in events if isinstance(ev, t.ChannelGone)}
    assert {17, 34, 19} <= causes  # busy, congestion, no answer


def test_hangup_request_soft_flag_is_kept_and_cause_is_not_mistaken_for_q850():
    frame = json.dumps({"type": "ChannelHangupRequest", "cause": 32, "soft": True,
                        "channel": {"id": "1.2", "name": "x", "state": "Up"}})
    ev = parse_ari_frame(frame, DropCounter("ari"))
    assert ev == t.HangupRequested(at=ev.at, channel_id="1.2", soft=True)


def test_application_replaced_and_endpoint_state_are_translated():
    replaced = events_of("ari-09-application-replaced.jsonl", ws="cc112-first")
    assert any(isinstance(ev, t.ApplicationReplaced) and ev.application == "cc112" for ev in replaced)
    states = [ev for ev in events_of("ari-12-device-and-contact-state.jsonl")
              if isinstance(ev, t.EndpointReachability)]
    assert [(ev.endpoint, ev.online) for ev in states] == [("PJSIP/seat02", True), ("PJSIP/seat02", False)]


def test_unknown_event_types_are_counted_and_logged_once_per_type():
    drops = DropCounter("ari")
    with capture_logs() as logs:
        for _ in range(3):
            assert translate_ari_event({"type": "BrandNewEvent"}, drops) is None
        translate_ari_event({"type": "OtherNewEvent"}, drops)
    assert drops.unknown == {"BrandNewEvent": 3, "OtherNewEvent": 1}
    warned = [entry["type"] for entry in logs if entry["event"] == "asterisk_unknown_event_type"]
    assert warned == ["BrandNewEvent", "OtherNewEvent"]


def test_malformed_frames_are_dropped_and_counted():
    drops = DropCounter("ari")
    bad = ["{not json", "[]", "42", '{"type": 5}', '{"type": "StasisStart"}',
           '{"type": "StasisStart", "channel": {"id": 7}}', '{"type": "ChannelDestroyed", "channel": {}}',
           '{"type": "ChannelDestroyed", "channel": {"id": "1"}, "cause": "x"}', b"\xff\xfe"]
    for frame in bad:
        assert parse_ari_frame(frame, drops) is None
    assert drops.malformed == len(bad)


def test_trace_event_count_sanity():
    # guards the helper itself: the ari-01 trace really holds cc112 events
    assert len([r for r in ari_records("ari-01-bridge-record-seat.jsonl") if r["kind"] == "ws_event"]) > 20
