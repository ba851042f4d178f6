"""Simulated parties over the real ARI server: callers, seat softphones, the trunk, the timeline.

A tiny ARI "controller" in each test plays the part the real controller will play, so the
tests show what the emulator offers the e2e tests: what callers and call takers experienced.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from cc112_pbx.emulator.parties import CallerBehaviour, CitizenBehaviour, SeatBehaviour
from cc112_pbx.emulator.scenario import Scenario, ScenarioError, load_scenario
from cc112_pbx.emulator.server import Emulator, EmulatorConfig

AUTH = {"Authorization": aiohttp.encode_basic_auth("cc112", "cc112secret")}


class MiniController:
    """Just enough ARI client: one WebSocket for app cc112, REST helpers, an event inbox."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.ws = await self.session.ws_connect(f"{self.url}/ari/events", params={"app": "cc112"}, headers=AUTH)
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            self.events.put_nowait(json.loads(message.data))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await self._reader

    async def next(self, kind: str, timeout: float = 3.0, channel: str | None = None) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                event = await self.events.get()
                if event["type"] == kind and (channel is None or event["channel"]["id"] == channel):
                    return event

    async def call(self, method: str, path: str, **params: str) -> tuple[int, Any]:
        async with self.session.request(method, f"{self.url}/ari{path}", params=params, headers=AUTH) as r:
            text = await r.text()
            return r.status, (json.loads(text) if text else None)


@pytest.fixture
async def emulator(tmp_path: Path) -> AsyncIterator[Emulator]:
    scenario = Scenario(seats=(SeatBehaviour("seat01", answer_after=0.05),
                               SeatBehaviour("seat02", actions=("busy",)),
                               SeatBehaviour("seat03", registered=False)),
                        citizens=(CitizenBehaviour("+628111", action="busy"),))
    async with Emulator(EmulatorConfig(recordings_dir=tmp_path, scenario=scenario)) as emu:
        yield emu


@pytest.fixture
async def controller(emulator: Emulator) -> AsyncIterator[MiniController]:
    async with aiohttp.ClientSession() as session:
        mini = MiniController(session, emulator.ari_url)
        await mini.connect()
        yield mini
        await mini.close()


async def connect_caller_to_seat(controller: MiniController, seat: str = "seat01") -> tuple[str, str, str]:
    start = await controller.next("StasisStart")
    caller = start["channel"]["id"]
    assert (await controller.call("POST", f"/channels/{caller}/answer"))[0] == 204
    _, bridge = await controller.call("POST", "/bridges", type="mixing")
    await controller.call("POST", f"/bridges/{bridge['id']}/addChannel", channel=caller)
    status, leg = await controller.call("POST", "/channels", endpoint=f"PJSIP/{seat}", app="cc112",
                                        appArgs=f"seat,{seat}")
    assert status == 200, leg
    seat_start = await controller.next("StasisStart")
    assert seat_start["args"] == ["seat", seat]
    await controller.call("POST", f"/bridges/{bridge['id']}/addChannel", channel=leg["id"])
    return caller, leg["id"], bridge["id"]


async def test_caller_connected_to_seat_is_recorded_in_the_timeline(emulator, controller):
    call = emulator.place_call("+6281234", "112", talk_time=0.2, dtmf="5")
    caller_id, _, _ = await connect_caller_to_seat(controller)
    dtmf = await controller.next("ChannelDtmfReceived")
    assert dtmf["digit"] == "5" and dtmf["channel"]["id"] == caller_id
    await asyncio.wait_for(call.ended.wait(), 3)
    assert call.ended_by == "caller" and not call.abandoned
    assert call.seat == "seat01" and call.connected_at is not None
    ring = emulator.timeline.rings_of("seat01")[0]
    assert ring.rang_at is not None and ring.answered_at is not None and ring.rang_at <= ring.answered_at
    assert ring.answered_at - ring.rang_at >= 0.04  # the softphone rang before answering
    assert caller_id in ring.bridged_with


async def test_caller_without_number_arrives_with_empty_caller_id(emulator, controller):
    emulator.place_call(None, "110", patience=0.3)
    start = await controller.next("StasisStart")
    assert start["args"] == ["inbound", "110"]
    assert start["channel"]["caller"]["number"] == ""
    end = await controller.next("StasisEnd", timeout=2)
    assert end["channel"]["id"] == start["channel"]["id"]


async def test_impatient_caller_abandons_and_timeline_says_so(emulator, controller):
    call = emulator.place_call("+6285", "112", patience=0.2)
    await controller.next("StasisStart")
    await asyncio.wait_for(call.ended.wait(), 2)
    assert call.abandoned and call.ended_by == "caller" and call.seat is None


async def test_busy_seat_refuses_and_unregistered_seat_cannot_be_originated(emulator, controller):
    status, leg = await controller.call("POST", "/channels", endpoint="PJSIP/seat02", app="cc112")
    assert status == 200
    destroyed = await controller.next("ChannelDestroyed", channel=leg["id"])
    assert destroyed["cause"] == 17
    status, body = await controller.call("POST", "/channels", endpoint="PJSIP/seat03", app="cc112")
    assert (status, body) == (500, {"error": "Allocation failed"})


