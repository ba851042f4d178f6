"""AMI sessions over TCP: banner, login, permissions, events on/off, ping, logoff, errors, robustness."""

from __future__ import annotations

import asyncio
import time

import pytest

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


@pytest.fixture
async def client(server):
    client = await AmiTestClient("127.0.0.1", server.port).connect()
    yield client
    await client.close()


async def test_banner_is_a_single_line_sent_before_anything_else(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        first = await asyncio.wait_for(reader.readuntil(b"\r\n"), 2)
        assert first == b"Asterisk Call Manager/11.0.0\r\n"
    finally:
        writer.close()
        await writer.wait_closed()


async def test_login_with_events_on_sends_fully_booted_then_successful_auth(client):
    response = await client.login()
    assert [(k, v) for k, v in response.pairs] == [
        ("Response", "Success"),
        ("ActionID", response.get("ActionID")),
        ("Message", "Authentication accepted"),
    ]
    booted = await client.wait_for(lambda m: m.get("Event") == "FullyBooted")
    auth = await client.wait_for(lambda m: m.get("Event") == "SuccessfulAuth")
    assert client.received.index(booted) < client.received.index(auth)
    assert not booted.has("Timestamp") and auth.has("Timestamp")
    assert (auth.get("Service"), auth.get("AccountID")) == ("AMI", "cc112")


async def test_action_before_login_is_permission_denied(client):
    response = await client.action("CoreStatus", ActionID="early-1")
    assert response.pairs == [
        ("Response", "Error"),
        ("ActionID", "early-1"),
        ("Message", "Permission denied"),
    ]


async def test_bad_secret_fails_after_about_a_second_and_closes_the_socket(client):
    started = time.monotonic()
    response = await client.login(secret="wrong")
    assert response.get("Message") == "Authentication failed"
    assert time.monotonic() - started >= 0.9
    await client.wait_closed(2)


async def test_unknown_action_is_answered_with_asterisks_words(client):
    await client.login(events="off")
    response = await client.action("NoSuchAction")
    assert response.get("Response") == "Error"
    assert response.get("Message") == (
        "Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands."
    )


async def test_message_without_action_is_missing_action(client):
    await client.login(events="off")
    client.send_pairs([("ActionID", "no-action"), ("Foo", "bar")])
    response = await client.wait_for(lambda m: m.get("ActionID") == "no-action")
    assert response.get("Message") == "Missing action in request"


async def test_ping_answers_pong_with_timestamp_and_echoes_action_id(client):
    await client.login(events="off")
    response = await client.action("Ping", ActionID="ping-7")
    assert response.get("ActionID") == "ping-7" and response.get("Ping") == "Pong"
    assert abs(float(response.get("Timestamp")) - time.time()) < 5


async def test_events_off_at_login_then_events_action_turns_them_on(server, client):
    await client.login(events="off")
    server.queues.add_member("cc112-fallback", "Local/seat09@seats-sim", "Seat 09")
    await client.action("Ping")
    assert client.events("QueueMemberAdded") == []
    response = await client.action("Events", EventMask="on")
    assert response.get("Events") == "On"
    server.queues.set_paused("cc112-fallback", "Local/seat09@seats-sim", True, "lunch")
    paused = await client.wait_for(lambda m: m.get("Event") == "QueueMemberPause")
    assert (paused.get("Paused"), paused.get("PausedReason")) == ("1", "lunch")
    assert (await client.action("Events", EventMask="off")).get("Events") == "Off"


async def test_logoff_says_goodbye_and_the_server_closes(client):
    await client.login(events="off")
    response = await client.action("Logoff")
    assert (response.get("Response"), response.get("Message")) == ("Goodbye", "Thanks for all the fish.")
    await client.wait_closed(2)


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("QueueAdd", {"Interface": "Local/x@y"}, "'Queue' not specified."),
        ("QueueAdd", {"Queue": "cc112-fallback"}, "'Interface' not specified."),
        ("QueueRemove", {"Queue": "cc112-fallback"}, "Need 'Queue' and 'Interface' parameters."),
        ("QueuePause", {"Interface": "Local/x@y"}, "Need 'Interface' and 'Paused' parameters."),
        ("QueuePause", {"Interface": "Local/x@y", "Paused": "true"}, "Interface not found"),
        ("Originate", {}, "Channel not specified"),
        ("Originate", {"Channel": "nodriver", "Application": "Wait"}, "Invalid channel"),
        ("Originate", {"Channel": "Local/1@x", "Timeout": "soon"}, "Invalid timeout"),
        ("Originate", {"Channel": "Local/1@x", "Priority": "first"}, "Invalid priority"),
        (
            "Originate",
            {"Channel": "Local/1@x", "Exten": "112"},
            "Originate with 'Exten' requires 'Context' and 'Priority'",
        ),
        (
            "Originate",
            {"Channel": "Local/1@x", "Context": "seats-sim", "Exten": "nobody", "Priority": "1"},
            "Extension does not exist.",
        ),
        ("Hangup", {}, "No channel specified"),
        ("Hangup", {"Channel": "/[unclosed/"}, "Regex compile failed on: /[unclosed/"),
        ("Setvar", {"Channel": "PJSIP/x-00000001"}, "No variable specified"),
        ("Getvar", {"Channel": "PJSIP/x-00000001", "Variable": "X"}, "No such channel"),
        ("Hangup", {"Channel": "PJSIP/none-00000001"}, "No such channel"),
        ("MixMonitor", {}, "No channel specified"),
        ("MixMonitor", {"Channel": "Local/nosuch@from-pstn-00000000;2", "File": "x.wav"}, "No such channel"),
        ("StopMixMonitor", {"Channel": "Local/nosuch@from-pstn-00000000;2"}, "No such channel"),
        ("Command", {}, "No command provided"),
        ("PJSIPShowContacts", {}, "No Contacts found"),
    ],
)
async def test_missing_or_bad_parameters_are_worded_as_asterisk_words_them(client, action, fields, message):
    await client.login(events="off")
    response = await client.action(action, **fields)
    assert (response.get("Response"), response.get("Message")) == ("Error", message)


