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

from pathlib import Path
from typing import Any

from cc112_pbx.emulator.parties import SeatBehaviour
from cc112_pbx.emulator.scenario import Scenario
from cc112_pbx.emulator.server import Emulator, EmulatorConfig
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
