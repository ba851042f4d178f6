"""MixMonitor over AMI: ids, r()/t() files, stop semantics, and the WAV files it leaves."""

from __future__ import annotations

import asyncio
import wave

import pytest

from cc112_pbx.emulator.ami_server import AmiServer
from cc112_pbx.emulator.core import Core
from cc112_pbx.emulator.dialplan import Dialplan
from cc112_pbx.emulator.mixmonitor import write_wav
from tests.emulator.conformance.ami_client import AmiTestClient


@pytest.fixture
async def emulator(tmp_path):
    core = Core()
    core.dialplan = Dialplan()
    server = AmiServer(core, "127.0.0.1", 0, "cc112", "cc112secret", recordings_dir=tmp_path / "monitor")
    await server.start()
    client = await AmiTestClient("127.0.0.1", server.port).connect()
    await client.login()
    yield core, server, client
    await client.close()
    await server.stop()
    await core.close()


async def live_channel(core: Core) -> str:
    """A seat call that stays up (seats-sim answers and waits 30 s): its ;1 half's name."""
    result = core.originate("Local/seat01@seats-sim", timeout=5)
    await asyncio.wait_for(result.channel.answered.wait(), 2)
    return result.channel.name


def duration(path) -> float:
    with wave.open(str(path), "rb") as recording:
        assert (recording.getframerate(), recording.getnchannels(), recording.getsampwidth()) == (8000, 1, 2)
        return recording.getnframes() / recording.getframerate()


def test_wav_writer_writes_the_requested_duration_at_8khz_mono(tmp_path):
    write_wav(tmp_path / "sub" / "call.wav", 2.5)
    assert duration(tmp_path / "sub" / "call.wav") == 2.5
    assert not list((tmp_path / "sub").glob(".*.part"))


async def test_relative_file_goes_under_recordings_dir_and_lasts_as_long_as_the_recording(emulator):
    core, server, client = emulator
    name = await live_channel(core)
    started = await client.action("MixMonitor", Channel=name, File="calls/one.wav")
    assert started.pairs == [("Response", "Success"), ("ActionID", started.get("ActionID"))]
    varset = await client.wait_for(lambda m: m.get("Event") == "VarSet" and m.get("Variable") == "MIXMONITOR_FILENAME")
    expected = server.mixmonitor.recordings_dir.resolve() / "calls" / "one.wav"
    assert varset.get("Value") == str(expected)
    await client.wait_for(lambda m: m.get("Event") == "MixMonitorStart" and m.get("Channel") == name)
    await asyncio.sleep(0.6)  # the scenario: 0.6 s of recording
    assert (await client.action("StopMixMonitor", Channel=name)).get("Response") == "Success"
    await client.wait_for(lambda m: m.get("Event") == "MixMonitorStop")
    await server.mixmonitor.wait_written()
    assert 0.5 <= duration(expected) <= 1.5


async def test_mixmonitor_id_option_and_stop_by_id_leave_the_other_recording_running(emulator):
    core, server, client = emulator
    name = await live_channel(core)
    first = await client.action("MixMonitor", Channel=name, File="a.wav", Options="i(MONID)")
    second = await client.action("MixMonitor", Channel=name, File="b.wav", Options="i(MONID)")
    assert first.get("MixMonitorID") and first.get("MixMonitorID") != second.get("MixMonitorID")
    stopped = await client.action("StopMixMonitor", Channel=name, MixMonitorID=second.get("MixMonitorID"))
    assert stopped.get("Response") == "Success"
    channel = core.find_channel_by_name(name)
    assert [r.path.name for r in server.mixmonitor.recordings[channel.id]] == ["a.wav"]
    again = await client.action("StopMixMonitor", Channel=name, MixMonitorID=second.get("MixMonitorID"))
    assert again.get("Message") == "Could not stop monitoring channel"


async def test_receive_and_transmit_files_alone_are_enough_to_record(emulator):
    core, server, client = emulator
    name = await live_channel(core)
    response = await client.action("MixMonitor", Channel=name, Options="r(rx.wav)t(tx.wav)")
    assert response.get("Response") == "Success"
    await client.action("StopMixMonitor", Channel=name)
    await server.mixmonitor.wait_written()
    assert sorted(p.name for p in server.mixmonitor.recordings_dir.iterdir()) == ["rx.wav", "tx.wav"]


async def test_hangup_ends_the_recording_without_a_mixmonitor_stop_event(emulator):
    core, server, client = emulator
    name = await live_channel(core)
    await client.action("MixMonitor", Channel=name, File="hangup.wav")
    core.hangup(core.find_channel_by_name(name).id, 16)
    await client.wait_for(lambda m: m.get("Event") == "Hangup" and m.get("Channel") == name)
    await server.mixmonitor.wait_written()
    assert (server.mixmonitor.recordings_dir / "hangup.wav").exists()
    assert client.events("MixMonitorStop") == []
