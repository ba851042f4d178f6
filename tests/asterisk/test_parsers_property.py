"""Property-based: no input, however hostile, makes the AMI/ARI parsers and translators raise."""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cc112_pbx.asterisk import snapshots
from cc112_pbx.asterisk import translate_ami as ta
from cc112_pbx.asterisk.ami_protocol import AmiLink, HardenedAmiProtocol, raise_for_error
from cc112_pbx.asterisk.errors import AmiActionError
from cc112_pbx.asterisk.translate import (
    ARI_DISPATCH,
    DropCounter,
    Malformed,
    parse_ari_frame,
    translate_ari_event,
)
from cc112_pbx.domain.telephony import TelephonyEvent

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- AMI ---------------------------------------------------------------------------------------

AMI_KEYS = ["Event", "Response", "ActionID", "Message", "Channel", "Uniqueid", "Device", "State", "Queue",
            "Interface", "MemberName", "Paused", "Status", "ContactStatus", "EndpointName", "Variable",
            "Value", "Reason", "Timestamp", "EventList", "Location", "Position", "HoldTime", "DestUniqueid"]
AMI_EVENTS = [*ta.AMI_DISPATCH, "FullyBooted", "QueueMember", "Shutdown", "ContactList", "Bogus"]
SPECIAL = ["1", "0", "-1", "1e999", "nan", "<unknown>", "MIXMONITOR_FILENAME", "Success", "Error"]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
value = st.one_of(text, st.sampled_from(AMI_EVENTS), st.sampled_from(SPECIAL))
header = st.tuples(st.one_of(st.sampled_from(AMI_KEYS), text), value)
frame = st.lists(header, max_size=12).map(
    lambda hs: "".join(f"{k}: {v}\r\n" for k, v in hs).encode("utf-8", "surrogatepass") + b"\r\n")


class NullTransport:
    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


def feed(chunks: list[bytes]) -> list[Any]:
    seen: list[Any] = []
    protocol = HardenedAmiProtocol(AmiLink(seen.append, DropCounter("ami")))
    protocol.connection_made(NullTransport())  # type: ignore[arg-type]
    for chunk in chunks:
        protocol.data_received(chunk)
    return seen


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@SETTINGS
@given(frames=st.lists(st.one_of(frame, st.binary(max_size=80)), max_size=8),
       cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=6),
       banner=st.booleans())
def test_random_ami_bytes_in_random_chunks_never_raise(frames, cuts, banner):
    data = (b"Asterisk Call Manager/11.0.0\r\n" if banner else b"") + b"".join(frames)
    drops = DropCounter("ami")
    for message in feed(chunked(data, cuts)):
        result = ta.translate_ami_event(message, drops)
        assert result is None or isinstance(result, TelephonyEvent)
        for item_parser in (ta.queue_member, ta.device_state_item, ta.contact_item):
            try:
                item_parser(message)
            except Malformed:
                pass  # the documented way an item parser refuses; AmiActions turns it into BadResponse
        try:
            raise_for_error("Anything", message)
        except AmiActionError:
            pass


@SETTINGS
@given(st.dictionaries(st.one_of(st.sampled_from(AMI_KEYS), text),
                       st.one_of(value, st.lists(value, max_size=3), st.integers(), st.none()), max_size=10),
       st.sampled_from(AMI_EVENTS))
def test_random_ami_messages_translate_or_are_dropped(message, event):
    message = {**message, "Event": event} if event != "Bogus" else message
    drops = DropCounter("ami")
    result = ta.translate_ami_event(message, drops)
    assert result is None or isinstance(result, TelephonyEvent)


# --- ARI ---------------------------------------------------------------------------------------

json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)
ARI_TYPES = [*ARI_DISPATCH, "ChannelVarset", "SomethingNew"]
ARI_KEYS = ["id", "name", "state", "caller", "number", "dialplan", "exten", "app_name", "app_data", "args",
            "cause", "cause_txt", "soft", "bridge", "peer", "dialstatus", "digit", "playback", "target_uri",
            "device_state", "endpoint", "technology", "resource", "recording", "duration", "application",
            "timestamp", "channel", "channels", "channel_ids", "bridge_ids"]
ari_obj = st.recursive(
    st.one_of(json_value, st.sampled_from(["", "1795938514.3", "Up", "Stasis", "cc112,inbound,112",
                                           "2026-11-29T07:48:34.331+0000", "online", "failed"])),
    lambda inner: st.dictionaries(st.sampled_from(ARI_KEYS), inner, max_size=6),
    max_leaves=20,
)
ari_event = st.builds(lambda kind, body: {**body, "type": kind} if isinstance(body, dict) else body,
                      st.sampled_from(ARI_TYPES), ari_obj)


@SETTINGS
@given(ari_event)
def test_random_ari_events_translate_or_are_dropped(event):
    drops = DropCounter("ari")
    result = translate_ari_event(event, drops)
    assert result is None or isinstance(result, TelephonyEvent)
    assert type(parse_ari_frame(json.dumps(event), drops)) is type(result)  # same verdict over the wire


@SETTINGS
@given(st.one_of(text, st.binary(max_size=60)))
def test_random_websocket_frames_never_raise(frame):
    result = parse_ari_frame(frame, DropCounter("ari"))
    assert result is None or isinstance(result, TelephonyEvent)


@SETTINGS
@given(ari_obj)
def test_rest_bodies_either_parse_or_are_refused_as_malformed(body):
    for parse in (snapshots.channel, snapshots.bridge, snapshots.playback, snapshots.recording,
                  snapshots.endpoint, snapshots.device, snapshots.application, snapshots.asterisk_version):
        try:
            parse(body)
        except Malformed:
            pass
