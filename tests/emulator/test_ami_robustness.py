"""Malformed input never crashes the AMI server: garbage, partial frames, huge frames, clients
that vanish mid-action. Plus the framing parser on its own (including a property test)."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cc112_pbx.emulator.ami_protocol import MAX_HEADERS, AmiFrameParser, encode
from cc112_pbx.emulator.ami_server import AmiServer
from cc112_pbx.emulator.core import Core
from cc112_pbx.emulator.dialplan import Dialplan
from tests.emulator.conformance.ami_client import AmiTestClient
from tests.waiting import wait_until


@pytest.fixture
async def server(tmp_path):
    core = Core()
    core.dialplan = Dialplan()
    server = AmiServer(core, "127.0.0.1", 0, "cc112", "cc112secret", recordings_dir=tmp_path)
    await server.start()
    yield server
    await server.stop()
    await core.close()


async def logged_in(server: AmiServer) -> AmiTestClient:
    client = await AmiTestClient("127.0.0.1", server.port).connect()
    await client.login(events="off")
    return client


async def still_serving(server: AmiServer) -> None:
    async with AmiTestClient("127.0.0.1", server.port) as fresh:
        await fresh.login(events="off")
        assert (await fresh.action("Ping")).get("Ping") == "Pong"


async def test_garbage_bytes_and_lines_without_colon_are_ignored(server):
    client = await logged_in(server)
    try:
        client.write_raw(b"\x00\xff\xfe garbage without colon\r\nmore junk\r\n\r\n\x1b[2J\r\n\r\n")
        response = await client.action("Ping", ActionID="after-garbage")
        assert response.get("Ping") == "Pong"
        assert all(
            m.get("ActionID") in ("", "after-garbage") or m.get("ActionID").startswith("t-") for m in client.received
        )
    finally:
        await client.close()
    await still_serving(server)


async def test_an_action_split_into_single_bytes_is_understood(server):
    client = await logged_in(server)
    try:
        for byte in encode([("Action", "Ping"), ("ActionID", "slow-ping")]):
            client.write_raw(bytes([byte]))
            await asyncio.sleep(0)  # the scenario: each byte in its own write, the server reading between
        response = await client.wait_for(lambda m: m.get("ActionID") == "slow-ping")
        assert response.get("Ping") == "Pong"
    finally:
        await client.close()


async def test_bare_lf_line_ends_are_accepted(server):
    client = await logged_in(server)
    try:
        client.write_raw(b"Action: Ping\nActionID: lf-ping\n\n")
        assert (await client.wait_for(lambda m: m.get("ActionID") == "lf-ping")).get("Ping") == "Pong"
    finally:
        await client.close()


async def test_huge_line_and_too_many_headers_do_not_break_the_session(server):
    client = await logged_in(server)
    try:
        client.write_raw(b"X-Huge: " + b"a" * 300_000 + b"\r\n\r\n")
        client.write_raw(b"".join(f"H{i}: v\r\n".encode() for i in range(5000)) + b"\r\n")
        response = await client.action("Ping", ActionID="after-huge")
        assert response.get("Ping") == "Pong"
    finally:
        await client.close()
    await still_serving(server)


async def test_client_disconnecting_during_a_sync_originate_leaves_the_server_healthy(server):
    client = await logged_in(server)
    client.send("Originate", Channel="Local/slow01@seats-sim", Application="Wait", Data="1", Timeout="600")
    await wait_until(lambda: any("slow01" in c.name for c in server.core.channels.values()),
                     what="the originate is ringing")
    await client.close()
    await wait_until(lambda: not any("slow01" in c.name for c in server.core.channels.values()),
                     what="the originate timed out after the client was gone")
    await still_serving(server)


async def test_client_vanishing_before_its_bad_login_answer_is_harmless(server):
    client = await AmiTestClient("127.0.0.1", server.port).connect()
    client.send("Login", Username="cc112", Secret="nope")
    await wait_until(lambda: server.session_count == 1, what="the server took the session")
    await client.close()
    await wait_until(lambda: server.session_count == 0, timeout=3,
                     what="the server answered the bad login (after its 1 s delay) and closed the session")
    await still_serving(server)


def test_parser_keeps_key_order_and_strips_one_space_after_the_colon():
    parser = AmiFrameParser()
    [message] = parser.feed(b"Action: Originate\r\nData:  two spaces\r\nEmpty: \r\nNoSpace:x\r\n\r\n")
    assert message.pairs == [
        ("Action", "Originate"),
        ("Data", " two spaces"),
        ("Empty", ""),
        ("NoSpace", "x"),
    ]
    assert message.get("action") == "Originate"


def test_parser_caps_headers_per_message():
    parser = AmiFrameParser()
    data = b"".join(f"H{i}: v\r\n".encode() for i in range(MAX_HEADERS + 50)) + b"\r\n"
    [message] = parser.feed(data)
    assert len(message.pairs) == MAX_HEADERS


def test_encode_flattens_newlines_inside_values():
    assert encode([("Message", "a\r\nb")]) == b"Message: a  b\r\n\r\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=3000), max_size=20))
def test_parser_never_raises_and_stays_bounded_on_arbitrary_bytes(chunks):
    parser = AmiFrameParser()
    for chunk in chunks:
        for message in parser.feed(chunk):
            assert len(message.pairs) <= MAX_HEADERS
        assert len(parser._buffer) <= 1024 + 1  # never more than one line's worth is kept


async def test_stopping_the_server_closes_connected_clients_cleanly(tmp_path):
    core = Core()
    core.dialplan = Dialplan()
    server = AmiServer(core, "127.0.0.1", 0, "cc112", "cc112secret", recordings_dir=tmp_path)
    await server.start()
    client = await logged_in(server)
    idle = await AmiTestClient("127.0.0.1", server.port).connect()  # never logs in
    try:
        await server.stop()
        await client.wait_closed(2)
        await idle.wait_closed(2)
    finally:
        await client.close()
        await idle.close()
        await core.close()
