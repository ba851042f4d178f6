"""The adapters survive real faults of the emulator (issue #4): over real loopback sockets, the
emulator's side drops the AMI session mid-stream, or the whole emulator restarts on the same ports.

Each test asserts what the rest of the code receives (telephony events, action results, health)
and that nothing keeps running once the adapters have stopped. Waits are event-driven with
generous timeouts (a loaded 2-core machine); no assertion is about timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator

from cc112_pbx.asterisk import AmiManager, AriClient, AriEventStream, ReconnectPolicy
from cc112_pbx.asterisk.health import LinkState
from cc112_pbx.domain import telephony as t
from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from tests.waiting import wait_until

FAST = ReconnectPolicy(min_delay=0.05, max_delay=0.2)
WAIT = 10.0  # generous: an event-driven wait normally ends within milliseconds


async def until(source, kind: type, timeout: float = WAIT, **match):
    """The first event of `kind` whose fields equal `match` (earlier events are skipped)."""
    async with asyncio.timeout(timeout):
        async for event in source:
            if isinstance(event, kind) and all(getattr(event, k) == v for k, v in match.items()):
                return event
    raise AssertionError(f"stream ended before a {kind.__name__} {match}")


async def through(source, kind: type, timeout: float = WAIT, **match) -> list[t.TelephonyEvent]:
    """Every event up to and including the first of `kind` matching `match`."""
    out = []
    async with asyncio.timeout(timeout):
        async for event in source:
            out.append(event)
            if isinstance(event, kind) and all(getattr(event, k) == v for k, v in match.items()):
                return out
    raise AssertionError(f"stream ended before a {kind.__name__} {match}")


async def drain(source, settle: float = 0.3) -> list[t.TelephonyEvent]:
    """What the source still delivers until it stays quiet for `settle` s."""
    out = []
    while True:
        try:
            out.append(await source.get(timeout=settle))
        except TimeoutError:
            return out


def running_tasks_since(before: set[asyncio.Task]) -> set[asyncio.Task]:
    return {task for task in asyncio.all_tasks() - before if not task.done()}


@contextlib.asynccontextmanager
async def emulator_on(seats: int = 2, *, ami_port: int = 0, ari_port: int = 0) -> AsyncIterator[Emulator]:
    emu = Emulator(EmulatorConfig(seats=seats, ami_port=ami_port, ari_port=ari_port))
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


def states(snapshots: list[t.DeviceStateSnapshot]) -> dict[str, t.DeviceState]:
    return {s.device: s.state for s in snapshots}


# --- AMI: the session is dropped mid-stream -----------------------------------------------------


async def test_ami_session_dropped_mid_stream_logs_in_again_then_events_and_queue_actions_work():
    before = set(asyncio.all_tasks())
    async with emulator_on(seats=2) as emu:
        ami = AmiManager("127.0.0.1", emu.ami_port, "cc112", "cc112secret", policy=FAST)
        await ami.start()
        try:
            await until(ami, t.ConnectionChanged, connected=True)
            emu.register_seat("seat02", False)  # mid-stream: events flow before the drop
            await until(ami, t.DeviceStateChanged, device="PJSIP/seat02", state=t.DeviceState.UNAVAILABLE)

            assert await emu.drop_ami_connections() == 1
            changes = [ev for ev in await through(ami, t.ConnectionChanged, connected=True)
                       if isinstance(ev, t.ConnectionChanged)]
            assert [ev.connected for ev in changes] == [False, True]
            assert changes[0].link == "ami" and changes[0].detail
            assert ami.health.state is LinkState.CONNECTED and ami.reconnects == 1
            assert emu.ami.session_count == 1  # logged in again on a new session, the old one is gone

            emu.register_seat("seat01", False)
            gone = await until(ami, t.DeviceStateChanged, device="PJSIP/seat01")
            assert gone.state is t.DeviceState.UNAVAILABLE
            await ami.queue_add("cc112-fallback", "PJSIP/seat02", member_name="Meja 2")
            members = {m.interface: m for m in await ami.queue_status("cc112-fallback")}
            assert members["PJSIP/seat02"].member_name == "Meja 2"
            assert not members["PJSIP/seat02"].paused
        finally:
            await ami.stop()
        assert ami.health.state is LinkState.STOPPED
    assert running_tasks_since(before) == set()


async def test_device_state_changed_while_the_ami_session_was_down_shows_in_the_list_after_reconnect():
    before = set(asyncio.all_tasks())
    async with (emulator_on(seats=2) as emu,
                AmiManager("127.0.0.1", emu.ami_port, "cc112", "cc112secret", policy=FAST) as ami):
        await until(ami, t.ConnectionChanged, connected=True)  # the start's
        assert states(await ami.device_state_list())["PJSIP/seat01"] is t.DeviceState.NOT_INUSE
        await emu.drop_ami_connections()  # returns once the sessions are closed: nobody hears what follows
        emu.register_seat("seat01", False)  # in the gap, before the manager can even notice the drop
        after = await through(ami, t.ConnectionChanged, connected=True)
        assert [ev.connected for ev in after if isinstance(ev, t.ConnectionChanged)] == [False, True]
        assert not any(isinstance(ev, t.DeviceStateChanged) for ev in after)  # nothing replayed
        assert states(await ami.device_state_list())["PJSIP/seat01"] is t.DeviceState.UNAVAILABLE
        assert states(await ami.device_state_list())["PJSIP/seat02"] is t.DeviceState.NOT_INUSE
    assert running_tasks_since(before) == set()


# --- the whole emulator restarts on the same ports ----------------------------------------------


@contextlib.asynccontextmanager
async def adapters_on(emu: Emulator) -> AsyncIterator[tuple[AriClient, AriEventStream, AmiManager]]:
    async with (AriClient(emu.ari_url, "cc112", "cc112secret") as ari,
                AriEventStream(ari, policy=FAST) as stream,
                AmiManager("127.0.0.1", emu.ami_port, "cc112", "cc112secret", policy=FAST) as ami):
        yield ari, stream, ami


async def stop_emulator(emu: Emulator, *, crash: bool) -> None:
    """crash: the servers go silent before the calls end (Asterisk died: nobody hears a hang-up);
    otherwise an orderly stop, which announces every hang-up before it closes the sockets."""
    if crash:
        await emu.ari.stop()
        await emu.ami.stop()
    await emu.stop()


async def after_the_second_it_stopped(stopped_at: float) -> None:
    """Wait for the wall clock to pass the second in which the emulator stopped.

    The emulator stamps every id with its channel's creation second (`<seconds>.<n>`, n from 0
    again after a restart), so a restart within the second of the old run's last channel would
    reuse its ids; Asterisk's ids do not come back. The old run's channels were all created by
    the time it stopped (waiting only past its start-up second was not enough: calls placed in
    the next second collided, seen once in CI)."""
    await wait_until(lambda: time.time() >= int(stopped_at) + 1, timeout=2,
                     what="the wall clock passed the second the old emulator stopped in")


async def restart_under_running_adapters(*, crash: bool) -> tuple[list[t.TelephonyEvent], set[str], str]:
    """Two callers in an emulator, which then stops (`crash` or not) while an AriClient, an
    AriEventStream and an AmiManager run; a new emulator starts on the same ports and a new
    caller arrives. Returns every ARI event from the stop on, the old ids and the new caller's id."""
    before = set(asyncio.all_tasks())
    async with emulator_on(seats=2) as first, adapters_on(first) as (ari, stream, ami):
        old = [first.place_call(number="+6281234567890"), first.place_call(number=None)]
        old_ids = {call.inbound_id for call in old}
        for call in old:
            await until(stream, t.CallEntered, channel_id=call.inbound_id)
        await ari.answer(old[0].inbound_id)
        await ami.queue_add("cc112-fallback", "PJSIP/seat01", member_name="Meja 1")

        ports = {"ami_port": first.ami_port, "ari_port": first.ari_port}
        await stop_emulator(first, crash=crash)
        stopped_at = time.time()
        events = await through(stream, t.ConnectionChanged, connected=False)
        await until(ami, t.ConnectionChanged, connected=False)
        # nothing listens now: both adapters keep retrying, and say so
        assert stream.health.state is LinkState.RECONNECTING
        assert ami.health.state is LinkState.RECONNECTING
        await after_the_second_it_stopped(stopped_at)

        async with emulator_on(seats=2, **ports) as second:
            assert (second.ami_port, second.ari_port) == (ports["ami_port"], ports["ari_port"])
            events += await through(stream, t.StreamResynced)
            await until(ami, t.ConnectionChanged, connected=True)
            assert stream.health.state is LinkState.CONNECTED and stream.reconnects == 1
            assert ami.health.state is LinkState.CONNECTED and ami.reconnects == 1

            fresh = second.place_call(number="+6289876543210")
            assert fresh.inbound_id not in old_ids
            events += await through(stream, t.CallEntered, channel_id=fresh.inbound_id)
            second.hang_up(fresh)
            events += await through(stream, t.CallLeft, channel_id=fresh.inbound_id)
            events += await drain(stream)  # anything late about the old calls would show here

            # the AMI side works against the new emulator: events and actions
            second.register_seat("seat02", False)
            await until(ami, t.DeviceStateChanged, device="PJSIP/seat02", state=t.DeviceState.UNAVAILABLE)
            await ami.queue_add("cc112-fallback", "PJSIP/seat02", member_name="Meja 2")
            members = {m.interface for m in await ami.queue_status("cc112-fallback")}
            assert "PJSIP/seat02" in members
    assert running_tasks_since(before) == set()
    return events, old_ids, fresh.inbound_id


