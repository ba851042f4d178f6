"""Pure pieces: reconnect policy, health snapshot, the resync bookkeeping, settings wiring."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from cc112_pbx.asterisk import AmiManager, AriClient, AriEventStream, AsteriskHealth
from cc112_pbx.asterisk.errors import AsteriskUnavailable
from cc112_pbx.asterisk.reconnect import ReconnectPolicy
from cc112_pbx.asterisk.resync import StasisTracker
from cc112_pbx.domain import telephony as t

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def test_backoff_grows_is_capped_and_jittered_within_bounds():
    policy = ReconnectPolicy(min_delay=0.5, max_delay=8.0, jitter=0.25, rng=random.Random(7))
    delays = [policy.delay(n) for n in range(12)]
    assert all(0.5 * 0.75 <= d <= 8.0 for d in delays)
    assert delays[0] <= 0.5 and delays[3] > delays[0]
    assert max(delays[6:]) <= 8.0 and min(delays[6:]) >= 8.0 * 0.75
    assert len({round(d, 6) for d in delays[6:]}) > 1  # jittered, not in lockstep
    assert 8.0 * 0.75 <= policy.after_replaced() <= 8.0


def test_policy_refuses_nonsense_bounds():
    with pytest.raises(ValueError, match="min_delay <= max_delay"):
        ReconnectPolicy(min_delay=5, max_delay=1)


def test_health_snapshot_says_reconnecting_since_when():
    now = [T0]
    health = AsteriskHealth(clock=lambda: now[0])
    assert health.snapshot()["ari"] == {"state": "starting", "since": T0.isoformat()}
    assert health.ari.set(health.ari.state.CONNECTED)
    now[0] = T0 + timedelta(seconds=30)
    assert health.ami.set(health.ami.state.RECONNECTING, "connection refused")
    assert not health.ami.set(health.ami.state.RECONNECTING, "still refused")  # no new transition
    assert health.snapshot() == {
        "ari": {"state": "connected", "since": T0.isoformat()},
        "ami": {"state": "reconnecting", "since": (T0 + timedelta(seconds=30)).isoformat(),
                "detail": "still refused"},
    }
    assert not health.all_connected


def snapshot(channel_id: str, app: str | None = "cc112", args=("inbound", "112")) -> t.ChannelSnapshot:
    return t.ChannelSnapshot(channel_id=channel_id, name=f"PJSIP/pstn-{channel_id}", state=t.ChannelState.UP,
                             caller_number=None, caller_name=None, exten="112", app=app, args=args)


def entered(channel_id: str) -> t.CallEntered:
    return t.CallEntered(at=T0, channel_id=channel_id, channel_name="x", args=("inbound", "112"),
                         caller_number=None, caller_name=None, state=t.ChannelState.RING, dialled="112")


def test_resync_reports_gone_calls_once_and_adopts_new_ones_before_the_summary():
    tracker = StasisTracker("cc112")
    for channel_id in ("a", "b"):
        assert tracker.observe(entered(channel_id))
    tracker.observe(t.ChannelEnteredBridge(at=T0, channel_id="a", bridge_id="br1"))
    out = tracker.resync([snapshot("b"), snapshot("c"), snapshot("x", app="cc112sim")], [], T0)
    assert out == [
        t.ChannelGone(at=T0, channel_id="a", while_disconnected=True),
        t.BridgeGone(at=T0, bridge_id="br1", while_disconnected=True),
        t.CallEntered(at=T0, channel_id="c", channel_name="PJSIP/pstn-c", args=("inbound", "112"),
                      caller_number=None, caller_name=None, state=t.ChannelState.UP, dialled="112", recovered=True),
        t.StreamResynced(at=T0, present_channel_ids=frozenset({"b", "c"})),
    ]
    assert not tracker.observe(t.CallLeft(at=T0, channel_id="a"))  # late news about a reported call
    assert not tracker.observe(entered("c"))  # its StasisStart was queued behind the resync
    assert tracker.observe(t.CallLeft(at=T0, channel_id="b"))
    again = tracker.resync([snapshot("c")], [], T0)
    assert again == [t.StreamResynced(at=T0, present_channel_ids=frozenset({"c"}))]


async def test_adapters_are_built_from_settings():
    from cc112_pbx.settings import load_settings

    settings = load_settings(None, {"CC112_ASTERISK_ARI_PASSWORD": "pw", "CC112_ASTERISK_AMI_SECRET": "s",
                                    "CC112_ASTERISK_RECONNECT_MAX_DELAY": "7"})
    ari = AriClient.from_settings(settings)
    stream = AriEventStream.from_settings(ari, settings)
    ami = AmiManager.from_settings(settings)
    assert (ari.base_url, ari.app, ari.http.user) == ("http://127.0.0.1:8088", "cc112", "cc112")
    assert stream.policy.max_delay == 7 and stream.url.endswith("/ari/events?app=cc112&subscribeAll=false")
    assert ami.where == "AMI at 127.0.0.1:5038"
    missing = load_settings(None, {})
    with pytest.raises(AsteriskUnavailable, match="ARI password is not configured"):
        AriClient.from_settings(missing)


def test_a_ringing_seat_leg_that_vanished_in_the_gap_is_reported_gone():
    tracker = StasisTracker("cc112")
    tracker.observe(t.DialProgress(at=T0, peer_channel_id="leg-1", status="RINGING"))
    tracker.watch("leg-2")  # originated, not a single event yet
    tracker.observe(t.ChannelStateChanged(at=T0, channel_id="leg-3", state=t.ChannelState.RINGING))
    ringing_still = snapshot("leg-3", app=None, args=())
    out = tracker.resync([ringing_still], [], T0)
    gone = [(ev.channel_id, ev.while_disconnected) for ev in out if isinstance(ev, t.ChannelGone)]
    assert gone == [("leg-1", True), ("leg-2", True)]
    assert out[-1] == t.StreamResynced(at=T0, present_channel_ids=frozenset())
    assert tracker.watched == {"leg-3"}


def test_a_caller_continued_out_of_the_app_in_the_gap_gets_call_left_once_and_may_come_back():
    tracker = StasisTracker("cc112")
    tracker.observe(entered("a"))
    out = tracker.resync([snapshot("a", app=None, args=())], [], T0)  # alive, now in the fallback queue
    assert out[0] == t.CallLeft(at=T0, channel_id="a")
    assert not tracker.observe(t.CallLeft(at=T0, channel_id="a"))  # its StasisEnd, queued: a duplicate
    assert tracker.observe(entered("a"))  # the fallback loop brings it back into Stasis
    assert tracker.channels == {"a"}


def test_a_dialplan_caller_who_left_is_not_reported_gone_by_later_resyncs():
    tracker = StasisTracker("cc112")
    tracker.observe(entered("a"))
    tracker.observe(t.HangupRequested(at=T0, channel_id="a"))
    tracker.observe(t.CallLeft(at=T0, channel_id="a"))  # Asterisk sends it no ChannelDestroyed
    assert tracker.resync([], [], T0) == [t.StreamResynced(at=T0)]


def test_watching_a_leg_whose_end_already_arrived_does_not_report_it_again():
    tracker = StasisTracker("cc112")
    tracker.observe(t.ChannelGone(at=T0, channel_id="leg-1", cause=17))  # beat the originate's answer
    tracker.watch("leg-1")
    assert tracker.resync([], [], T0) == [t.StreamResynced(at=T0)]
