"""The fallback queue end to end over real sockets: no cc112 app is connected, so a 112 call
falls back to `Queue(cc112-fallback)`; seats added over AMI are rung, one is bridged with the
caller, and MixMonitor leaves a real WAV file."""

from __future__ import annotations

import asyncio
import wave

import pytest

from cc112_pbx.emulator.ami_server import AmiServer
from cc112_pbx.emulator.core import Core, Endpoint
from cc112_pbx.emulator.dialplan import Dialplan
from tests.emulator.conformance.ami_client import AmiTestClient

QUEUE = "cc112-fallback"


@pytest.fixture
async def emulator(tmp_path):
    core = Core()
    core.dialplan = Dialplan()
    server = AmiServer(core, "127.0.0.1", 0, "cc112", "cc112secret", recordings_dir=tmp_path / "monitor")
    await server.start()
    yield core, server
    await server.stop()
    await core.close()


@pytest.fixture
async def ami(emulator):
    _core, server = emulator
    client = await AmiTestClient("127.0.0.1", server.port).connect()
    response = await client.login()
    assert response.get("Response") == "Success"
    yield client
    await client.close()


def event(name: str, **fields: str):
    return lambda m: m.get("Event") == name and all(m.get(k) == v for k, v in fields.items())


async def place_caller(ami: AmiTestClient, seconds: float, number: str = "+62811") -> None:
    response = await ami.action(
        "Originate",
        Channel="Local/112@cc112-inbound",
        Application="Wait",
        Data=str(seconds),
        CallerID=f"Anna <{number}>",
        Async="true",
    )
    assert response.get("Message") == "Originate successfully queued"


async def test_caller_without_app_is_bridged_with_the_seat_added_over_ami_and_recorded(emulator, ami):
    core, server = emulator
    added = await ami.action("QueueAdd", Queue=QUEUE, Interface="Local/seat01@seats-sim", MemberName="Seat 01")
    assert added.get("Message") == "Added interface to queue"
    await place_caller(ami, 1.0)

    join = await ami.wait_for(event("QueueCallerJoin", Queue=QUEUE))
    called = await ami.wait_for(event("AgentCalled", Interface="Local/seat01@seats-sim"))
    connect = await ami.wait_for(event("AgentConnect", MemberName="Seat 01"))
    assert called.get("Channel") == join.get("Channel") == connect.get("Channel")
    assert join.get("Channel").startswith("Local/112@cc112-inbound-") and join.get("Channel").endswith(";2")
    enters = [
        await ami.wait_for(event("BridgeEnter", Channel=ch))
        for ch in (connect.get("DestChannel"), connect.get("Channel"))
    ]
    assert enters[0].get("BridgeUniqueid") == enters[1].get("BridgeUniqueid")
    assert enters[1].get("BridgeNumChannels") == "2"

    complete = await ami.wait_for(event("AgentComplete", Reason="caller"), timeout=5)
    assert int(complete.get("TalkTime")) <= 2
    await ami.wait_for(event("BridgeDestroy"))
    filename = (await ami.wait_for(event("VarSet", Variable="MIXMONITOR_FILENAME"))).get("Value")
    await server.mixmonitor.wait_written()
    with wave.open(filename, "rb") as recording:
        assert (recording.getframerate(), recording.getnchannels(), recording.getsampwidth()) == (8000, 1, 2)
        seconds = recording.getnframes() / 8000
    # the caller's 1 s: its Answer() waits 500 ms for media (nothing flows from the Wait()ing
    # ;1 half) before MixMonitor starts, so the file holds the last half second or so
    assert 0.3 <= seconds <= 0.8
    assert filename.startswith(str(server.mixmonitor.recordings_dir))
    assert not core.bridges


async def test_ringall_rings_both_seats_and_hangs_up_the_loser_as_answered_elsewhere(emulator, ami):
    for seat in ("seat01", "seat02"):
        await ami.action("QueueAdd", Queue=QUEUE, Interface=f"Local/{seat}@seats-sim", MemberName=seat)
    await place_caller(ami, 1.5)
    connect = await ami.wait_for(event("AgentConnect"))
    await ami.wait_for(event("AgentComplete"), timeout=5)
    called = ami.events("AgentCalled")
    assert sorted(m.get("Interface") for m in called) == ["Local/seat01@seats-sim", "Local/seat02@seats-sim"]
    loser = next(m.get("DestChannel") for m in called if m.get("DestChannel") != connect.get("DestChannel"))
    hangup = await ami.wait_for(event("Hangup", Channel=loser))
    assert (hangup.get("Cause"), hangup.get("Cause-txt")) == ("26", "Answered elsewhere")
    assert ami.events("AgentRingNoAnswer") == []
    ends = {m.get("DestChannel"): m.get("DialStatus") for m in ami.events("DialEnd") if m.get("Channel")}
    assert ends == {connect.get("DestChannel"): "ANSWER", loser: "CANCEL"}


async def test_caller_hanging_up_while_waiting_is_reported_as_abandoned(emulator, ami):
    _core, server = emulator
    await ami.action(
        "QueueAdd",
        Queue=QUEUE,
        Interface="Local/seat01@seats-sim",
        MemberName="Seat 01",
        Paused="true",
        Reason="break",
    )
    await place_caller(ami, 1.1)  # its Answer() waits 500 ms for media before it queues
    join = await ami.wait_for(event("QueueCallerJoin"))
    abandon = await ami.wait_for(event("QueueCallerAbandon", Channel=join.get("Channel")), timeout=5)
    assert (abandon.get("Position"), abandon.get("OriginalPosition")) == ("1", "1")
    leave = await ami.wait_for(event("QueueCallerLeave"))
    assert leave.get("Count") == "0"
    assert ami.events("AgentCalled") == []
    _response, items = await ami.list_action("QueueStatus", "QueueStatusComplete", Queue=QUEUE)
    params = next(m for m in items if m.get("Event") == "QueueParams")
    assert (params.get("Abandoned"), params.get("Calls")) == ("1", "0")
    assert server.queues.get(QUEUE).entries == []


