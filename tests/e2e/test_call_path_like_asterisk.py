"""The call path as a real Asterisk 22 runs it (issue 12, traces ari-14, ari-15, ami-10, ami-11):

- a channel's playbacks hold its other commands, so prompts must never delay the bridging;
- a softphone that registers is UNAVAILABLE until its first qualify, yet its call taker is ready;
- a controller killed mid-call leaves its callers, bridges and recordings in Asterisk, and the
  next one takes them back without ringing anybody twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from cc112_pbx.emulator.parties import SeatBehaviour
from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from cc112_pbx.harness import SECRET, Switchboard
from tests.waiting import wait_until

GREETING_SECONDS = 3.0  # each prompt: the greeting in two languages plays for 12 s
QUALIFY_AFTER = 12.7  # ami-11: the first qualify answered 12.7 s after the REGISTER


async def test_a_seat_answering_while_the_greeting_plays_is_bridged_at_once(tmp_path):
    async with Switchboard(tmp_path, seats=1, sound_seconds=GREETING_SECONDS, seat_answer_after=0.5) as sb:
        await sb.login_all()
        emu = sb.emulator
        call = emu.place_call(number="+6281233330001", talk_time=0.5)
        await emu.timeline.wait_for(lambda: call.connected_at is not None, timeout=5)
        [leg] = [leg for leg in emu.timeline.seat_legs if leg.seat == "seat01"]
        assert leg.answered_at is not None
        assert call.connected_at - leg.answered_at < 0.2, "the call taker answered into silence"
        # the greeting was still playing when the seat answered: it is the case this test is about
        assert leg.answered_at - call.answered_at < GREETING_SECONDS
        await emu.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        await sb.settled()
        [incident] = await sb.app.db.incidents.recent()
        [row] = [c for c in await sb.app.db.calls.for_incident(incident.id) if c.direction == "inbound"]
        stored_wait = (row.connected_at - row.arrived_at).total_seconds()
        bridged_wait = call.connected_at - call.stasis_at
        assert abs(stored_wait - bridged_wait) < 0.1, "connected_at is the moment both were in the bridge"


async def test_a_softphone_that_registers_and_logs_in_gets_the_waiting_caller_before_its_qualify(tmp_path):
    seat = SeatBehaviour("seat01", registered=False, qualify_delay=QUALIFY_AFTER)
    async with Switchboard(tmp_path, seats=1, seat_behaviours={"seat01": seat}) as sb:
        emu = sb.emulator
        call = emu.place_call(number="+6281233330002", talk_time=0.3)
        await emu.timeline.wait_for(lambda: call.answered_at is not None, timeout=5)
        sb.dial_feature_code("seat01", "*11")  # its INVITE comes before its REGISTER (ami-11)
        await wait_until(lambda: any(s.logged_in for s in sb.controller.acd.snapshot().seats),
                         what="seat01 logged in with *11")
        await emu.timeline.wait_for(lambda: all(leg.ended_at is not None for leg in emu.timeline.seat_legs),
                                    timeout=5)
        registered = asyncio.get_running_loop().time()
        sb.register_seat("seat01")  # UNAVAILABLE until the qualify, 12.7 s from now
        await emu.timeline.wait_for(lambda: call.connected_at is not None, timeout=5)
        rung = next(leg for leg in emu.timeline.seat_legs if leg.bridged_with)
        assert rung.created_at - registered < 1.0
        assert call.seat == "seat01"


def _serve(tmp_path: Path, emu: Emulator, config: Path, log: BinaryIO) -> asyncio.Future:
    env = dict(os.environ, CC112_ASTERISK_ARI_URL=emu.ari_url, CC112_ASTERISK_AMI_PORT=str(emu.ami_port),
               CC112_ASTERISK_ARI_PASSWORD=SECRET, CC112_ASTERISK_AMI_SECRET=SECRET,
               CC112_ASTERISK_RECORDINGS_DIR=str(tmp_path / "rec"),
               CC112_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}")
    return asyncio.create_subprocess_exec(
        sys.executable, "-m", "cc112_pbx", "--log-format", "json", "serve", "--config", str(config),
        env=env, stdout=log, stderr=asyncio.subprocess.STDOUT)


def _events(log: Path, name: str) -> list[dict]:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == name]


def _at(line: dict) -> datetime:
    return datetime.fromisoformat(line["timestamp"])


async def test_a_controller_killed_mid_call_is_replaced_without_ringing_anyone_twice(tmp_path):
    config = tmp_path / "cc112.toml"
    config.write_text("[queue]\nwrapup_time = 0\nring_timeout = 10\n" + "".join(
        f'[[seats]]\nid = "seat0{n}"\nname = "Meja {n}"\ndial_string = "PJSIP/seat0{n}"\n' for n in (1, 2)))
    async with Emulator(EmulatorConfig(seats=2, ami_secret=SECRET, ari_password=SECRET,
                                       recordings_dir=tmp_path / "rec")) as emu:
        first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
        with first_log.open("wb") as out:
            first = await _serve(tmp_path, emu, config, out)
        try:
            await wait_until(lambda: "cc112" in emu.ari.apps.apps, timeout=15, what="the first controller is up")
            for seat in ("seat01", "seat02"):
                emu.dial_feature_code(seat, "*11")
            await wait_until(lambda: len(emu.ami.queues.get("cc112-fallback").members) == 2, timeout=10,
                             what="both seats logged in (the controller put them in the fallback queue)")
            await emu.timeline.wait_for(lambda: all(leg.ended_at for leg in emu.timeline.seat_legs), timeout=5)
            talking = [emu.place_call(number=f"+62812444400{n}", talk_time=60) for n in (1, 2)]
            await emu.timeline.wait_for(lambda: all(c.connected_at for c in talking), timeout=10)
            waiting = []
            for n in (3, 4):  # both seats busy: these two wait, the first one first
                waiting.append(emu.place_call(number=f"+62812444400{n}", talk_time=0.3))
                await emu.timeline.wait_for(lambda w=waiting[-1]: w.answered_at is not None, timeout=5)
            legs_before = {leg.channel_id for leg in emu.timeline.seat_legs}
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()

        with second_log.open("wb") as out:
            second = await _serve(tmp_path, emu, config, out)
        try:
            await wait_until(lambda: len(_events(second_log, "call_resumed")) == 2, timeout=20,
                             what="the new controller took both talking calls back")
            started = _events(second_log, "ari_events_connected")[0]
            resumed = _events(second_log, "call_resumed")
            assert max((_at(r) - _at(started)).total_seconds() for r in resumed) < 2.0
            assert {r["seat"] for r in resumed} == {"seat01", "seat02"}
            assert {leg.channel_id for leg in emu.timeline.seat_legs} == legs_before, "a seat was rung again"
            assert all(c.ended_at is None for c in talking + waiting), "a caller was hung up by the restart"

            emu.hang_up(talking[0])  # its seat is free: the caller who waited longest gets it
            await emu.timeline.wait_for(lambda: waiting[0].connected_at is not None, timeout=5)
            assert waiting[1].connected_at is None and waiting[0].seat == talking[0].seat
            emu.hang_up(talking[1])
            await emu.timeline.wait_for(lambda: waiting[1].connected_at is not None, timeout=5)
            assert waiting[1].seat == talking[1].seat
            rung = [leg for leg in emu.timeline.seat_legs if leg.channel_id not in legs_before]
            assert len(rung) == 2, "each waiting caller rang one seat once"
            # the talking calls kept their recordings: one per call, none started twice
            assert len(emu.timeline.recordings) == 4
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), timeout=15)