def ended(events: list[t.TelephonyEvent]) -> Counter[str]:
    """How many times each channel was reported ended (left the app or gone)."""
    return Counter(ev.channel_id for ev in events if isinstance(ev, t.CallLeft | t.ChannelGone))


async def test_emulator_crash_and_restart_on_the_same_ports_old_calls_end_once_while_disconnected():
    events, old_ids, fresh_id = await restart_under_running_adapters(crash=True)
    assert ended(events) == Counter({**dict.fromkeys(old_ids, 1), fresh_id: 1})
    gone = [ev for ev in events if isinstance(ev, t.ChannelGone)]
    assert {ev.channel_id for ev in gone} == old_ids and all(ev.while_disconnected for ev in gone)
    down = next(i for i, ev in enumerate(events) if isinstance(ev, t.ConnectionChanged))
    resynced = next(i for i, ev in enumerate(events) if isinstance(ev, t.StreamResynced))
    assert all(down < events.index(ev) < resynced for ev in gone)  # told by the resync, not live
    assert events[resynced].present_channel_ids == frozenset()
    entered = [ev for ev in events if isinstance(ev, t.CallEntered)]
    assert [(ev.channel_id, ev.caller_number, ev.recovered) for ev in entered] == [
        (fresh_id, "+6289876543210", False)]


async def test_emulator_orderly_restart_on_the_same_ports_old_calls_end_once_and_the_resync_adds_nothing():
    events, old_ids, fresh_id = await restart_under_running_adapters(crash=False)
    assert ended(events) == Counter({**dict.fromkeys(old_ids, 1), fresh_id: 1})
    down = next(i for i, ev in enumerate(events) if isinstance(ev, t.ConnectionChanged))
    told_live = {ev.channel_id for ev in events[:down] if isinstance(ev, t.CallLeft | t.ChannelGone)}
    assert told_live == old_ids  # the hang-ups were announced before the sockets closed
    assert not any(isinstance(ev, t.ChannelGone) and ev.while_disconnected for ev in events)
    entered = [ev for ev in events if isinstance(ev, t.CallEntered)]
    assert [ev.channel_id for ev in entered] == [fresh_id]