async def test_seat_registration_changes_endpoint_state(emulator, controller):
    assert (await controller.call("GET", "/endpoints/PJSIP/seat03"))[1]["state"] == "offline"
    emulator.register_seat("seat03")
    assert (await controller.call("GET", "/endpoints/PJSIP/seat03"))[1]["state"] == "online"
    assert emulator.core.endpoints["PJSIP/seat03"].device_state == "NOT_INUSE"


async def test_callback_through_trunk_reaches_a_busy_citizen(emulator, controller):
    status, leg = await controller.call("POST", "/channels", endpoint="Local/+628111@cc112-outbound",
                                        app="cc112", appArgs="callback,7")
    assert status == 200
    await controller.next("ChannelDestroyed", channel=leg["id"])
    trunk = emulator.timeline.trunk_legs[0]
    assert trunk.number == "+628111" and trunk.cause == 17 and trunk.answered_at is None


async def test_callback_through_trunk_answered_enters_the_app(emulator, controller):
    _, leg = await controller.call("POST", "/channels", endpoint="Local/+628222@cc112-outbound",
                                   app="cc112", appArgs="callback,8")
    start = await controller.next("StasisStart")
    assert start["args"] == ["callback", "8"] and start["channel"]["id"] == leg["id"]
    assert emulator.trunk.dialled == ["+628222"]


async def test_continue_hands_a_held_caller_to_the_fallback_path(emulator, controller):
    emulator.place_call("+6286", "112")
    start = await controller.next("StasisStart")
    caller = start["channel"]["id"]
    status, _ = await controller.call("POST", f"/channels/{caller}/continue", context="cc112-inbound",
                                      extension="fallback", priority="1")
    assert status == 204
    await controller.next("StasisEnd")
    channel = emulator.core.channels[caller]
    await emulator.timeline.wait_for(lambda: channel.variables.get("CC112_FALLBACK") == "1", 2)
    assert channel.state == "Up"


async def test_stasis_fails_to_fallback_when_no_app_is_connected(emulator):
    call = emulator.place_call("+6287", "113")
    channel = emulator.core.channels[call.inbound_id]
    await emulator.timeline.wait_for(lambda: channel.variables.get("STASISSTATUS") == "FAILED", 2)
    await emulator.timeline.wait_for(lambda: channel.variables.get("CC112_FALLBACK") == "1", 2)
    emulator.hang_up(call)
    assert call.ended.is_set() and call.abandoned


async def test_fallback_without_the_ami_side_hangs_up_at_the_missing_application(tmp_path: Path):
    """No AMI side: Queue and MixMonitor are not loaded, so like Asterisk (pbx.c "No application")
    the fallback path ends the call at the first of them instead of skipping it."""
    async with Emulator(EmulatorConfig(recordings_dir=tmp_path, with_ami=False)) as emu:
        call = emu.place_call("+6288", "112")
        channel = emu.core.channels[call.inbound_id]
        await asyncio.wait_for(channel.gone.wait(), 2)
        assert channel.variables.get("CC112_FALLBACK") == "1"
        assert channel.app_name != "MixMonitor"  # the missing application never became the step
        await asyncio.wait_for(call.ended.wait(), 2)


async def test_scenario_callers_are_placed_after_their_delay(tmp_path: Path):
    scenario = Scenario(callers=(CallerBehaviour(number="+62890", delay=0.05, patience=0.1),))
    async with Emulator(EmulatorConfig(recordings_dir=tmp_path, scenario=scenario, with_ami=False)) as emu:
        await emu.timeline.wait_for(lambda: bool(emu.calls) and emu.calls[0].ended_at is not None, 3)
        assert emu.calls[0].number == "+62890"


def test_scenario_file_is_read_from_toml(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text('[[seats]]\nid = "seat01"\nactions = ["never", "answer"]\n'
                    '[[callers]]\nnumber = "anonymous"\ndialled = "118"\npatience = 5\n'
                    '[[citizens]]\nnumber = "+62811"\naction = "never"\n')
    scenario = load_scenario(path)
    assert scenario.seats[0].actions == ("never", "answer")
    assert scenario.callers[0].number == "anonymous" and scenario.callers[0].dialled == "118"
    assert scenario.citizens[0].action == "never"


def test_scenario_file_with_unknown_key_names_the_entry(tmp_path: Path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"seats": [{"id": "seat01", "answer_afterr": 1}]}))
    with pytest.raises(ScenarioError, match=r"seats\[0\]: unknown key\(s\) answer_afterr"):
        load_scenario(path)
    path.write_text(json.dumps({"seats": [{"id": "seat01", "actions": ["dance"]}]}))
    with pytest.raises(ScenarioError, match="actions must be among"):
        load_scenario(path)
