"""AmiManager over real loopback TCP against a server replaying Asterisk 22.10.1's bytes."""

from __future__ import annotations

import asyncio
import time

import pytest

from cc112_pbx.asterisk import errors as e
from cc112_pbx.asterisk.ami_manager import AmiManager
from cc112_pbx.asterisk.health import LinkState
from cc112_pbx.asterisk.reconnect import ReconnectPolicy
from cc112_pbx.domain import telephony as t
from tests.asterisk.fake_ami import FakeAmi, replay
from tests.asterisk.traces import ami_messages
from tests.waiting import wait_until

Q04 = "ami-04-queue-member-actions.rx.bin"
M07 = "ami-07-mixmonitor-on-stasis-channel.rx.bin"
D08 = "ami-08-device-and-contact-state.rx.bin"
O09 = "ami-09-originate-async-success.rx.bin"
FAST = ReconnectPolicy(min_delay=0.01, max_delay=0.05)


def manager_for(server: FakeAmi, **kw) -> AmiManager:
    kw.setdefault("policy", FAST)
    kw.setdefault("action_timeout", 2.0)
    return AmiManager("127.0.0.1", server.port, "cc112", kw.pop("secret", "cc112secret"), **kw)


async def next_of(manager: AmiManager, kind: type, timeout: float = 2.0):
    """Skip events until one of `kind` arrives."""
    async with asyncio.timeout(timeout):
        async for event in manager:
            if isinstance(event, kind):
                return event
    raise AssertionError("stream ended")


async def test_login_reports_connected_and_waits_for_fully_booted():
    async with FakeAmi() as server, manager_for(server) as ami:
        first = await ami.get(timeout=1)
        assert first == t.ConnectionChanged(at=first.at, link="ami", connected=True)
        assert ami.health.state is LinkState.CONNECTED
        assert ami._booted.is_set()
        assert server.received[0]["events"] == "on"


async def test_queue_add_success_resolves_despite_panoramisk_issue_54_heuristic():
    async with FakeAmi() as server, manager_for(server) as ami:
        server.script("QueueAdd", replay(Q04, "04-queue-member-actions-2"))
        await ami.queue_add("cc112-fallback", "Local/seat03@seats-sim", member_name="Seat 03")
        sent = server.received[-1]
        assert (sent["queue"], sent["interface"], sent["membername"], sent["paused"]) == (
            "cc112-fallback", "Local/seat03@seats-sim", "Seat 03", "false")


async def test_queue_member_errors_become_typed_exceptions():
    async with FakeAmi() as server, manager_for(server) as ami:
        server.script("QueueAdd", replay(Q04, "04-queue-member-actions-3"),
                      replay(Q04, "04-queue-member-actions-4"))
        server.script("QueueRemove", replay(Q04, "04-queue-member-actions-12"))
        server.script("QueuePause", replay(Q04, "04-queue-member-actions-9"))
        with pytest.raises(e.AlreadyMember, match="Already there"):
            await ami.queue_add("cc112-fallback", "Local/seat03@seats-sim")
        with pytest.raises(e.NoSuchQueue):
            await ami.queue_add("no-such-queue", "Local/seat03@seats-sim")
        with pytest.raises(e.NotMember):
            await ami.queue_remove("cc112-fallback", "Local/seat03@seats-sim")
        with pytest.raises(e.InterfaceNotFound):
            await ami.queue_pause("Local/nobody@seats-sim", True, queue="cc112-fallback", reason="break")


async def test_queue_status_lists_members_with_pause_reason():
    async with FakeAmi() as server, manager_for(server) as ami:
        server.script("QueueStatus", replay(Q04, "04-queue-member-actions-6"))
        members = await ami.queue_status("cc112-fallback")
        assert [(m.interface, m.member_name, m.paused, m.paused_reason) for m in members] == [
            ("Local/seat03@seats-sim", "Seat 03", True, "break")]


async def test_pjsip_contacts_no_contacts_found_is_an_empty_list_and_registered_contact_is_listed():
    async with FakeAmi() as server, manager_for(server) as ami:
        server.script("PJSIPShowContacts", replay(D08, "08-device-and-contact-state-2"),
                      replay(D08, "08-device-and-contact-state-6"))
        assert await ami.pjsip_contacts() == []
        contacts = await ami.pjsip_contacts()
        assert [(c.endpoint, c.status) for c in contacts] == [("PJSIP/seat02", "NonQualified")]


