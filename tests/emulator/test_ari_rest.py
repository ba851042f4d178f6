"""The emulator's ARI over real sockets: behaviour the traces do not cover in detail."""

from __future__ import annotations

import asyncio
import json
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from cc112_pbx.emulator.parties import SeatBehaviour
from cc112_pbx.emulator.scenario import Scenario
from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from tests.emulator.test_scenario import AUTH, MiniController


@pytest.fixture
async def emulator(tmp_path: Path) -> AsyncIterator[Emulator]:
    scenario = Scenario(seats=(SeatBehaviour("seat01", answer_after=0.05),))
    config = EmulatorConfig(recordings_dir=tmp_path, scenario=scenario, with_ami=False, sound_seconds=0.3)
    async with Emulator(config) as emu:
        yield emu


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def controller(emulator: Emulator, session: aiohttp.ClientSession) -> AsyncIterator[MiniController]:
    mini = MiniController(session, emulator.ari_url)
    await mini.connect()
    yield mini
    await mini.close()


async def test_api_key_authenticates_and_a_wrong_one_is_refused(emulator, session):
    url = f"{emulator.ari_url}/ari/asterisk/info"
    async with session.get(url, params={"api_key": "cc112:cc112secret"}) as reply:
        assert reply.status == 200
        assert (await reply.json())["system"]["version"] == "22.10.1"
    async with session.get(url, params={"api_key": "cc112:nope"}) as reply:
        assert reply.status == 401
        assert reply.headers["WWW-Authenticate"].startswith("Basic")
        assert await reply.json() == {"message": "Authentication required"}


async def test_websocket_needs_an_app_and_good_credentials(emulator, session):
    with pytest.raises(aiohttp.WSServerHandshakeError) as no_app:
        await session.ws_connect(f"{emulator.ari_url}/ari/events", params={"api_key": "cc112:cc112secret"})
    assert no_app.value.status == 400
    with pytest.raises(aiohttp.WSServerHandshakeError) as bad_key:
        await session.ws_connect(f"{emulator.ari_url}/ari/events", params={"app": "x", "api_key": "a:b"})
    assert bad_key.value.status == 401


async def test_create_then_dial_rings_the_seat_and_it_enters_the_app(emulator, controller):
    status, channel = await controller.call("POST", "/channels/create", endpoint="PJSIP/seat01", app="cc112",
                                            appArgs="seat,seat01")
    assert status == 200 and channel["state"] == "Down"
    assert emulator.timeline.rings_of("seat01")[0].rang_at is None  # not dialled yet
    assert (await controller.call("POST", f"/channels/{channel['id']}/dial", timeout="5"))[0] == 204
    start = await controller.next("StasisStart")
    assert start["channel"]["id"] == channel["id"] and start["args"] == ["seat", "seat01"]
    assert emulator.timeline.rings_of("seat01")[0].rang_at is not None
    assert (await controller.call("POST", f"/channels/{channel['id']}/dial"))[0] == 409


async def test_originate_variables_in_a_json_body_are_set(emulator, controller, session):
    body = {"endpoint": "PJSIP/seat01", "app": "cc112", "variables": {"CC112_CALL": "c-1"}}
    async with session.post(f"{emulator.ari_url}/ari/channels", json=body, headers=AUTH) as reply:
        channel = await reply.json()
    await controller.next("StasisStart")
    status, value = await controller.call("GET", f"/channels/{channel['id']}/variable", variable="CC112_CALL")
    assert (status, value) == (200, {"value": "c-1"})
    status, missing = await controller.call("GET", f"/channels/{channel['id']}/variable", variable="NOPE")
    assert (status, missing) == (404, {"message": "Provided variable was not found"})


async def test_bridge_recording_is_stored_as_a_wav_file_of_the_recorded_length(emulator, controller, session):
    emulator.place_call("+62811", "112")
    start = await controller.next("StasisStart")
    caller = start["channel"]["id"]
    await controller.call("POST", f"/channels/{caller}/answer")
    _, bridge = await controller.call("POST", "/bridges", type="mixing")
    await controller.call("POST", f"/bridges/{bridge['id']}/addChannel", channel=caller)
    status, live = await controller.call("POST", f"/bridges/{bridge['id']}/record", name="inc-1", format="wav")
    assert (status, live["state"]) == (201, "queued")
    await controller.next("RecordingStarted")
    await asyncio.sleep(0.3)  # the scenario: a recording 0.3 s long
    assert (await controller.call("POST", "/recordings/live/inc-1/stop"))[0] == 204
    finished = await controller.next("RecordingFinished")
    assert finished["recording"]["state"] == "done"
    async with session.get(f"{emulator.ari_url}/ari/recordings/stored/inc-1/file", headers=AUTH) as reply:
        assert reply.status == 200
        (emulator.recordings_dir / "copy.wav").write_bytes(await reply.read())
    with wave.open(str(emulator.recordings_dir / "copy.wav")) as wav:
        assert 0.25 <= wav.getnframes() / wav.getframerate() < 1.5
    assert "inc-1.wav" in emulator.timeline.recordings