async def test_seat_that_does_not_answer_in_time_gets_ring_no_answer_and_is_rung_again(emulator, ami):
    _core, server = emulator
    queue = server.queues.get(QUEUE)
    queue.timeout, queue.retry = 0.3, 0.1
    await ami.action("QueueAdd", Queue=QUEUE, Interface="Local/slow01@seats-sim", MemberName="Slow")
    await place_caller(ami, 1.2)
    first = await ami.wait_for(event("AgentRingNoAnswer", Interface="Local/slow01@seats-sim"))
    assert first.get("RingTime") == "0"
    await ami.wait_for(event("QueueCallerAbandon"), timeout=5)
    assert len(ami.events("AgentCalled")) >= 2
    assert ami.events("AgentConnect") == []


async def test_unregistered_pjsip_seat_is_not_rung_until_its_phone_registers(emulator, ami):
    core, _server = emulator
    core.add_endpoint(Endpoint("PJSIP", "seat05"))
    await ami.action("QueueAdd", Queue=QUEUE, Interface="PJSIP/seat05", MemberName="Seat 05")
    added = await ami.wait_for(event("QueueMemberAdded", Interface="PJSIP/seat05"))
    assert added.get("Status") == "5"
    core.set_registered("PJSIP/seat05", True, "sip:seat05@127.0.0.1:5090")
    status = await ami.wait_for(event("QueueMemberStatus", Interface="PJSIP/seat05"))
    assert status.get("Status") == "1"
    _response, items = await ami.list_action("QueueSummary", "QueueSummaryComplete", Queue=QUEUE)
    assert (items[0].get("LoggedIn"), items[0].get("Available")) == ("1", "1")


async def test_members_added_over_one_connection_survive_for_later_connections(emulator, ami):
    _core, server = emulator
    await ami.action("QueueAdd", Queue=QUEUE, Interface="Local/seat03@seats-sim", MemberName="Seat 03")
    await ami.close()
    async with AmiTestClient("127.0.0.1", server.port) as other:
        await other.login(events="off")
        _response, items = await other.list_action("QueueStatus", "QueueStatusComplete", Queue=QUEUE)
    members = [m for m in items if m.get("Event") == "QueueMember"]
    assert [(m.get("Location"), m.get("Name"), m.get("Membership")) for m in members] == [
        ("Local/seat03@seats-sim", "Seat 03", "dynamic")
    ]


async def test_callers_are_served_first_come_first_served_when_one_seat_is_free(emulator, ami):
    await ami.action("QueueAdd", Queue=QUEUE, Interface="Local/seat01@seats-sim", MemberName="Seat 01", Paused="true")
    await place_caller(ami, 2.0, number="+62001")
    first = await ami.wait_for(event("QueueCallerJoin", Count="1"))
    await place_caller(ami, 2.0, number="+62002")
    await ami.wait_for(event("QueueCallerJoin", Count="2"))
    await ami.action("QueuePause", Queue=QUEUE, Interface="Local/seat01@seats-sim", Paused="false")
    connect = await ami.wait_for(event("AgentConnect"))
    assert connect.get("Channel") == first.get("Channel")
    assert connect.get("CallerIDNum") == "+62001"
    called = ami.events("AgentCalled")
    assert {m.get("CallerIDNum") for m in called} == {"+62001"}


async def test_waiting_caller_is_rung_as_soon_as_a_seat_is_unpaused(emulator, ami):
    await ami.action("QueueAdd", Queue=QUEUE, Interface="Local/seat01@seats-sim", MemberName="Seat 01", Paused="true")
    await place_caller(ami, 1.5)
    await ami.wait_for(event("QueueCallerJoin"))
    await asyncio.sleep(0.1)  # the scenario: the caller has waited a moment when the seat unpauses
    unpaused_at = asyncio.get_running_loop().time()
    await ami.action("QueuePause", Queue=QUEUE, Interface="Local/seat01@seats-sim", Paused="false")
    await ami.wait_for(event("AgentCalled"), timeout=2)
    assert asyncio.get_running_loop().time() - unpaused_at < 0.3


async def test_whole_emulator_falls_back_to_a_registered_pjsip_seat_added_over_ami(tmp_path):
    from cc112_pbx.emulator.server import Emulator, EmulatorConfig

    async with Emulator(EmulatorConfig(seats=2, recordings_dir=tmp_path)) as emu:
        async with AmiTestClient("127.0.0.1", emu.ami_port) as client:
            await client.login()
            await client.action("QueueAdd", Queue=QUEUE, Interface="PJSIP/seat01", MemberName="seat01")
            emu.place_call(number="+6281234567890", dialled="112", patience=20, talk_time=0.8)
            connect = await client.wait_for(event("AgentConnect", Interface="PJSIP/seat01"), timeout=10)
            assert connect.get("DestChannel").startswith("PJSIP/seat01-")
            assert connect.get("CallerIDNum") == "+6281234567890"
            await client.wait_for(event("AgentComplete"), timeout=10)
            await emu.ami.mixmonitor.wait_written()
    recordings = list(tmp_path.rglob("*.wav"))
    assert len(recordings) == 1
    with wave.open(str(recordings[0]), "rb") as recording:
        assert recording.getframerate() == 8000 and recording.getnframes() > 0
