"""The adapters against the project's Asterisk emulator (real ARI HTTP/WebSocket and AMI TCP)."""

from __future__ import annotations

import asyncio

import pytest

from cc112_pbx.asterisk import AmiManager, AriClient, AriEventStream, ReconnectPolicy
from cc112_pbx.asterisk import errors as e
from cc112_pbx.domain import telephony as t
from cc112_pbx.emulator import server as emulator  # a broken emulator fails these tests, never skips them

GAP = ReconnectPolicy(min_delay=0.3, max_delay=0.5)  # long enough to hang a caller up in the gap


async def until(source, kind: type, timeout: float = 3.0, **match):
    async with asyncio.timeout(timeout):
        async for event in source:
            if isinstance(event, kind) and all(getattr(event, k) == v for k, v in match.items()):
                return event
    raise AssertionError("stream ended")


async def quiet(source, settle: float = 0.3) -> list[t.TelephonyEvent]:
    out = []
    while True:
        try:
            out.append(await source.get(timeout=settle))
        except TimeoutError:
            return out


async def through(source, kind: type, timeout: float = 3.0) -> list[t.TelephonyEvent]:
    """Every event up to and including the first of `kind`."""
    out = []
    async with asyncio.timeout(timeout):
        async for event in source:
            out.append(event)
            if isinstance(event, kind):
                return out
    raise AssertionError("stream ended")


async def drop_event_sockets(emu) -> None:
    """The emulator's side closes every ARI WebSocket (as a restarting proxy or Asterisk would)."""
    await emu.drop_ari_connections()


async def test_caller_hanging_up_while_the_websocket_is_down_is_reported_gone_exactly_once():
    async with (emulator.Emulator(emulator.EmulatorConfig(seats=1)) as emu,
                AriClient(emu.ari_url, "cc112", "cc112secret") as ari,
                AriEventStream(ari, policy=GAP) as stream):
        leaving = emu.place_call(number="+6281234567890")
        staying = emu.place_call(number=None)
        first = await until(stream, t.CallEntered, channel_id=leaving.inbound_id)
        assert (first.args, first.dialled) == (("inbound", "112"), "112")
        assert first.caller_number == "+6281234567890"
        second = await until(stream, t.CallEntered, channel_id=staying.inbound_id)
        assert second.caller_number is None  # SIM-less phone: no number at all
        await ari.answer(leaving.inbound_id)

        await drop_event_sockets(emu)
        emu.hang_up(leaving)  # during the gap: Asterisk would never tell
        events = await through(stream, t.StreamResynced)
        assert [ev.connected for ev in events if isinstance(ev, t.ConnectionChanged)] == [False, True]
        gone = [ev for ev in events if isinstance(ev, t.ChannelGone | t.CallLeft)]
        assert [(type(ev), ev.channel_id) for ev in gone] == [(t.ChannelGone, leaving.inbound_id)]
        assert gone[0].while_disconnected
        resynced = next(ev for ev in events if isinstance(ev, t.StreamResynced))
        assert resynced.present_channel_ids == frozenset({staying.inbound_id})

        await drop_event_sockets(emu)
        again = await through(stream, t.StreamResynced)
        assert not any(isinstance(ev, t.ChannelGone) for ev in again)
        assert next(ev for ev in again if isinstance(ev, t.StreamResynced)).present_channel_ids == frozenset(
            {staying.inbound_id})
        emu.hang_up(staying)
        left = await until(stream, t.CallLeft)
        assert left.channel_id == staying.inbound_id


async def test_mixmonitor_over_ami_on_a_caller_in_stasis_reports_the_file():
    async with (emulator.Emulator(emulator.EmulatorConfig(seats=1)) as emu,
                AriClient(emu.ari_url, "cc112", "cc112secret") as ari,
                AriEventStream(ari, policy=GAP) as stream,
                AmiManager("127.0.0.1", emu.ami_port, "cc112", "cc112secret") as ami):
        call = emu.place_call()
        entered = await until(stream, t.CallEntered)
        await ari.answer(entered.channel_id)
        await ami.mix_monitor(entered.channel_name, "cc112-test-1.wav", options="b")
        started = await until(ami, t.RecordingStarted)
        assert started.channel_id == call.inbound_id
        assert started.path and started.path.endswith("cc112-test-1.wav")
        await ami.stop_mix_monitor(entered.channel_name)
        assert (await until(ami, t.RecordingStopped)).channel_id == call.inbound_id
        with pytest.raises(e.AmiActionError):
            await ami.stop_mix_monitor(entered.channel_name)


async def test_ami_reconnects_after_a_restart_on_the_same_port_and_queue_members_survive():
    fast = ReconnectPolicy(min_delay=0.02, max_delay=0.1)
    async with (emulator.Emulator(emulator.EmulatorConfig(seats=2)) as emu,
                AmiManager("127.0.0.1", emu.ami_port, "cc112", "cc112secret", policy=fast) as ami):
        await ami.queue_add("cc112-fallback", "PJSIP/seat01", member_name="Meja 1")
        with pytest.raises(e.AlreadyMember):
            await ami.queue_add("cc112-fallback", "PJSIP/seat01", member_name="Meja 1")
        await ami.queue_pause("PJSIP/seat01", True, queue="cc112-fallback", reason="istirahat")
        await emu.ami.stop()
        await until(ami, t.ConnectionChanged, connected=False)
        assert ami.health.snapshot()["state"] == "reconnecting"
        await emu.ami.start()
        await until(ami, t.ConnectionChanged, connected=True)
        members = {m.interface: m for m in await ami.queue_status("cc112-fallback")}
        assert members["PJSIP/seat01"].paused and members["PJSIP/seat01"].paused_reason == "istirahat"
        await ami.queue_remove("cc112-fallback", "PJSIP/seat01")
        with pytest.raises(e.NotMember):
            await ami.queue_remove("cc112-fallback", "PJSIP/seat01")
