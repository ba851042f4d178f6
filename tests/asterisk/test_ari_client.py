"""AriClient over real loopback HTTP: operations, error mapping, bounded retries, fail-fast start."""

from __future__ import annotations

import socket
import time

import pytest

from cc112_pbx.asterisk import errors as e
from cc112_pbx.asterisk.ari_client import AriClient
from tests.asterisk.fake_ari import PASSWORD, USER, FakeAri, Fault, stasis_channel
from tests.asterisk.traces import rest_error


def client_for(server: FakeAri, **kw) -> AriClient:
    kw.setdefault("request_timeout", 1.0)
    return AriClient(server.url, USER, kw.pop("password", PASSWORD), app="cc112", **kw)


def recorded_error(trace: str, method: str, path: str, status: int) -> Fault:
    return Fault(status=status, body=rest_error(trace, method, path, status))


ORIG = "ari-04-originate-failures.jsonl"


# --- startup ---------------------------------------------------------------------------------


async def test_wrong_password_fails_fast_with_one_clear_message():
    async with FakeAri() as server:
        with pytest.raises(e.AsteriskUnavailable) as info:
            await client_for(server, password="wrong").open()
        assert str(info.value) == f"ARI at {server.url} answered 401 for user cc112"


async def test_closed_port_fails_fast_naming_the_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(e.AsteriskUnavailable, match=f"ARI at http://127.0.0.1:{port}.*unreachable"):
        async with AriClient(f"http://127.0.0.1:{port}", USER, PASSWORD, request_timeout=1, retries=0):
            pass
    assert time.monotonic() - started < 1


async def test_wrong_url_fails_fast_saying_it_may_not_be_ari():
    async with FakeAri() as server:
        with pytest.raises(e.AsteriskUnavailable, match=r"answered 404 .* is that the ARI URL"):
            await AriClient(server.url + "/not-ari", USER, PASSWORD, retries=0).open()


async def test_open_checks_asterisk_and_reads_its_version():
    async with FakeAri() as server, client_for(server) as ari:
        assert await ari.asterisk_version() == "22.10.1"


# --- operations ----------------------------------------------------------------------------


async def test_originate_into_the_app_sends_args_caller_id_and_variables():
    async with FakeAri() as server, client_for(server) as ari:
        channel = await ari.originate("PJSIP/seat01", app_args=("seat", "seat01"), caller_id="CC112 <112>",
                                      timeout=15, channel_id="seat01-leg-1", originator="1795938506.1",
                                      variables={"CC112_INCIDENT": "42"})
        method, path, query, body = server.requests[-1]
        assert (method, path) == ("POST", "/channels")
        assert query == {"endpoint": "PJSIP/seat01", "app": "cc112", "appArgs": "seat,seat01",
                         "callerId": "CC112 <112>", "timeout": "15", "channelId": "seat01-leg-1",
                         "originator": "1795938506.1"}
        assert body == {"variables": {"CC112_INCIDENT": "42"}}
        assert channel.channel_id == "seat01-leg-1"
        assert (channel.app, channel.args) == ("cc112", ("seat", "seat01"))


async def test_channel_and_bridge_operations_reach_the_right_resources():
    async with FakeAri() as server, client_for(server) as ari:
        server.channels["c1"] = stasis_channel("c1")
        await ari.answer("c1")
        bridge = await ari.create_bridge("holding", name="waiting-c1")
        await ari.add_channel(bridge.bridge_id, "c1", role="participant")
        await ari.play("c1", ["sound:cc112-welcome", "sound:cc112-wait"], lang="id")
        await ari.hangup("c1", reason="normal")
        await ari.destroy_bridge(bridge.bridge_id)
        seen = [(m, p, q) for m, p, q, _ in server.requests[1:]]
        assert seen == [
            ("POST", "/channels/c1/answer", {}),
            ("POST", "/bridges", {"type": "holding", "name": "waiting-c1"}),
            ("POST", f"/bridges/{bridge.bridge_id}/addChannel", {"channel": "c1", "role": "participant"}),
            ("POST", "/channels/c1/play", {"media": "sound:cc112-welcome,sound:cc112-wait", "lang": "id"}),
            ("DELETE", "/channels/c1", {"reason": "normal"}),
            ("DELETE", f"/bridges/{bridge.bridge_id}", {}),
        ]


async def test_list_channels_tells_which_are_in_the_app_and_with_which_args():
    async with FakeAri() as server, client_for(server) as ari:
        server.channels["c1"] = stasis_channel("c1", app_data="cc112,inbound,113")
        server.channels["c2"] = stasis_channel("c2", app_data="cc112sim,caller")
        listed = {c.channel_id: (c.app, c.args) for c in await ari.list_channels()}
        assert listed == {"c1": ("cc112", ("inbound", "113")), "c2": ("cc112sim", ("caller",))}


# --- errors ----------------------------------------------------------------------------------


