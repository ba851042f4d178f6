"""`cc112 watchdog` hands callers orphaned by a SIGKILLed controller to the fallback queue; the next
controller records them.

Four call takers are logged in (members of `cc112-fallback`) but their softphones are not registered
yet, so three callers wait in the controller's Stasis app. The controller is SIGKILLed: Asterisk keeps
the three in the app, where nobody would ever ring a seat for them (ari-14). The watchdog, beside it,
sees no controller on `/healthz` for its `--absent-after` and `continue`s each into
`cc112-inbound,fallback,1`; a fourth citizen calling meanwhile reaches the fallback on its own. The
softphones register: Asterisk's queue rings them and they answer all four. The controller started
again finds the four in the fallback and records them: the three stored calls closed as handed to the
fallback, with their incidents; the unseen one with a new incident.
"""

from __future__ import annotations

import sqlite3

from cc112_pbx.emulator.parties import SeatBehaviour
from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from cc112_pbx.harness import SECRET
from cc112_pbx.services.fallback_reconcile import HANDED_TO_FALLBACK
from tests.reliability.processes import CcProcess, controller_env, free_port, log_in_every_seat, seats_config
from tests.waiting import wait_until

SEATS = 4
ABSENT_AFTER = 1.0


def _calls(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT channel_id, incident_id, ended_at, hangup_cause FROM calls "
                            "WHERE direction = 'inbound' ORDER BY arrived_at").fetchall()


def _incidents(db_path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]


async def test_the_watchdog_moves_orphaned_callers_to_the_fallback_queue_and_the_next_controller_records_them(
        tmp_path):
    config = seats_config(tmp_path / "cc112.toml", SEATS)
    db = tmp_path / "cc112.sqlite3"
    port = free_port()
    async with Emulator(EmulatorConfig(seats=0, ami_secret=SECRET, ari_password=SECRET,
                                       recordings_dir=tmp_path / "rec")) as emu:
        for n in range(1, SEATS + 1):
            emu.add_seat(SeatBehaviour(f"seat{n:02d}", registered=False))
        env = controller_env(tmp_path, emu, http_port=port)
        run = ["run", "--config", str(config)]
        first = await CcProcess.start(tmp_path / "first.log", run, env)
        watchdog = await CcProcess.start(tmp_path / "watchdog.log", [
            "watchdog", "--config", str(config), "--controller-url", f"http://127.0.0.1:{port}",
            "--absent-after", str(ABSENT_AFTER), "--interval", "0.2"], env)
        second = None
        try:
            await first.wait_for_event("ari_events_connected")
            await log_in_every_seat(emu, SEATS)
            held = [emu.place_call(number=f"+62812555500{n}") for n in range(3)]
            await emu.timeline.wait_for(lambda: all(c.answered_at is not None for c in held), timeout=10)
            await wait_until(lambda: len(_calls(db)) == len(held), timeout=10, what="the held calls stored")
            incidents_before = {row[0]: row[1] for row in _calls(db)}
            assert not watchdog.events("orphan_handed_to_fallback"), "the watchdog moved callers of a live controller"
        finally:
            first.kill()
            await first.process.wait()
        await emu.kill_ari_connections("cc112")
        await emu.drop_ami_connections()
        try:
            moved = await watchdog.wait_for_event("orphan_handed_to_fallback", count=len(held), timeout=15)
            assert {line["channel"] for line in moved} == {c.inbound_id for c in held}
            unseen = emu.place_call(number="+628125555009")  # no controller: straight to the fallback
            for n in range(1, SEATS + 1):
                emu.register_seat(f"seat{n:02d}")
            calls = [*held, unseen]
            await emu.timeline.wait_for(lambda: all(c.connected_at is not None for c in calls), timeout=20)
            assert all(c.ended_at is None for c in calls)
            assert {c.seat for c in calls} == {f"seat{n:02d}" for n in range(1, SEATS + 1)}

            second = await CcProcess.start(tmp_path / "second.log", run, env)
            await watchdog.wait_for_event("controller_back", timeout=20)

            async def recorded() -> list[tuple] | None:
                rows = _calls(db)
                return rows if len(rows) == len(calls) and all(row[3] == HANDED_TO_FALLBACK for row in rows) else None

            rows = await wait_until(recorded, timeout=15, what="the four fallback calls recorded and closed")
            by_channel = {row[0]: row for row in rows}
            assert set(by_channel) == {c.inbound_id for c in calls}
            for channel, incident in incidents_before.items():
                assert by_channel[channel][1] == incident, "a held call's incident was not found again"
            assert by_channel[unseen.inbound_id][1] not in incidents_before.values()
            assert _incidents(db) == len(calls)
            assert len(emu.timeline.recordings) == len(calls), "each call recorded once, moved or not"
            assert all(c.ended_at is None for c in calls), "a caller was hung up"
            handed = [line["channel"] for line in watchdog.events("orphan_handed_to_fallback")]
            assert sorted(handed) == sorted(c.inbound_id for c in held), "each orphan handed over exactly once"
        finally:
            for call in emu.calls:
                if call.ended_at is None:
                    emu.hang_up(call)
            if second is not None:
                assert await second.terminate() == 0
            assert await watchdog.terminate() == 0
