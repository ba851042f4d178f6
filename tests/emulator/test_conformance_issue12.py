"""Issue 12: the traces recorded with the project's own Asterisk set-up, replayed against the emulator.

- ari-15: a channel's playbacks run on its Stasis control queue: addChannel waits for them
  (part 1), bridge playbacks do not block (part 2), deleted playbacks do not either (part 3).
- ari-14 + ami-10: what a client finds after the controller was SIGKILLed mid-call.
- ami-11: a softphone's `*11` INVITE before its REGISTER, and its device UNAVAILABLE until the
  first qualify answer.

The recording Asterisk had `channelvars` set in ari.conf (the project's CC112_* variables, which
the controller does not read and the emulator does not emulate): they are taken out of the
trace before comparing (`without_channelvars`). Everything else is compared as in
test_ari_conformance.py / test_ami_conformance.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from cc112_pbx.emulator.ami_protocol import AmiMessage
from cc112_pbx.emulator.core import CallerId
from cc112_pbx.emulator.core import events as ev
from cc112_pbx.emulator.parties import SeatBehaviour
from cc112_pbx.emulator.scenario import Scenario
from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from tests.emulator.conformance.ami_client import AmiTestClient
from tests.emulator.conformance.ami_compare import Excuse, compare_streams
from tests.emulator.conformance.ari_replay import AriReplay, load_trace

TRACES = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk-traces"
USER, PASSWORD = "cc112", "cc112secret"


def without_channelvars(value: Any) -> Any:
    """The trace without ari.conf's `channelvars` (see the module docstring), and with the bridge
    technology `native_rtp` (two PJSIP phones exchanging RTP directly) read as the emulator's
    `simple_bridge`: the emulator carries no media."""
    if isinstance(value, dict):
        return {k: without_channelvars(v) for k, v in value.items() if k != "channelvars"}
    if isinstance(value, list):
        return [without_channelvars(v) for v in value]
    return "simple_bridge" if value == "native_rtp" else value


def config(**changes: Any) -> EmulatorConfig:
    base = dict(trunk=None, extra_endpoints=(), ari_user=USER, ari_password=PASSWORD, ami_user=USER,
                ami_secret=PASSWORD)
    return EmulatorConfig(**{**base, **changes})


# ---- ari-15: playbacks block addChannel --------------------------------------------------------------
# Two PJSIP phones bridged switch the bridge to native_rtp (BRIDGEPEER and BRIDGEPVTCALLID set
# again at each reconfiguration) and leave RTP statistics when hung up (RTPAUDIOQOS*): the
# emulator carries no media, and the controller reads none of these.
RTP_MEDIA_VARIABLES = {
    ("cc112", f"ChannelVarset:{name}"): "RTP media and native_rtp bridging are not emulated"
    for name in ("BRIDGEPEER", "BRIDGEPVTCALLID", *(f"RTPAUDIOQOS{kind}{bridged}" for kind in
                                                     ("", "JITTER", "LOSS", "RTT", "MES")
                                                     for bridged in ("", "BRIDGED")))
}
PART1_SOUND = 0.5  # each of part 1's four prompts; parts 2 and 3 play "forever" (stopped or abandoned)


async def test_channel_playbacks_hold_back_add_channel_until_they_have_played(tmp_path: Path):
    records = without_channelvars(load_trace(TRACES / "ari-15-playback-blocks-addchannel.jsonl"))
    # the recording starts at `ws_connected`: its `ws_connect` (app cc112) was not written down
    records.insert(0, {"seq": 0, "t": 0.0, "kind": "ws_connect", "ws": "cc112",
                       "url": f"ws://127.0.0.1:8088/ari/events?app=cc112&api_key={USER}:{PASSWORD}"})
    phones = tuple(SeatBehaviour(f"seat0{n}", actions=("auto",), callerid=f"Meja {n} <seat0{n}>") for n in (1, 2))
    sound = [PART1_SOUND]

    async def long_prompts(replay: AriReplay) -> None:
        sound[0] = 3600.0

    async with Emulator(config(recordings_dir=tmp_path, scenario=Scenario(seats=phones))) as emu:
        assert emu.ari is not None
        emu.ari.media.sound_seconds = lambda media: sound[0]
        replay = AriReplay(emu.ari_url, records, user=USER, password=PASSWORD, sync_timeout=3.0,
                           hooks={96: long_prompts},  # seq 96: the note that starts part 2
                           excused=RTP_MEDIA_VARIABLES)
        await replay.run()
    problems = replay.differences()
    assert not problems, "\n".join(problems)
    # part 1: the 204 comes once the caller's four prompts have played (three of them whole after
    # the request, the first one at least partly): in Asterisk 21.25 s of audio
    assert replay.exchange(28).elapsed >= 3 * PART1_SOUND, replay.exchange(28)
    # part 2: the caller waited in a holding bridge with bridge playbacks: moved at once
    assert replay.exchange(127).elapsed < 2.0, replay.exchange(127)
    # part 3: the caller's channel playbacks were deleted first: joins at once
    assert [replay.exchange(seq).status for seq in (210, 212, 216, 220)] == [204] * 4
    assert replay.exchange(227).elapsed < 2.0, replay.exchange(227)


# ---- ami-11: *11 before REGISTER, UNAVAILABLE until the first qualify --------------------------------
def received_messages(name: str) -> list[AmiMessage]:
    """The messages a bare AMI transcript shows (ami-10, ami-11: blank-line separated, `###` lines
    are headers): ami-11 is the stream received after Login, ami-10 a single connection."""
    text = "\n".join(line for line in (TRACES / name).read_text().splitlines() if not line.startswith("###"))
    return [AmiMessage([tuple(line.split(": ", 1)) if ": " in line else (line.rstrip(":"), "")
                        for line in block.strip("\n").splitlines()]) for block in text.split("\n\n") if block.strip()]


def received_events(name: str) -> list[AmiMessage]:
    return [m for m in received_messages(name) if m.has("Event")]


AMI11_EXCUSES = (
    Excuse("chan:*", "RTCPReceived", "RTCP reports: the emulator carries no media"),
    *(Excuse("chan:*", "VarSet", "RTP statistics at hang-up: the emulator carries no media",
             fields=(("Variable", f"RTPAUDIOQOS{kind}"),)) for kind in ("", "JITTER", "LOSS", "RTT", "MES")),
    Excuse("chan:*", "VarSet", "chan_pjsip's SIPDOMAIN of an incoming INVITE: not emulated, nothing reads it",
           fields=(("Variable", "SIPDOMAIN"),)),
    Excuse("chan:*", "SoftHangupRequest", "ARI's DELETE of a PJSIP channel: Asterisk shows cause 32 (ARI's) "
           "then 16 (the driver's); the emulator one, cause 16, as for the Local channels of ami-06"),
    # the recording Asterisk had run before (persistent members): these devices' cached states
    # were already what the log-in set, so it published no change for them
    Excuse("device:Queue:cc112-fallback_pause_*", "DeviceStateChange", "state cached by earlier runs"),
    Excuse("device:Queue:cc112-fallback_avail", "DeviceStateChange", "state cached by earlier runs",
           fields=(("State", "INUSE"),)),
)


async def test_softphone_dialling_before_registering_stays_unavailable_until_its_first_qualify(tmp_path: Path):
    expected = received_events("ami-11-register-login-qualify.txt")
    phone = SeatBehaviour("seat01", registered=False, qualify_delay=3600.0, busy_at=1, callerid="Meja 1 <seat01>")
    async with Emulator(config(recordings_dir=tmp_path, scenario=Scenario(seats=(phone,)))) as emu:
        core = emu.core
        async with AmiTestClient("127.0.0.1", emu.ami_port) as listener, \
                AmiTestClient("127.0.0.1", emu.ami_port) as controller:
            await listener.login(USER, PASSWORD, events="system,call,dialplan,agent,reporting")
            await controller.login(USER, PASSWORD, events="off")
            core.register_stasis_app("cc112")  # the controller's part: log the seat in, end the call

            async def log_in(channel_id: str) -> None:
                await controller.action("QueueAdd", Queue="cc112-fallback", Interface="PJSIP/seat01",
                                        MemberName="seat01", StateInterface="PJSIP/seat01")
                await controller.action("QueuePause", Queue="cc112-fallback", Interface="PJSIP/seat01",
                                        Paused="false")
                core.hangup(channel_id, 16, origin="api")

            core.subscribe(lambda e: core.spawn(log_in(e.channel_id), name="log-in")
                           if isinstance(e, ev.StasisStart) else None)
            emu.dial_feature_code("seat01", "*11")  # the INVITE, before any REGISTER
            await listener.wait_for(lambda m: m.get("Event") == "QueueMemberStatus" and m.get("Status") == "5")
            before = len(listener.received)
            emu.register_seat("seat01")  # REGISTER: no AMI event, the device stays UNAVAILABLE
            assert core.endpoints["PJSIP/seat01"].device_state == "UNAVAILABLE"
            await controller.action("Ping")
            assert [m.get("Event") for m in listener.received[before:]] == []
            assert emu.qualify_seat("seat01")  # the first qualify answer (12.7 s later in ami-11)
            await listener.wait_for(lambda m: m.get("Device") == "Queue:cc112-fallback_avail")
    actual = [m for m in listener.received if m.has("Event")]
    problems = compare_streams("ami-11", expected, actual, excuses=AMI11_EXCUSES,
                               check_values=("State", "Status", "ContactStatus", "PeerStatus", "Paused",
                                             "Application", "AppData", "CallerIDName", "Cause"))
    assert problems == [], "\n".join(problems)


# ---- ari-14 + ami-10: what a SIGKILLed controller leaves behind ---------------------------------------
class KilledController:
    """The controller's round one as ari-14's note tells it, over real ARI and AMI: three callers
    from the telco trunk answered, recorded (MixMonitor) and given their queued hold prompts; the
    first one offered to seat01, who answered; its addChannel still blocked behind the caller's
    prompts when the process is killed."""

    def __init__(self, emu: Emulator, session: aiohttp.ClientSession, ami: AmiTestClient) -> None:
        self.emu, self.session, self.ami = emu, session, ami
        self.callers: list[str] = []
        self.seat = "cc112-seat-4be2fce2fe704d5ea4e700baed33b9a4"
        self.bridge = "cc112-call-432a920a-0035-4840-905f-e5d0ed8c7dcc"
        self.blocked: asyncio.Task[Any] | None = None

    async def rest(self, method: str, path: str, **query: str) -> Any:
        async with self.session.request(method, f"{self.emu.ari_url}/ari{path}", params=query) as reply:
            assert reply.status < 300, (method, path, reply.status, await reply.text())
            return await reply.json() if reply.content_type == "application/json" else None

    async def take_call(self, channel_id: str, n: int) -> None:
        await self.rest("POST", f"/channels/{channel_id}/answer")
        response = await self.ami.action("MixMonitor", Channel=self.emu.core.channels[channel_id].name,
                                         File=f"/var/spool/asterisk/monitor/cc112/call-{n}.wav")
        assert response.get("Response") == "Success"
        for media in ("sound:cc112/silent-call", "sound:cc112/greeting", "sound:cc112/please-hold"):
            await self.rest("POST", f"/channels/{channel_id}/play", media=media)

    async def offer_first_caller_to_seat01(self) -> None:
        caller = self.callers[0]
        number = self.emu.core.channels[caller].caller.number
        await self.rest("POST", f"/channels/{self.seat}", endpoint="PJSIP/seat01", app="cc112",
                        appArgs="seat,seat01", callerId=f"112 {number} <{number}>")
        await self.rest("POST", f"/bridges/{self.bridge}", type="mixing", name=self.bridge.removeprefix("cc112-"))
        self.blocked = asyncio.create_task(self.rest("POST", f"/bridges/{self.bridge}/addChannel",
                                                     channel=f"{caller},{self.seat}"))


async def test_a_killed_controller_leaves_callers_recordings_and_bridges_to_the_next_client(tmp_path: Path):
    records = without_channelvars(load_trace(TRACES / "ari-14-controller-killed-mid-call.jsonl"))
    records = [r for r in records if r["seq"] not in (28, 29)]  # GET /recordings/live: no such ARI resource
    for record in records:  # the recording client sent its credentials in a header the replay does not
        if record["kind"] == "ws_connect":
            record["url"] += f"&api_key={USER}:{PASSWORD}"
    seats = (SeatBehaviour("seat01", qualify_delay=0.0, busy_at=1, callerid="Meja 1 <seat01>"),
             SeatBehaviour("seat02", registered=False, busy_at=1), SeatBehaviour("seat03", registered=False))
    emu_config = config(recordings_dir=tmp_path, trunk="telco", extra_endpoints=("testcaller", "supervisor"),
                        scenario=Scenario(seats=seats))
    async with Emulator(emu_config) as emu, AmiTestClient("127.0.0.1", emu.ami_port) as ami, \
            aiohttp.ClientSession(headers={"Authorization": aiohttp.encode_basic_auth(USER, PASSWORD)}) as http:
        assert emu.ari is not None
        emu.ari.media.sound_seconds = lambda media: 3600.0  # the prompts outlive the test
        await ami.login(USER, PASSWORD, events="off")
        for seat in ("seat01", "seat02"):  # logged in (dynamic members, as the controller adds them)
            await ami.action("QueueAdd", Queue="cc112-fallback", Interface=f"PJSIP/{seat}", MemberName=seat,
                             StateInterface=f"PJSIP/{seat}")
        controller = KilledController(emu, http, ami)
        ws = await http.ws_connect(f"{emu.ari_url}/ari/events", params={"app": "cc112"})
        for n, number in enumerate(("081400000002", "081400000001", "081400000003")):
            channel = emu.sip_call("telco", "112", "cc112-inbound", CallerId("", number))
            while channel.stasis_app is None:
                await ws.receive_json(timeout=5)
            controller.callers.append(channel.id)
            await controller.take_call(channel.id, n)
        await controller.offer_first_caller_to_seat01()
        seat_channel = emu.core.channels[controller.seat]
        while seat_channel.stasis_app is None or controller.emu.ari.controls.pending(controller.callers[0]) < 2:
            await ws.receive_json(timeout=5)
        assert await emu.kill_ari_connections("cc112") == 1  # SIGKILL
        assert controller.blocked is not None
        controller.blocked.cancel()  # the killed process's request dies with it
        await asyncio.gather(controller.blocked, return_exceptions=True)
        first, second, third = controller.callers
        media = emu.ari.media

        def ends_prompt(channel_id: str):
            async def hook(replay: AriReplay) -> None:  # its current prompt plays to its end
                playing = next(p for p in media.playbacks.values()
                               if p.channel_ids == (channel_id,) and p.state == "playing")
                await media.stop_playback(playing.id)
            return hook

        replay = AriReplay(emu.ari_url, records, user=USER, password=PASSWORD, sync_timeout=3.0,
                           hooks={4: ends_prompt(first), 6: ends_prompt(second)})
        replay.ids.update({"1796524758.2": first, "1796524758.3": second, "1796524760.5": third})
        await replay.run()
        problems = replay.differences()
        assert not problems, "\n".join(problems)
        # the values behind the shapes: who is still there, and how
        app, channels, bridges = (replay.exchange(seq).body for seq in (8, 10, 12))
        assert sorted(app["channel_ids"]) == sorted([*controller.callers, controller.seat])
        assert {c["id"]: c["dialplan"]["app_data"] for c in channels} == {
            first: "cc112,inbound,112", second: "cc112,inbound,112", third: "cc112,inbound,112",
            controller.seat: "cc112,seat,seat01"}
        assert [(b["id"], b["channels"]) for b in bridges] == [(controller.bridge, [])]  # addChannel still blocked
        assert [replay.exchange(seq).status for seq in (16, 18, 20, 22)] == [200, 200, 404, 200]
        endpoints = {e["resource"]: (e["state"], len(e["channel_ids"])) for e in replay.exchange(24).body}
        assert endpoints["seat01"] == ("online", 1) and endpoints["seat02"] == ("offline", 0)
        assert endpoints["telco"][1] == 3

        # ami-10: what AMI lists at the same moment
        _, shown = await ami.list_action("CoreShowChannels", "CoreShowChannelsComplete")
        assert sorted((m.get("Application"), m.get("ApplicationData"), m.get("BridgeId")) for m in shown) == sorted(
            (m.get("Application"), m.get("ApplicationData"), m.get("BridgeId"))
            for m in ami10_items("coreshowchannels", "CoreShowChannel"))
        _, contacts = await ami.list_action("PJSIPShowContacts", "ContactListComplete")
        assert [(m.get("Endpoint"), m.get("Status"), m.get("QualifyFrequency")) for m in contacts] == [
            ("seat01", "Reachable", "30")]  # ami-10's seat02 is registered but Unreachable: see the report
        _, devices = await ami.list_action("DeviceStateList", "DeviceStateListComplete")
        recorded = {m.get("Device"): m.get("State") for m in ami10_items("devicestatelist", "DeviceStateChange")}
        states = {m.get("Device"): m.get("State") for m in devices}
        for device in ("PJSIP/seat01", "PJSIP/seat02", "PJSIP/seat03", "PJSIP/telco", "PJSIP/testcaller",
                       "PJSIP/supervisor", "Queue:cc112-fallback_avail", "Queue:cc112-fallback_pause_PJSIP/seat01"):
            assert states[device] == recorded[device], device
        _, queue = await ami.list_action("QueueStatus", "QueueStatusComplete")
        members = [(m.get("Name"), m.get("Status"), m.get("Paused")) for m in queue if m.get("Event") == "QueueMember"]
        assert members == [(m.get("Name"), m.get("Status"), m.get("Paused"))
                           for m in ami10_items("queuestatus", "QueueMember")]
        # MixMonitor kept recording every caller across the controller's death
        assert all(emu.core.channels[c].variables.get("MIXMONITOR_FILENAME") for c in controller.callers)
        await ws.close()


def ami10_items(action_id: str, event: str) -> list[AmiMessage]:
    """The list items ami-10 received for the action with `action_id`."""
    return [m for m in received_events("ami-10-controller-killed-mid-call.txt")
            if m.get("Event") == event and m.get("ActionID") == action_id]