async def test_sync_originate_to_a_missing_extension_fails(client):
    await client.login(events="off")
    response = await client.action(
        "Originate", Channel="Local/nonexistent@seats-sim", Application="Wait", Data="1", Timeout="2000"
    )
    assert (response.get("Response"), response.get("Message")) == ("Error", "Originate failed")


async def test_async_originate_to_a_busy_seat_reports_failure_reason_5(client):
    await client.login()
    response = await client.action(
        "Originate",
        Channel="Local/busy@seats-sim",
        Application="Wait",
        Data="1",
        Async="true",
        ActionID="busy-1",
    )
    assert response.get("Message") == "Originate successfully queued"
    result = await client.wait_for(lambda m: m.get("Event") == "OriginateResponse")
    assert [(k, v) for k, v in result.pairs if k not in ("Privilege", "Timestamp")] == [
        ("Event", "OriginateResponse"),
        ("ActionID", "busy-1"),
        ("Response", "Failure"),
        ("Channel", "Local/busy@seats-sim"),
        ("Application", "Wait"),
        ("Data", "1"),
        ("Reason", "5"),
        ("Uniqueid", "<unknown>"),
        ("CallerIDNum", "<unknown>"),
        ("CallerIDName", "<unknown>"),
    ]


async def test_no_contacts_error_carries_asterisks_stray_line_feed_byte_for_byte(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        await reader.readuntil(b"\r\n")
        writer.write(b"Action: Login\r\nUsername: cc112\r\nSecret: cc112secret\r\nEvents: off\r\n\r\n")
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"Action: PJSIPShowContacts\r\nActionID: c1\r\n\r\n")
        answer = await asyncio.wait_for(reader.readuntil(b"\n\r\n\r\n"), 2)
        assert answer == b"Response: Error\r\nActionID: c1\r\nMessage: No Contacts found\n\r\n\r\n"
    finally:
        writer.close()
        await writer.wait_closed()


async def test_hangup_by_regex_lists_every_channel_it_hung_up(server, client):
    await client.login(events="off")
    core = server.core
    for _ in range(2):
        core.originate("Local/seat01@seats-sim", timeout=5)
    await wait_until(lambda: len([c for c in core.channels.values() if "seat01" in c.name]) == 4,
                     what="both Local pairs exist")
    response, items = await client.list_action("Hangup", "ChannelsHungupListComplete", Channel="/seat01/")
    assert response.get("Message") == "Channels hung up will follow"
    assert len(items) == 4 and all(m.get("Event") == "ChannelHungup" for m in items)
    assert [c for c in core.channels.values() if "seat01" in c.name] == []


async def test_setvar_then_getvar_on_a_live_channel(server, client):
    await client.login(events="off")
    result = server.core.originate("Local/seat01@seats-sim", timeout=5)
    name = result.channel.name
    assert (await client.action("Setvar", Channel=name, Variable="CC112_INCIDENT", Value="42")).get(
        "Message"
    ) == "Variable Set"
    answer = await client.action("Getvar", Channel=name, Variable="CC112_INCIDENT")
    assert (answer.get("Variable"), answer.get("Value")) == ("CC112_INCIDENT", "42")


async def test_event_mask_limits_events_to_the_chosen_classes(server, client):
    await client.login(events="agent")
    assert client.events("FullyBooted") == []
    server.queues.add_member("cc112-fallback", "Local/seat08@seats-sim", "Seat 08")
    server.publish("DeviceStateChange", "call,all", [("Device", "PJSIP/x"), ("State", "INUSE")])
    await client.wait_for(lambda m: m.get("Event") == "QueueMemberAdded")
    await client.action("Ping")
    assert client.events("DeviceStateChange") == []


async def test_core_show_channels_lists_live_channels_with_asterisks_fields(server, client):
    await client.login(events="off")
    result = server.core.originate("Local/seat01@seats-sim", timeout=5)
    await asyncio.wait_for(result.channel.answered.wait(), 2)
    response, items = await client.list_action("CoreShowChannels", "CoreShowChannelsComplete")
    assert response.get("Message") == "Channels will follow"
    names = sorted(m.get("Channel") for m in items)
    assert names == [result.channel.name, result.channel.name[:-1] + "2"]
    assert set(items[0].keys()) == {
        "Event",
        "ActionID",
        "Channel",
        "ChannelState",
        "ChannelStateDesc",
        "CallerIDNum",
        "CallerIDName",
        "ConnectedLineNum",
        "ConnectedLineName",
        "Language",
        "AccountCode",
        "Context",
        "Exten",
        "Priority",
        "Uniqueid",
        "Linkedid",
        "BridgeId",
        "Application",
        "ApplicationData",
        "Duration",
    }
    complete = await client.wait_for(lambda m: m.get("Event") == "CoreShowChannelsComplete")
    assert (complete.get("EventList"), complete.get("ListItems")) == ("Complete", "2")
