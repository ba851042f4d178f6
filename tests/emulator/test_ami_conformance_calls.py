"""Conformance of the traces recorded beside an ARI app (ami-06, ami-07) or a softphone (ami-08).

The other actors of those scenarios are played through the emulator core: `SimulatedApp`
does what the recording's cc112 test app did over ARI (answer, mixing bridge, seat originated
into the app and bridged, DTMF, hang-ups), and a phone registration is `core.set_registered`.
Trace channel names (`Local/112@from-pstn-0000001c;2`) are mapped to the emulator's.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from cc112_pbx.emulator.ami_protocol import AmiMessage
from cc112_pbx.emulator.ami_server import AmiServer
from cc112_pbx.emulator.core import Core, Endpoint
from cc112_pbx.emulator.core import events as ev
from cc112_pbx.emulator.dialplan import Dialplan
from tests.emulator.test_ami_conformance import run, static_members

CHANNEL_NAME = re.compile(r"^(?P<base>.+)-[0-9a-f]{8}(?P<half>;[12])?$")


@pytest.fixture
async def emulator(tmp_path):
    core = Core()
    core.dialplan = Dialplan()
    server = AmiServer(core, "127.0.0.1", 0, "cc112", "cc112secret", recordings_dir=tmp_path / "monitor")
    await server.start()
    yield core, server
    await server.stop()
    await core.close()


class SimulatedApp:
    """The recording's ARI side, through the core: caller simulator `cc112sim` and app `cc112`."""

    def __init__(self, core: Core, *, ring: bool = True, record: bool = False) -> None:
        self.core = core
        self.ring = ring
        self.record = record  # ami-06: the app recorded the bridge (a hidden Recorder participant)
        self.recorder = ""
        self.caller_one = None
        self.caller = None
        self.seat = None
        self.bridge_id = ""
        self.caller_bridged = asyncio.Event()
        self.seat_bridged = asyncio.Event()
        self.seat_talking = asyncio.Event()  # the seat's ;2 half is in its Wait(): the call taker talks
        core.register_stasis_app("cc112")
        core.register_stasis_app("cc112sim")
        core.subscribe(self._on_event)

    def _on_event(self, event: ev.CoreEvent) -> None:
        if isinstance(event, ev.ChannelDialplanStep) and event.app == "Wait":
            if event.snapshot["name"].startswith("Local/seat01@seats-sim-"):
                self.seat_talking.set()
        if not isinstance(event, ev.StasisStart) or event.app != "cc112":
            return
        channel = self.core.get_channel(event.channel_id)
        if event.args[:1] == ("seat",):
            self.seat = channel
            self.core.add_to_bridge(self.bridge_id, channel.id)
            self.seat_bridged.set()
            return
        self.caller = channel
        if self.ring:  # the recording's app rang, then answered in ami-06 (ari-01), not in ami-07
            self.core.ring(channel)
        self.core.answer(channel)
        self.bridge_id = self.core.create_bridge("mixing", "incident-0001").id
        self.core.add_to_bridge(self.bridge_id, channel.id)
        if self.record:
            self.recorder = self.core.add_hidden_participant(self.bridge_id, "Recorder")
        self.caller_bridged.set()

    async def place_caller(self) -> None:
        result = self.core.originate(
            "Local/112@from-pstn",
            app="cc112sim",
            app_args=("caller",),
            caller_id="Anna Caller <+4930123456>",
            timeout=30,
        )
        self.caller_one = result.channel
        await asyncio.wait_for(self.caller_bridged.wait(), 3)

    async def caller_dtmf(self, digits: str) -> None:
        await self.core.send_dtmf(self.caller_one.id, digits, between_ms=20, duration_ms=120)

    async def add_seat(self) -> None:
        self.core.originate(
            "Local/seat01@seats-sim",
            app="cc112",
            app_args=("seat", "seat01"),
            caller_id="CC112 <112>",
            timeout=20,
        )
        await asyncio.wait_for(self.seat_bridged.wait(), 3)

    async def seat_talks(self) -> None:
        """The recording's caller and seat talked for 2 s: the seat's ;2 half was in its Wait()
        before the caller hung up (its dialplan steps come before the hang-up's caller id change)."""
        await asyncio.wait_for(self.seat_talking.wait(), 3)

    async def play_on_bridge(self) -> None:
        """ari-11 / ami-07: `POST /bridges/{id}/play` (a beep): a hidden Announcer joins the
        bridge for the playback, then leaves it."""
        announcer = self.core.add_hidden_participant(self.bridge_id, "Announcer")
        await asyncio.sleep(0.02)  # the scenario: the beep plays for 20 ms
        self.core.remove_hidden_participant(self.bridge_id, announcer)

    async def caller_hangs_up_and_app_cleans_up(self) -> None:
        self.core.hangup(self.caller_one.id, 16, origin="api")
        await asyncio.sleep(0.05)  # the scenario: the recording app reacts 50 ms after the hang-up
        if self.recorder and self.bridge_id in self.core.bridges:  # the recording is stopped
            self.core.remove_hidden_participant(self.bridge_id, self.recorder)
        if self.seat is not None and self.seat.alive:
            self.core.hangup(self.seat.id, 16, origin="api")
        if self.bridge_id in self.core.bridges:
            self.core.destroy_bridge(self.bridge_id)