async def test_device_state_list_is_read_from_its_items():
    async with FakeAmi() as server, manager_for(server) as ami:
        server.script("DeviceStateList", replay(D08, "08-device-and-contact-state-4"))
        states = {s.device: s.state for s in await ami.device_state_list()}
        assert states["PJSIP/pstn"] is t.DeviceState.UNAVAILABLE
        assert states["Queue:cc112-fallback"] is t.DeviceState.NOT_INUSE


async def test_mixmonitor_start_reports_the_recording_path_and_stop_errors_are_clear():
    async with FakeAmi() as server, manager_for(server) as ami:
        server.script("MixMonitor", replay(M07, "07-mixmonitor-on-stasis-channel-2"))
        server.script("StopMixMonitor", replay(M07, "07-mixmonitor-on-stasis-channel-6"))
        await ami.mix_monitor("Local/112@from-pstn-0000001c;2", "cc112-test-1795938632.wav", options="b")
        assert server.received[-1]["options"] == "b"
        await server.push(_trace_event(M07, b"Variable: MIXMONITOR_FILENAME"))
        started = await next_of(ami, t.RecordingStarted)
        assert started.channel_id == "1795938632.57"
        assert started.path == "/var/spool/asterisk/monitor/cc112-test-1795938632.wav"
        with pytest.raises(e.AmiActionError, match="Could not stop monitoring channel"):
            await ami.stop_mix_monitor("Local/112@from-pstn-0000001c;2")


async def test_async_originate_returns_action_id_matched_by_originate_finished():
    async with FakeAmi() as server, manager_for(server) as ami:
        server.script("Originate", replay(O09, "09-originate-async-success-2"))
        action_id = await ami.originate("Local/112@from-pstn", application="Wait", data="5",
                                        caller_id="Emil <+4930777666>", variables={"CC112": "1"})
        assert server.received[-1]["async"] == "true"
        finished = await next_of(ami, t.OriginateFinished)
        assert finished.action_id == action_id
        assert finished.success and finished.reason == 4 and finished.channel_id == "1795938673.62"


async def change_to(manager: AmiManager, connected: bool) -> t.ConnectionChanged:
    """The next ConnectionChanged that says `connected`."""
    while True:
        event = await next_of(manager, t.ConnectionChanged)
        if event.connected is connected:
            return event


def _trace_event(trace: str, marker: bytes) -> bytes:
    return next(m for m in ami_messages(trace) if marker in m)


# --- startup failures ------------------------------------------------------------------------


async def test_wrong_secret_fails_fast_naming_host_port_and_user():
    async with FakeAmi() as server:
        started = time.monotonic()
        with pytest.raises(e.AsteriskUnavailable) as info:
            await manager_for(server, secret="wrong").start()
        assert str(info.value) == (f"AMI at 127.0.0.1:{server.port} refused login for user cc112: "
                                   "Authentication failed")
        assert time.monotonic() - started < 2


async def test_closed_port_fails_fast_with_one_clear_message():
    server = FakeAmi()
    await server.start()
    port = server.port
    await server.stop()
    with pytest.raises(e.AsteriskUnavailable, match=f"AMI at 127.0.0.1:{port} is unreachable"):
        await AmiManager("127.0.0.1", port, "cc112", "x", connect_timeout=1).start()


async def test_silent_server_times_out_the_login():
    async with FakeAmi() as server:
        server.mute = True
        with pytest.raises(e.AsteriskTimeout, match=r"did not answer Login within 0\.2s"):
            await manager_for(server, connect_timeout=0.2).start()


# --- run time ----------------------------------------------------------------------------------


async def test_action_without_answer_times_out_and_later_actions_still_work():
    async with FakeAmi() as server, manager_for(server, action_timeout=0.2) as ami:
        server.mute = True
        with pytest.raises(e.AsteriskTimeout, match=r"no answer to QueueRemove within 0\.2s"):
            await ami.queue_remove("cc112-fallback", "Local/seat03@seats-sim")
        server.mute = False
        await ami.ping()


async def test_reconnects_and_logs_in_again_after_the_server_drops_the_socket_mid_stream():
    async with FakeAmi() as server, manager_for(server) as ami:
        await server.push(b"Event: DeviceStateChange\r\nDevice: PJSIP/seat01\r\n")  # half a frame...
        await server.drop_clients()  # ...and the socket dies
        lost = await change_to(ami, False)
        assert lost.link == "ami" and lost.detail
        await change_to(ami, True)
        assert ami.health.state is LinkState.CONNECTED
        assert server.logins == 2 and ami.reconnects == 1
        await server.push(b"Event: DeviceStateChange\r\nDevice: PJSIP/seat01\r\nState: INUSE\r\n\r\n")
        changed = await next_of(ami, t.DeviceStateChanged)
        assert (changed.device, changed.state) == ("PJSIP/seat01", t.DeviceState.INUSE)


