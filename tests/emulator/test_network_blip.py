"""The test hooks for a network blip: the emulator closes its ARI WebSockets / AMI sessions itself.

As with Asterisk (ari-08), the app stays registered and keeps its channels; what happens during
the gap is never sent, not even after the client reconnects; GET /channels tells what changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from tests.emulator.conformance.ami_client import AmiTestClient
from tests.emulator.test_scenario import MiniController


@pytest.fixture
async def emulator(tmp_path: Path) -> AsyncIterator[Emulator]:
    async with Emulator(EmulatorConfig(recordings_dir=tmp_path)) as emu:
        yield emu


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def test_dropped_websocket_keeps_the_app_and_its_caller_and_loses_the_gap_events(emulator, session):
    controller = MiniController(session, emulator.ari_url)
    await controller.connect()
    leaving = emulator.place_call("+628001")
    staying = emulator.place_call("+628002")
    await controller.next("StasisStart", channel=leaving.inbound_id)
    await controller.next("StasisStart", channel=staying.inbound_id)

    assert await emulator.drop_ari_connections() == 1
    await asyncio.wait_for(controller.close(), 2)  # the client saw the server close the socket
    assert controller.ws is not None and controller.ws.close_code == aiohttp.WSCloseCode.GOING_AWAY
    assert emulator.ari is not None and emulator.ari.event_socket_count == 0
    status, app = await controller.call("GET", "/applications/cc112")
    assert status == 200
    assert set(app["channel_ids"]) == {leaving.inbound_id, staying.inbound_id}

    emulator.hang_up(leaving)  # during the gap
    await asyncio.wait_for(leaving.ended.wait(), 2)
    again = MiniController(session, emulator.ari_url)
    await again.connect()
    try:
        status, channels = await again.call("GET", "/channels")
        assert leaving.inbound_id not in {c["id"] for c in channels}
        assert staying.inbound_id in {c["id"] for c in channels}
        status, _ = await again.call("POST", f"/channels/{staying.inbound_id}/answer")
        assert status == 204
        state = await again.next("ChannelStateChange", channel=staying.inbound_id)
        assert state["channel"]["state"] == "Up"
        assert all(e.get("channel", {}).get("id") != leaving.inbound_id for e in _drain(again.events))
    finally:
        await again.close()
        emulator.hang_up(staying)


async def test_drop_without_any_websocket_closes_nothing(emulator):
    assert await emulator.drop_ari_connections() == 0


async def test_dropped_ami_session_is_closed_by_the_server_and_a_new_login_works(emulator):
    async with AmiTestClient("127.0.0.1", emulator.ami_port) as client:
        await client.login()
        assert await emulator.drop_ami_connections() == 1
        await client.wait_closed(2)
        assert emulator.ami.session_count == 0
    async with AmiTestClient("127.0.0.1", emulator.ami_port) as client:
        assert (await client.login()).get("Response") == "Success"
        assert (await client.action("Ping")).get("Response") == "Success"


def _drain(queue: asyncio.Queue) -> list:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items
