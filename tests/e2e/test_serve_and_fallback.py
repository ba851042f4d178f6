"""The production entry point (`cc112 serve`) and the dialplan fallback when the controller is gone."""

import asyncio
import os
import signal
import sys

from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from cc112_pbx.harness import SECRET, Switchboard
from tests.waiting import wait_until

FALLBACK_QUEUE = "cc112-fallback"


def _in_fallback_queue_and_idle(emu: Emulator, interface: str) -> bool:
    """The controller put `interface` into Asterisk's fallback queue, and no softphone is still
    in a call (the feature-code call that logged the seat in has ended)."""
    members = emu.ami.queues.get(FALLBACK_QUEUE).members
    return interface in members and all(leg.ended_at is not None for leg in emu.timeline.seat_legs)


async def test_cc112_serve_answers_a_call_and_stops_cleanly_on_sigterm(tmp_path):
    config = tmp_path / "cc112.toml"
    config.write_text('[[seats]]\nid = "seat01"\nname = "Meja 1"\ndial_string = "PJSIP/seat01"\n')
    async with Emulator(EmulatorConfig(seats=1, ami_secret=SECRET, ari_password=SECRET,
                                       recordings_dir=tmp_path / "rec")) as emu:
        env = dict(os.environ, CC112_ASTERISK_ARI_URL=emu.ari_url, CC112_ASTERISK_AMI_PORT=str(emu.ami_port),
                   CC112_ASTERISK_ARI_PASSWORD=SECRET, CC112_ASTERISK_AMI_SECRET=SECRET,
                   CC112_ASTERISK_RECORDINGS_DIR=str(tmp_path / "rec"),
                   CC112_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cc112_pbx", "--log-format", "json", "serve", "--config", str(config),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            await wait_until(lambda: "cc112" in emu.ari.apps.apps, timeout=15,
                             what="the controller registered its Stasis app")
            emu.core.spawn(_login(emu), name="login")  # the seat dials *11 from its softphone
            await emu.timeline.wait_for(lambda: len(emu.timeline.seat_legs) >= 1, timeout=5)
            await wait_until(lambda: _in_fallback_queue_and_idle(emu, "PJSIP/seat01"),
                             what="the controller logged seat01 in (QueueAdd) and its *11 call ended")
            call = emu.place_call(number="+6281299990000", talk_time=0.5)
            await emu.timeline.wait_for(lambda: call.connected_at is not None, timeout=10)
            assert call.seat == "seat01"
        finally:
            proc.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(proc.communicate(), timeout=15)
        assert proc.returncode == 0, output.decode()[-2000:]
        assert b"controller_stopped" in output


async def _login(emu):
    from cc112_pbx.emulator.core.model import CallerId
    from cc112_pbx.emulator.parties import sip_call

    sip_call(emu.core, "seat01", "*11", "cc112-seats", CallerId("seat01", "seat01"))


async def test_when_the_controller_is_gone_a_caller_still_rings_the_logged_in_seats(tmp_path):
    async with Switchboard(tmp_path, seats=2) as sb:
        sb.dial_feature_code("seat02", "*11")  # only seat02 is logged in
        acd = sb.controller.acd
        await sb.emulator.timeline.wait_for(lambda: any(s.logged_in for s in acd.snapshot().seats), timeout=5)
        await wait_until(lambda: _in_fallback_queue_and_idle(sb.emulator, "PJSIP/seat02"),
                         what="QueueAdd put seat02 into Asterisk's fallback queue and its *11 call ended")
        await sb.stop_controller()  # the controller dies: its Stasis app is gone
        call = sb.emulator.place_call(number="+6281211112222", talk_time=0.5)
        await sb.emulator.timeline.wait_for(lambda: call.connected_at is not None, timeout=10)
        assert call.seat == "seat02"  # the fallback queue rang the seat the controller had synced
        await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        assert any(p.endswith(".wav") for p in sb.emulator.timeline.recordings) or list(
            sb.recordings_dir.glob("*.wav"))
