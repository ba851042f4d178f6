"""Every successful REST body Asterisk 22.10.1 sent in the traces reads into a snapshot."""

from __future__ import annotations

import json
import re

import pytest

from cc112_pbx.asterisk import snapshots as snap
from cc112_pbx.domain import telephony as t
from tests.asterisk.test_translate_ari import ALL_ARI_TRACES
from tests.asterisk.traces import ari_records

PARSERS = [
    (r"/applications(/[^/]+)?(/subscription)?", lambda b: snap.listing(b, snap.application)
     if isinstance(b, list) else snap.application(b)),
    (r"/asterisk/info", snap.asterisk_version),
    (r"/bridges", lambda b: snap.listing(b, snap.bridge) if isinstance(b, list) else snap.bridge(b)),
    (r"/bridges/[^/]+", snap.bridge),
    (r"/(bridges|channels)/[^/]+/play", snap.playback),
    (r"/bridges/[^/]+/record", snap.recording),
    (r"/channels", lambda b: snap.listing(b, snap.channel) if isinstance(b, list) else snap.channel(b)),
    (r"/channels/[^/]+", snap.channel),
    (r"/channels/[^/]+/variable", snap.variable_value),
    (r"/endpoints/[^/]+", lambda b: snap.listing(b, snap.endpoint)),
    (r"/endpoints/[^/]+/[^/]+", snap.endpoint),
    (r"/recordings/(live|stored)/[^/]+", snap.recording),
    (r"/recordings/stored", lambda b: snap.listing(b, snap.recording)),
    (r"/playbacks/[^/]+", snap.playback),
]


def parser_for(path: str):
    return next((parse for pattern, parse in PARSERS if re.fullmatch(pattern, path)), None)


def successful_bodies():
    for trace in ALL_ARI_TRACES:
        for r in ari_records(trace):
            if r["kind"] == "rest_response" and 200 <= r["status"] < 300 and r["body_raw"]:
                yield trace, r["method"], r["path"], json.loads(r["body_raw"])


def test_every_recorded_success_body_parses():
    parsed = 0
    for trace, method, path, body in successful_bodies():
        parse = parser_for(path)
        assert parse is not None, f"no parser for {method} {path} ({trace})"
        parse(body)
        parsed += 1
    assert parsed > 60


@pytest.mark.parametrize(("path", "expected"), [
    ("/endpoints/PJSIP", t.EndpointSnapshot("PJSIP/seat01", "offline", ())),
])
def test_endpoint_listing_reads_technology_and_resource(path, expected):
    bodies = [b for _, m, p, b in successful_bodies() if (m, p) == ("GET", path)]
    assert snap.listing(bodies[0], snap.endpoint)[0] == expected


def test_recording_and_application_snapshots_keep_what_the_controller_needs():
    bodies = {(m, p): b for _, m, p, b in successful_bodies()}
    live = snap.recording(bodies[("GET", "/recordings/live/cc112-rec-1795938141")])
    assert (live.state, live.target) == ("recording", "bridge:bb4f1e19-4625-4afa-afed-17409ebf59f4")
    app = snap.application(bodies[("GET", "/applications/cc112")])
    assert app.name == "cc112" and isinstance(app.channel_ids, tuple)
    stasis = snap.channel(bodies[("GET", "/channels/1795938506.1")])
    assert (stasis.app, stasis.args, stasis.caller_number) == ("cc112", ("inbound", "113"), "+4930111222")
