"""AriEventStream over a real loopback WebSocket: translation, reconnect, resync, replacement."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from cc112_pbx.asterisk import errors as e
from cc112_pbx.asterisk.ari_client import AriClient
from cc112_pbx.asterisk.ari_events import AriEventStream
from cc112_pbx.asterisk.health import LinkState
from cc112_pbx.asterisk.reconnect import ReconnectPolicy
from cc112_pbx.domain import telephony as t
from tests.asterisk.fake_ari import PASSWORD, USER, FakeAri, Fault, stasis_channel, stasis_start
from tests.asterisk.traces import ws_frames
from tests.waiting import wait_until

FAST = ReconnectPolicy(min_delay=0.01, max_delay=0.05, replaced_delay=0.3)


def client_for(server: FakeAri, password: str = PASSWORD) -> AriClient:
    return AriClient(server.url, USER, password, app="cc112", request_timeout=1.0)


async def until(stream: AriEventStream, kind: type, timeout: float = 3.0, **match):
    """The next event of `kind` whose fields equal `match`; fails after `timeout`."""
    async with asyncio.timeout(timeout):
        async for event in stream:
            if isinstance(event, kind) and all(getattr(event, k) == v for k, v in match.items()):
                return event
    raise AssertionError("stream ended")


async def drain(stream: AriEventStream, settle: float = 0.1) -> list[t.TelephonyEvent]:
    """Everything the stream delivers until it has been quiet for `settle` s."""
    out = []
    while True:
        try:
            out.append(await stream.get(timeout=settle))
        except TimeoutError:
            return out


async def test_start_reports_connected_and_adopts_callers_already_in_the_app():
    async with FakeAri() as server:
        server.channels["c1"] = stasis_channel("c1", app_data="cc112,inbound,113", number="+4930111222")
        server.channels["other"] = stasis_channel("other", app_data="cc112sim,caller")
        async with client_for(server) as ari, AriEventStream(ari, policy=FAST) as stream:
            events = await drain(stream)
    assert isinstance(events[0], t.ConnectionChanged) and events[0].connected
    entered = events[1]
    assert isinstance(entered, t.CallEntered) and entered.recovered
    assert (entered.channel_id, entered.args, entered.dialled, entered.caller_number) == (
        "c1", ("inbound", "113"), "113", "+4930111222")
    assert events[2] == t.StreamResynced(at=events[2].at, present_channel_ids=frozenset({"c1"}))
    assert len(events) == 3


async def test_recorded_call_flow_is_delivered_as_telephony_events_in_order():
    async with FakeAri() as server, client_for(server) as ari, AriEventStream(ari, policy=FAST) as stream:
        for frame in ws_frames("ari-01-bridge-record-seat.jsonl", ws="cc112"):
            await server.send(frame)
        noise = t.ConnectionChanged | t.StreamResynced
        events = [ev for ev in await drain(stream) if not isinstance(ev, noise)]
    kinds = [type(ev).__name__ for ev in events]
    assert kinds[0] == "CallEntered"
    assert kinds.index("ChannelStateChanged") < kinds.index("ChannelEnteredBridge")
    assert kinds.index("ChannelEnteredBridge") < kinds.index("BridgeGone")
    assert "".join(ev.digit for ev in events if isinstance(ev, t.DtmfReceived)) == "12#"


async def test_caller_who_hangs_up_while_disconnected_is_reported_gone_exactly_once():
    async with FakeAri() as server, client_for(server) as ari, AriEventStream(ari, policy=FAST) as stream:
        for channel_id in ("waiting", "stays"):
            server.channels[channel_id] = stasis_channel(channel_id)
            await server.send(stasis_start(server.channels[channel_id]))
            await until(stream, t.CallEntered, channel_id=channel_id)
        await server.close_sockets()  # the WebSocket drops...
        del server.channels["waiting"]  # ...and meanwhile the caller hangs up: no event will ever say so
        lost = await until(stream, t.ConnectionChanged)
        assert not lost.connected and stream.health.state is LinkState.RECONNECTING
        after = await drain(stream)
        gone = [ev for ev in after if isinstance(ev, t.ChannelGone)]
        assert [(ev.channel_id, ev.while_disconnected) for ev in gone] == [("waiting", True)]
        resynced = next(ev for ev in after if isinstance(ev, t.StreamResynced))
        assert resynced.present_channel_ids == frozenset({"stays"})
        assert after.index(gone[0]) < after.index(resynced)
        assert stream.health.state is LinkState.CONNECTED and stream.reconnects == 1

        await server.close_sockets()  # a second gap: nothing new to report
        again = await drain(stream, settle=0.2)
        assert not any(isinstance(ev, t.ChannelGone) for ev in again)
        assert any(isinstance(ev, t.StreamResynced) for ev in again)


async def test_dialplan_caller_leaving_stasis_is_call_left_and_not_reported_again_after_a_gap():
    async with FakeAri() as server, client_for(server) as ari, AriEventStream(ari, policy=FAST) as stream:
        server.channels["c1"] = stasis_channel("c1")
        await server.send(stasis_start(server.channels["c1"]))
        await server.send({"type": "StasisEnd", "channel": server.channels.pop("c1")})
        left = await until(stream, t.CallLeft)
        assert left.channel_id == "c1"
        await server.close_sockets()
        after = await drain(stream, settle=0.2)
        assert not any(isinstance(ev, t.ChannelGone | t.CallLeft) for ev in after)


async def test_stream_resumes_after_the_server_restarts_on_the_same_port():
    server = FakeAri()
    await server.start()
    async with client_for(server) as ari, AriEventStream(ari, policy=FAST) as stream:
        server.channels["c1"] = stasis_channel("c1")
        await server.send(stasis_start(server.channels["c1"]))
        await until(stream, t.CallEntered)
        await server.stop()
        await until(stream, t.ConnectionChanged, connected=False)
        await wait_until(lambda: "unreachable" in stream.health.detail, what="a reconnect attempt was refused")
        assert stream.health.snapshot()["state"] == "reconnecting"
        server.channels.clear()  # Asterisk restarted: every call is gone
        await server.start()
        await until(stream, t.ConnectionChanged, connected=True)
        gone = await until(stream, t.ChannelGone)
        assert (gone.channel_id, gone.while_disconnected) == ("c1", True)
        server.channels["c2"] = stasis_channel("c2")
        await server.send(stasis_start(server.channels["c2"]))
        assert (await until(stream, t.CallEntered)).channel_id == "c2"
    await server.stop()


async def test_application_replaced_is_reported_then_reconnects_after_a_pause_not_in_a_tight_loop():
    replaced_frame = ws_frames("ari-09-application-replaced.jsonl", ws="cc112-first")
    frame = next(f for f in replaced_frame if "ApplicationReplaced" in f)
    async with FakeAri() as server, client_for(server) as ari, AriEventStream(ari, policy=FAST) as stream:
        await server.send(frame)
        sent_at = time.monotonic()
        event = await until(stream, t.ApplicationReplaced)
        assert event.application == "cc112"
        await until(stream, t.ConnectionChanged, connected=False)
        await until(stream, t.ConnectionChanged, connected=True)
        assert time.monotonic() - sent_at >= 0.3 * (1 - FAST.jitter)
        assert server.ws_connects == 2


async def test_invalid_json_unknown_types_and_binary_frames_do_not_break_the_stream():
    async with FakeAri() as server, client_for(server) as ari, AriEventStream(ari, policy=FAST) as stream:
        await server.send("{this is not json")
        await server.send(json.dumps({"type": "FutureAsteriskEvent", "x": 1}))
        await server.send(json.dumps({"type": "ChannelDestroyed"}))  # no channel
        for ws in list(server.sockets):
            await ws.send_bytes(b"\x00\x01")
        server.channels["c1"] = stasis_channel("c1")
        await server.send(stasis_start(server.channels["c1"]))
        entered = await until(stream, t.CallEntered, recovered=False)
        assert entered.channel_id == "c1"
        assert stream.drops.unknown == {"FutureAsteriskEvent": 1}
        assert stream.drops.malformed == 3
        assert server.ws_connects == 1


async def test_stasis_start_queued_during_resync_is_not_delivered_twice():
    async with FakeAri() as server, client_for(server) as ari, AriEventStream(ari, policy=FAST) as stream:
        await server.close_sockets()
        await until(stream, t.ConnectionChanged, connected=False)
        server.channels["new"] = stasis_channel("new")  # entered during the gap: listed by the resync
        await server.wait_for_sockets(2)
        await server.send(stasis_start(server.channels["new"]))  # and its StasisStart arrives late
        events = await drain(stream, settle=0.2)
        entered = [ev for ev in events if isinstance(ev, t.CallEntered)]
        assert [(ev.channel_id, ev.recovered) for ev in entered] == [("new", True)]


async def test_websocket_with_wrong_credentials_fails_fast_naming_url_and_user():
    async with FakeAri() as server:
        ari = client_for(server, password="wrong")
        await ari.open(check=False)
        try:
            expected = f"ARI at {server.url} answered 401 for user cc112"
            with pytest.raises(e.AsteriskUnavailable, match=expected):
                await AriEventStream(ari, policy=FAST).start()
        finally:
            await ari.close()


async def test_stop_leaves_no_task_running_even_while_reconnecting():
    before = set(asyncio.all_tasks())
    server = FakeAri()
    await server.start()
    ari = client_for(server)
    await ari.open()
    stream = AriEventStream(ari, policy=FAST)
    await stream.start()
    await server.stop()
    await until(stream, t.ConnectionChanged, connected=False)
    await stream.stop()
    await stream.stop()
    await ari.close()
    assert [ev async for ev in stream][-1:] == []  # iteration ends
    assert stream.health.state is LinkState.STOPPED
    leftover = {task for task in asyncio.all_tasks() - before if not task.done()}
    assert leftover == set()


async def test_event_arriving_before_the_rest_answer_that_caused_it_is_delivered():
    # Asterisk 22: a busy originate target's ChannelDestroyed came before POST /channels answered
    destroyed = json.dumps({"type": "ChannelDestroyed", "cause": 17, "cause_txt": "User busy",
                            "channel": {"id": "leg-1", "name": "Local/busy@seats-sim-1;1", "state": "Down"}})
    async with FakeAri() as server, client_for(server) as ari, AriEventStream(ari, policy=FAST) as stream:
        server.fault("POST", "/channels", Fault(status=0, then_event=destroyed, delay=0.1))
        originate = asyncio.create_task(ari.originate("Local/busy@seats-sim", channel_id="leg-1"))
        gone = await until(stream, t.ChannelGone)
        assert not originate.done()  # the event won the race
        assert (gone.channel_id, gone.cause, gone.cause_text) == ("leg-1", 17, "User busy")
        channel = await originate
        assert channel.channel_id == "leg-1"


async def test_reconnect_keeps_trying_while_the_resync_listing_fails():
    async with FakeAri() as server, client_for(server) as ari, AriEventStream(ari, policy=FAST) as stream:
        server.channels["c1"] = stasis_channel("c1")
        await server.send(stasis_start(server.channels["c1"]))
        await until(stream, t.CallEntered)
        server.fault("GET", "/channels", *[Fault(500)] * 6)  # two whole reconnect attempts fail
        del server.channels["c1"]
        await server.close_sockets()
        gone = await until(stream, t.ChannelGone)
        assert gone.while_disconnected and stream.reconnects == 1
        assert server.ws_connects >= 3


async def test_a_peer_that_stops_answering_pings_is_noticed_and_replaced_by_a_new_socket():
    async with FakeAri() as server, client_for(server) as ari:
        server.deaf = True
        async with AriEventStream(ari, policy=FAST, heartbeat=0.2) as stream:
            lost = await until(stream, t.ConnectionChanged, connected=False)
            assert lost.detail
            server.deaf = False
            await until(stream, t.ConnectionChanged, connected=True)
            assert server.ws_connects >= 2