def map_channel_names(core: Core):
    """Rewrite a trace channel name to the live emulator channel of the same base and half."""

    def rewrite(message: AmiMessage) -> AmiMessage:
        pairs = []
        for key, value in message.pairs:
            match = CHANNEL_NAME.match(value) if key == "Channel" else None
            if match is not None:
                for channel in core.channels.values():
                    mine = CHANNEL_NAME.match(channel.name)
                    if mine and mine.group("base", "half") == match.group("base", "half"):
                        value = channel.name
            pairs.append((key, value))
        return AmiMessage(pairs)

    return rewrite


async def test_ari_call_seen_over_ami_trace_shows_bridge_dtmf_and_dial_events(emulator):
    core, server = emulator
    static_members(server)  # the seat's Local device state moves its queue member status
    app = SimulatedApp(core, record=True)

    async def before_send(index: int, action: AmiMessage, client) -> None:
        if action.get("Action") == "Logoff":
            await app.place_caller()
            await app.caller_dtmf("12#")
            await app.add_seat()
            await app.seat_talks()
            await app.caller_hangs_up_and_app_cleans_up()

    problems = await run(
        "ami-06-listen-during-ari-call",
        server,
        before_send=before_send,
        check_values=("Digit", "BridgeName", "BridgeType"),
    )
    assert problems == [], "\n".join(problems)


async def test_mixmonitor_on_stasis_channel_trace_starts_stops_and_errors_like_asterisk(emulator):
    core, server = emulator
    static_members(server)
    app = SimulatedApp(core, ring=False)

    async def before_send(index: int, action: AmiMessage, client) -> None:
        if index == 1:
            await app.place_caller()
        elif index == 2:
            await app.add_seat()
            await app.caller_dtmf("1")
        elif index == 4:  # between the second MixMonitor and its stop, the app played a beep
            await app.play_on_bridge()
        elif action.get("Action") == "Logoff":
            await app.caller_hangs_up_and_app_cleans_up()

    problems = await run(
        "ami-07-mixmonitor-on-stasis-channel",
        server,
        before_send=before_send,
        rewrite=map_channel_names(core),
    )
    assert problems == [], "\n".join(problems)
    await server.mixmonitor.wait_written()
    written = sorted(p.name for p in server.mixmonitor.recordings_dir.iterdir())
    assert written == [
        "cc112-test-1795938632-b.wav",
        "cc112-test-1795938632-rx.wav",
        "cc112-test-1795938632-tx.wav",
        "cc112-test-1795938632.wav",
    ]


async def test_device_and_contact_state_trace_follows_registration(emulator):
    core, server = emulator
    static_members(server)
    core.add_endpoint(Endpoint("PJSIP", "pstn", always_available=True))
    for seat in ("seat01", "seat02", "seat03"):
        core.add_endpoint(Endpoint("PJSIP", seat))

    async def on_note(entry) -> None:
        if "Expires: 120" in entry.text:
            core.set_registered("PJSIP/seat02", True, "sip:seat02@127.0.0.1:5072")
        elif "Expires: 0" in entry.text:
            core.set_registered("PJSIP/seat02", False)

    problems = await run(
        "ami-08-device-and-contact-state",
        server,
        on_note=on_note,
        check_values=("PeerStatus", "ContactStatus", "URI", "AOR", "ListItems", "Service", "AccountID"),
    )
    assert problems == [], "\n".join(problems)
