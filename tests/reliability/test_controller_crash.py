"""The controller (`cc112 run`, a separate process) is SIGKILLed with 100 calls in flight and started again.

Ten seats talk to ten callers, ninety wait. The emulator keeps what a real Asterisk keeps when its app's
controller dies (ari-14, ami-10): callers in Stasis, their recordings, the mixing bridges with both legs.
The new controller must take everything back: no call hung up, the ten conversations go on without a
second ring, the ninety waiting callers are then connected in their order of arrival, one incident per
caller in the database, and the re-adoption done within 2 s of its event stream connecting.
"""

from __future__ import annotations

import sqlite3

from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from cc112_pbx.harness import SECRET
from tests.reliability.processes import CcProcess, at, controller_env, log_in_every_seat, seats_config
from tests.waiting import wait_until

SEATS = 10
CALLS = 100
READOPTION_BOUND = 2.0  # seconds, from `ari_events_connected` to the last caller taken back


def _adopted(proc: CcProcess) -> dict[str, dict]:
    """The callers a controller found in the app at its start, by call id (`call_arrived adopted=true`)."""
    return {line["call_id"]: line for line in proc.events("call_arrived") if line.get("adopted")}


def _stored(db_path) -> tuple[list[tuple], int]:
    with sqlite3.connect(db_path) as conn:
        calls = conn.execute("SELECT channel_id, incident_id, ended_at, outcome FROM calls "
                             "WHERE direction = 'inbound'").fetchall()
        incidents = conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
    return calls, incidents


async def test_a_controller_killed_with_100_calls_in_flight_loses_none_and_readopts_them_in_under_2s(tmp_path):
    config = seats_config(tmp_path / "cc112.toml", SEATS)
    async with Emulator(EmulatorConfig(seats=SEATS, ami_secret=SECRET, ari_password=SECRET,
                                       recordings_dir=tmp_path / "rec", sound_seconds=0.3)) as emu:
        env = controller_env(tmp_path, emu)
        first = await CcProcess.start(tmp_path / "first.log", ["run", "--config", str(config), "--no-api"], env)
        second = None
        try:
            await first.wait_for_event("ari_events_connected")
            await log_in_every_seat(emu, SEATS)
            # the seats talk until the caller hangs up; the callers would talk for ten minutes
            calls = [emu.place_call(number=f"+628124{n:06d}", talk_time=600) for n in range(CALLS)]
            await emu.timeline.wait_for(lambda: sum(c.connected_at is not None for c in calls) == SEATS
                                        and all(c.answered_at is not None for c in calls), timeout=30)
            talking = [c for c in calls if c.connected_at is not None]
            waiting = [c for c in calls if c.connected_at is None]
            stored_before_kill = len(_stored(tmp_path / "cc112.sqlite3")[0])  # killed without waiting for the journal
            legs_before = {leg.channel_id for leg in emu.timeline.seat_legs}
        finally:
            first.kill()
            await first.process.wait()
        await emu.kill_ari_connections("cc112")  # the kernel's RST reaches Asterisk: the socket is gone
        await emu.drop_ami_connections()

        try:
            second = await CcProcess.start(tmp_path / "second.log", ["run", "--config", str(config), "--no-api"],
                                           env)
            await second.wait_for_event("call_resumed", count=SEATS)
            await wait_until(lambda: len(_adopted(second)) >= CALLS, timeout=20, what="every caller adopted")
            connected = at(second.events("ari_events_connected")[0])
            adopted = _adopted(second)
            assert len(adopted) == CALLS
            assert sum(bool(line.get("stored_before")) for line in adopted.values()) >= stored_before_kill
            # a talking call is taken back when its `call_resumed` is logged, a waiting one at its `call_arrived`
            taken_back = [at(line) for line in second.events("call_resumed")]
            taken_back += [at(line) for line in adopted.values()]
            readoption = max(taken_back) - connected
            print(f"re-adoption of {len(adopted)} calls ({stored_before_kill} stored before the kill) "
                  f"took {readoption.total_seconds():.3f} s")
            assert readoption.total_seconds() < READOPTION_BOUND
            assert all(c.ended_at is None for c in calls), "a caller was hung up by the restart"
            assert {leg.channel_id for leg in emu.timeline.seat_legs} == legs_before, "a seat was rung again"
            assert {line["seat"] for line in second.events("call_resumed")} == {f"seat{n:02d}" for n in
                                                                                  range(1, SEATS + 1)}

            # from now on a call taker hangs up after a short talk: the queue drains
            for n in range(1, SEATS + 1):
                emu.set_seat(f"seat{n:02d}", talk_time=0.2)
            for call in talking:
                emu.hang_up(call)
            await emu.timeline.wait_for(lambda: all(c.connected_at is not None for c in waiting), timeout=60)
            assert not [c for c in waiting if c.ended_by == "network" and c.connected_at is None]
            # the new controller's ACD offered them to seats in this order (its log is in decision order)
            offered = [line["channel"] for line in second.events("seat_offered")]
            first_offers = sorted({c: offered.index(c) for c in offered}.items(), key=lambda item: item[1])
            order = [emu.timeline.call_by_channel(channel) for channel, _ in first_offers]
            assert [calls.index(c) for c in order] == [calls.index(c) for c in waiting], "not in arrival order"
            await emu.timeline.wait_for(lambda: all(c.ended_at is not None for c in calls), timeout=30)

            async def all_closed() -> bool:
                rows, _ = _stored(tmp_path / "cc112.sqlite3")
                return all(row[2] is not None for row in rows)

            await wait_until(all_closed, timeout=15, what="every call closed in the database")
            rows, incidents = _stored(tmp_path / "cc112.sqlite3")
            channels = [row[0] for row in rows]
            assert sorted(channels) == sorted(c.inbound_id for c in calls), "a call is missing or stored twice"
            assert len({row[1] for row in rows}) == CALLS == incidents, "an incident is missing or duplicated"
            assert {row[3] for row in rows} <= {"answered", "dropped"}
        finally:
            if second is not None:
                assert await second.terminate() == 0