async def test_stopping_a_playback_finishes_it_early(emulator, controller):
    emulator.place_call("+62812", "112")
    caller = (await controller.next("StasisStart"))["channel"]["id"]
    status, playback = await controller.call("POST", f"/channels/{caller}/play", media="sound:cc112/greeting",
                                             playbackId="pb-1")
    assert (status, playback["id"]) == (201, "pb-1")
    await controller.next("PlaybackStarted")
    assert (await controller.call("GET", "/playbacks/pb-1"))[1]["state"] == "playing"
    assert (await controller.call("DELETE", "/playbacks/pb-1"))[0] == 204
    finished = await controller.next("PlaybackFinished", timeout=0.25)  # long before its 0.3 s
    assert finished["playback"]["state"] == "done"


async def test_continue_on_a_channel_not_in_stasis_is_409(emulator, controller):
    call = emulator.place_call("+62813", "112")
    await controller.next("StasisStart")
    status, body = await controller.call("POST", f"/channels/{call.channel_id}/continue")
    assert (status, body) == (409, {"message": "Channel not in Stasis application"})


async def test_stasis_device_state_changes_reach_subscribers(emulator, controller):
    status, _ = await controller.call("POST", "/applications/cc112/subscription", eventSource="deviceState:Stasis:q")
    assert status == 200
    assert (await controller.call("PUT", "/deviceStates/Stasis:q", deviceState="INUSE"))[0] == 204
    event = await controller.next("DeviceStateChanged")
    assert event["device_state"] == {"name": "Stasis:q", "state": "INUSE"}
    assert (await controller.call("GET", "/deviceStates"))[1] == [{"name": "Stasis:q", "state": "INUSE"}]
    assert (await controller.call("PUT", "/deviceStates/PJSIP:x", deviceState="INUSE"))[0] == 409


async def test_with_the_socket_closed_held_callers_stay_and_new_calls_fall_back(emulator, controller):
    held = emulator.place_call("+62814", "112")
    await controller.next("StasisStart")
    await controller.close()
    await emulator.timeline.wait_for(lambda: "cc112" not in emulator.core.stasis_apps, 1)
    new = emulator.place_call("+62815", "112")
    channel = emulator.core.channels[new.inbound_id]
    await emulator.timeline.wait_for(lambda: channel.variables.get("CC112_FALLBACK") == "1", 2)
    assert emulator.core.channels[held.inbound_id].stasis_app == "cc112"
    status, app = await controller.call("GET", "/applications/cc112")
    assert status == 200 and app["channel_ids"] == [held.inbound_id]


async def test_subscribe_all_sees_channels_of_other_apps(emulator, controller, session):
    ws = await session.ws_connect(f"{emulator.ari_url}/ari/events", headers=AUTH,
                                  params={"app": "watcher", "subscribeAll": "true"})
    try:
        emulator.place_call("+62816", "112")
        await controller.next("StasisStart")
        async with asyncio.timeout(2):
            seen = set()
            while "ChannelStateChange" not in seen and "ChannelVarset" not in seen:
                seen.add(json.loads((await ws.receive()).data)["type"])
        assert "StasisStart" not in seen  # StasisStart goes to its own app only
    finally:
        await ws.close()


async def test_technology_wide_endpoint_subscription_sees_seat_registration(emulator, controller):
    status, app = await controller.call("POST", "/applications/cc112/subscription", eventSource="endpoint:PJSIP")
    assert status == 200 and app["endpoint_ids"] == ["PJSIP"]
    emulator.register_seat("seat01", False)
    event = await controller.next("EndpointStateChange")
    assert event["endpoint"]["resource"] == "seat01" and event["endpoint"]["state"] == "offline"
    status, body = await controller.call("POST", "/applications/cc112/subscription", eventSource="endpoint:SIP/x")
    assert (status, body) == (422, {"message": "Event source does not exist"})