async def test_reconnects_after_the_server_restarts_on_the_same_port_and_reports_health():
    server = FakeAmi()
    await server.start()
    async with manager_for(server) as ami:
        await server.stop()
        await change_to(ami, False)
        await wait_until(lambda: "unreachable" in ami.health.detail, what="a reconnect attempt was refused")
        snapshot = ami.health.snapshot()
        assert snapshot["state"] == "reconnecting" and snapshot["since"]
        with pytest.raises(e.AsteriskUnavailable, match="not connected"):
            await ami.ping()
        await server.start()
        await change_to(ami, True)
        await ami.ping()
        assert server.logins == 2  # logged in again on the restarted server
    await server.stop()


async def test_action_in_flight_when_the_connection_drops_fails_with_connection_lost():
    async with FakeAmi() as server, manager_for(server, action_timeout=5) as ami:
        server.mute = True
        pending = asyncio.create_task(ami.queue_status())
        await wait_until(lambda: any(h.get("action", "").lower() == "queuestatus" for h in server.received),
                         what="the server received QueueStatus")
        await server.drop_clients()
        with pytest.raises(e.ConnectionLost):
            await pending


async def test_garbage_and_truncated_frames_do_not_break_the_session():
    async with FakeAmi() as server, manager_for(server) as ami:
        await server.push(b"\x00\xff garbage without structure\r\n\r\n")
        await server.push(b"Response: Success\r\nResponse: Error\r\nActionID: nobody\r\n\r\n")
        await server.push(b"Event: DeviceStateChange\r\nDevice: PJSIP/seat02\r\n")  # truncated...
        await wait_until(lambda: ami._protocol.queue and "PJSIP/seat02" in ami._protocol.queue[0],
                         what="the manager read the truncated frame and holds it incomplete")
        await server.push(b"State: RINGING\r\n\r\n")  # ...completed later
        await server.push(b"Event: NoSuchEventEver\r\nFoo: bar\r\n\r\nEvent: ContactStatus\r\n\r\n")
        changed = await next_of(ami, t.DeviceStateChanged)
        assert (changed.device, changed.state) == ("PJSIP/seat02", t.DeviceState.RINGING)
        await ami.ping()
        assert ami.drops.unknown["nosucheventever"] == 1
        assert ami.drops.malformed >= 1  # the ContactStatus without fields
        assert ami.health.state is LinkState.CONNECTED and server.logins == 1


async def test_stop_while_waiting_to_reconnect_leaves_no_task_running():
    before = set(asyncio.all_tasks())
    async with FakeAmi() as server:
        ami = manager_for(server, policy=ReconnectPolicy(min_delay=5, max_delay=5))  # a long back-off
        await ami.start()
        await server.drop_clients()
        await wait_until(lambda: ami.health.state is LinkState.RECONNECTING, what="the manager noticed the drop")
        started = time.monotonic()
        await ami.stop()  # the back-off sleep is cancelled, not waited out
        assert time.monotonic() - started < 1
        await ami.stop()  # idempotent
    leftover = {task for task in asyncio.all_tasks() - before if not task.done()}
    assert leftover == set()


async def test_asterisk_shutdown_event_is_a_lost_connection_and_we_log_in_again():
    async with FakeAmi() as server, manager_for(server) as ami:
        await server.push(b"Event: Shutdown\r\nPrivilege: system,all\r\nShutdown: Cleanly\r\n\r\n")
        lost = await change_to(ami, False)
        assert lost.detail == "Asterisk shut down"
        await change_to(ami, True)
        assert server.logins == 2


async def test_unanswered_ping_marks_the_link_lost_and_reconnects():
    async with FakeAmi() as server, manager_for(server, ping_interval=0.05, action_timeout=0.1) as ami:
        server.mute = True  # a half-open socket: nothing comes back
        lost = await change_to(ami, False)
        assert lost.detail.startswith("ping failed")
        server.mute = False
        await change_to(ami, True)
        assert server.logins == 2


async def test_login_without_fully_booted_still_starts_after_the_boot_timeout():
    async with FakeAmi() as server:
        server.send_fully_booted = False
        started = time.monotonic()
        async with manager_for(server, boot_timeout=0.1) as ami:
            assert time.monotonic() - started >= 0.1
            assert ami.health.state is LinkState.CONNECTED
            await ami.ping()