async def test_asterisk_errors_become_project_exceptions_with_asterisks_message():
    async with FakeAri() as server, client_for(server) as ari:
        server.fault("POST", "/channels", recorded_error(ORIG, "POST", "/channels", 400))
        server.fault("POST", "/channels/c9/continue",
                     Fault(409, '{"message":"Channel not in Stasis application"}'))
        server.fault("POST", "/bridges/b9/removeChannel",
                     Fault(422, '{"message":"Channel not in this bridge"}'))
        server.fault("DELETE", "/bridges/b9/moh", Fault(409, '{"message":"Bridge isn\'t playing music"}'))
        with pytest.raises(e.BadRequest, match="Application or extension must be specified"):
            await ari.originate("Local/x@y")
        with pytest.raises(e.NoSuchChannel, match="Channel not found") as gone:
            await ari.answer("does-not-exist")
        assert gone.value.status == 404
        with pytest.raises(e.NoSuchBridge, match="Bridge not found"):
            await ari.add_channel("does-not-exist", "c1")
        with pytest.raises(e.ChannelNotInStasis):
            await ari.continue_in_dialplan("c9", context="cc112-fallback", extension="112", priority=1)
        with pytest.raises(e.Unprocessable, match="Channel not in this bridge"):
            await ari.remove_channel("b9", "c1")
        with pytest.raises(e.Conflict, match="isn't playing music"):
            await ari.stop_bridge_moh("b9")


async def test_allocation_failed_uses_the_error_key_and_is_never_retried():
    async with FakeAri() as server, client_for(server) as ari:
        fault = recorded_error(ORIG, "POST", "/channels", 500)
        assert fault.body == '{"error":"Allocation failed"}'
        server.fault("POST", "/channels", *[fault] * 3)
        with pytest.raises(e.AllocationFailed, match="Allocation failed"):
            await ari.originate("PJSIP/seat01", channel_id="leg-1")
        assert server.count("POST", "/channels") == 1


async def test_get_is_retried_after_a_500_a_bounded_number_of_times():
    async with FakeAri() as server, client_for(server, retries=2) as ari:
        server.fault("GET", "/channels", Fault(500))
        assert await ari.list_channels() == []
        assert server.count("GET", "/channels") == 2
        server.fault("GET", "/bridges", *[Fault(503)] * 5)
        with pytest.raises(e.ServerError):
            await ari.list_bridges()
        assert server.count("GET", "/bridges") == 3


async def test_originate_without_channel_id_is_not_retried_after_a_500():
    async with FakeAri() as server, client_for(server) as ari:
        server.fault("POST", "/channels", Fault(500), Fault(500))
        with pytest.raises(e.ServerError):
            await ari.originate("PJSIP/seat01")
        assert server.count("POST", "/channels") == 1


async def test_hangup_whose_answer_was_lost_is_done_when_the_retry_finds_no_channel():
    async with FakeAri() as server, client_for(server) as ari:
        server.channels["c1"] = stasis_channel("c1")
        server.fault("DELETE", "/channels/c1", Fault(drop=True))
        server.channels.pop("c1")  # the lost first attempt hung it up
        await ari.hangup("c1")
        assert server.count("DELETE", "/channels/c1") == 2
        with pytest.raises(e.NoSuchChannel):  # without a lost answer, 404 still says "gone"
            await ari.hangup("c1")


async def test_originate_with_channel_id_retried_after_a_lost_answer_returns_the_existing_channel():
    async with FakeAri() as server, client_for(server) as ari:
        server.channels["leg-7"] = stasis_channel("leg-7", app_data="cc112,seat,seat02")
        server.fault("POST", "/channels", Fault(drop=True),
                     Fault(409, '{"message":"Channel with given unique ID already exists"}'))
        channel = await ari.originate("PJSIP/seat02", app_args=("seat", "seat02"), channel_id="leg-7")
        assert channel.channel_id == "leg-7" and channel.args == ("seat", "seat02")
        assert server.count("POST", "/channels") == 2


async def test_slow_answers_time_out_and_only_safe_requests_are_repeated():
    async with FakeAri() as server, client_for(server, request_timeout=0.2, retries=1) as ari:
        server.channels["c1"] = stasis_channel("c1")
        server.fault("GET", "/channels/c1", Fault(delay=1.0), Fault(delay=1.0))
        started = time.monotonic()
        with pytest.raises(e.AsteriskTimeout, match=r"GET /channels/c1 got no answer within 0\.2s"):
            await ari.get_channel("c1")
        assert time.monotonic() - started < 1.0
        assert server.count("GET", "/channels/c1") == 2
        server.fault("POST", "/channels/c1/play", Fault(delay=1.0))
        with pytest.raises(e.AsteriskTimeout):
            await ari.play("c1", "sound:hello")
        assert server.count("POST", "/channels/c1/play") == 1
