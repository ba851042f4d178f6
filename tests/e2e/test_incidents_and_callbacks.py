"""Incidents per the SOP and callbacks when a line drops (issue 13), through the emulator.

Abandoned and dropped callers with a number are called back agent first: a seat rings first,
then the citizen is dialled through the trunk, recorded, and linked to the same incident.
"""

from __future__ import annotations

import asyncio

import pytest

from cc112_pbx.domain.incident_status import IllegalTransition
from cc112_pbx.emulator.parties import CitizenBehaviour
from cc112_pbx.harness import Switchboard
from cc112_pbx.services.sessions import CallKind
from tests.waiting import wait_until

FAST_CALLBACKS = {"enabled": True, "first_delay": 0, "retry_interval": 1, "ring_timeout": 2, "max_attempts": 2}
NO_GHOSTS = {"ghost_call_threshold": 0}  # these callers give up quickly: not pocket dials


async def _incident_of(sb: Switchboard, channel_id: str):
    for incident in await sb.app.db.incidents.recent(limit=100):
        for call in await sb.app.db.calls.for_incident(incident.id):
            if call.channel_id == channel_id:
                return incident
    return None


async def _callbacks(sb: Switchboard, incident_id: int):
    return await sb.app.db.callbacks.for_incident(incident_id)


async def test_an_abandoned_caller_is_called_back_agent_first_recorded_and_linked(tmp_path):
    async with Switchboard(tmp_path, seats=1, callback=FAST_CALLBACKS, incident=NO_GHOSTS) as sb:
        emu = sb.emulator
        emu.trunk.citizens["+6281255550001"] = CitizenBehaviour("+6281255550001", talk_time=0.5)
        call = emu.place_call(number="+6281255550001", patience=0.5)  # nobody logged in: gives up
        await emu.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        assert call.connected_at is None
        await sb.login_all()  # a call taker arrives: the callback rings them first
        await emu.timeline.wait_for(lambda: emu.timeline.trunk_legs and emu.timeline.trunk_legs[0].ended_at,
                                    timeout=10)
        [seat_leg] = emu.timeline.seat_legs[-1:]
        [trunk_leg] = emu.timeline.trunk_legs
        assert seat_leg.answered_at < trunk_leg.created_at  # agent first
        assert trunk_leg.answered_at is not None and trunk_leg.number == "+6281255550001"
        await sb.settled()
        incident = await _incident_of(sb, call.inbound_id)
        [callback] = await _callbacks(sb, incident.id)
        assert (callback.status, callback.reason, callback.attempts) == ("done", "abandoned", 1)
        [attempt] = await sb.app.db.callbacks.attempts(callback.id)
        assert attempt.outcome == "connected" and attempt.seat_id == "seat01"
        legs = {c.direction: c for c in await sb.app.db.calls.for_incident(incident.id)}
        assert legs["inbound"].outcome == "abandoned" and legs["callback"].outcome == "answered"
        [recording] = await sb.app.db.recordings.for_call(legs["callback"].id)
        assert recording.path in emu.timeline.recordings and recording.seat_id == "seat01"
        kinds = [e.kind for e in await sb.app.db.timeline.for_incident(incident.id)]
        assert kinds.index("arrived") < kinds.index("hung_up") < kinds.index("callback_scheduled")
        assert kinds.index("callback_attempt") < kinds.index("callback_outcome")


async def test_a_line_dropped_mid_call_is_called_back_by_the_same_seat_when_it_is_free(tmp_path):
    # no wrap-up: both seats are free when the callback is due; seat02 has waited longer for a call
    async with Switchboard(tmp_path, seats=2, callback=FAST_CALLBACKS, queue={"wrapup_time": 0}) as sb:
        emu = sb.emulator
        emu.trunk.citizens["+6281255550002"] = CitizenBehaviour("+6281255550002", talk_time=0.5)
        await sb.login_all()
        call = emu.place_call(number="+6281255550002", talk_time=1.0)  # the line drops mid-report
        await emu.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        first_seat = call.seat
        await emu.timeline.wait_for(lambda: emu.timeline.trunk_legs and emu.timeline.trunk_legs[0].answered_at,
                                    timeout=10)
        callback_leg = emu.timeline.seat_legs[-1]
        assert callback_leg.seat == first_seat  # the call taker who knows the case
        await emu.timeline.wait_for(lambda: emu.timeline.trunk_legs[0].ended_at is not None, timeout=5)
        await sb.settled()
        incident = await _incident_of(sb, call.inbound_id)
        [callback] = await _callbacks(sb, incident.id)
        assert (callback.reason, callback.status) == ("dropped", "done")
        inbound = [c for c in await sb.app.db.calls.for_incident(incident.id) if c.direction == "inbound"]
        assert inbound[0].outcome == "dropped" and inbound[0].hung_up_by == "caller"


@pytest.mark.parametrize("answer", ["busy", "never"])
async def test_busy_and_unanswered_callbacks_are_retried_per_policy_and_stop_at_the_maximum(tmp_path, answer):
    async with Switchboard(tmp_path, seats=1, callback=FAST_CALLBACKS, incident=NO_GHOSTS) as sb:
        emu = sb.emulator
        emu.trunk.citizens["+6281255550003"] = CitizenBehaviour("+6281255550003", action=answer)
        call = emu.place_call(number="+6281255550003", patience=0.3)
        await emu.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        await sb.login_all()
        incident = None

        async def exhausted() -> bool:
            nonlocal incident
            await sb.app.journal.flush(timeout=5)
            incident = incident or await _incident_of(sb, call.inbound_id)
            return bool(incident) and [c.status for c in await _callbacks(sb, incident.id)] == ["exhausted"]

        await wait_until(exhausted, timeout=20, what="the callback was tried twice and gave up")
        [callback] = await _callbacks(sb, incident.id)
        outcomes = [a.outcome for a in await sb.app.db.callbacks.attempts(callback.id)]
        assert outcomes == [{"busy": "busy", "never": "no_answer"}[answer]] * 2
        assert len(emu.timeline.trunk_legs) == 2  # max_attempts: no third dial


async def test_a_sim_less_caller_gets_no_callback_and_is_on_the_supervisor_list(tmp_path):
    async with Switchboard(tmp_path, seats=1, callback=FAST_CALLBACKS, incident=NO_GHOSTS) as sb:
        emu = sb.emulator
        call = emu.place_call(number=None, patience=0.5)
        await emu.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        await sb.login_all()
        await sb.settled()
        incident = await _incident_of(sb, call.inbound_id)
        listed = await sb.app.db.callbacks.no_callback_list()
        assert [c.incident_id for c in listed] == [incident.id]
        assert listed[0].status == "supervisor" and emu.timeline.trunk_legs == []


async def test_a_caller_who_calls_again_joins_the_incident_and_the_pending_callback_is_cancelled(tmp_path):
    slow = dict(FAST_CALLBACKS, first_delay=60)
    async with Switchboard(tmp_path, seats=1, callback=slow, incident=NO_GHOSTS) as sb:
        emu = sb.emulator
        first = emu.place_call(number="+6281255550005", patience=0.5)
        await emu.timeline.wait_for(lambda: first.ended_at is not None, timeout=5)
        await sb.settled()
        incident = await _incident_of(sb, first.inbound_id)
        assert [c.status for c in await _callbacks(sb, incident.id)] == ["pending"]
        await sb.login_all()
        again = emu.place_call(number="+6281255550005", talk_time=0.3)
        await emu.timeline.wait_for(lambda: again.ended_at is not None, timeout=5)
        await sb.settled()
        assert (await _incident_of(sb, again.inbound_id)).id == incident.id
        first, *later = await _callbacks(sb, incident.id)  # the second call dropped too: a new callback
        assert first.status == "cancelled" and [c.status for c in later] == ["pending"]
        kinds = [e.kind for e in await sb.app.db.timeline.for_incident(incident.id)]
        assert "linked_repeat_call" in kinds and "callback_cancelled" in kinds
        assert emu.timeline.trunk_legs == []


async def test_no_inbound_caller_waits_while_callbacks_hold_more_seats_than_the_cap(tmp_path):
    policy = dict(FAST_CALLBACKS, seat_cap=1)
    async with Switchboard(tmp_path, seats=2, callback=policy, incident=NO_GHOSTS, queue={"wrapup_time": 0}) as sb:
        emu = sb.emulator
        for n in (1, 2, 3):
            emu.trunk.citizens[f"+628125555100{n}"] = CitizenBehaviour(f"+628125555100{n}", talk_time=1.5)
        gave_up = [emu.place_call(number=f"+628125555100{n}", patience=0.3) for n in (1, 2, 3)]
        await emu.timeline.wait_for(lambda: all(c.ended_at for c in gave_up), timeout=5)
        controller = sb.controller
        worst = 0

        async def watch() -> None:
            nonlocal worst
            while True:
                sessions = list(controller.ctx.sessions.calls.values())
                held = sum(1 for s in sessions if s.kind is CallKind.CALLBACK and s.seat_id is not None)
                waiting = sum(1 for s in sessions if s.kind is CallKind.INBOUND and s.seat_id is None)
                if waiting:
                    worst = max(worst, held)
                await asyncio.sleep(0.01)  # a sampling period, not a wait for something

        watcher = asyncio.create_task(watch())
        try:
            await sb.login_all()
            callers = [emu.place_call(number=f"+62812555520{n}", talk_time=0.5) for n in (1, 2, 3, 4)]
            await emu.timeline.wait_for(lambda: all(c.ended_at for c in callers), timeout=20)
            await emu.timeline.wait_for(lambda: len(emu.timeline.trunk_legs) >= 3, timeout=20)
        finally:
            watcher.cancel()
        assert all(c.connected_at is not None for c in callers)
        assert worst <= 1


async def test_an_illegal_status_transition_is_refused_and_nothing_changes(tmp_path):
    async with Switchboard(tmp_path, seats=1) as sb:
        call = sb.emulator.place_call(number="+6281255550007", patience=0.3)
        await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        await sb.settled()
        incident = await _incident_of(sb, call.inbound_id)
        with pytest.raises(IllegalTransition, match=r"new.*dispatched"):
            await sb.app.db.incidents.transition(incident.id, "dispatched", actor="seat01", at=incident.opened_at)
        assert (await sb.app.db.incidents.get(incident.id)).status == "new"


async def test_a_pending_callback_survives_a_controller_restart(tmp_path):
    slow = dict(FAST_CALLBACKS, first_delay=1.5)
    async with Switchboard(tmp_path, seats=1, callback=slow, incident=NO_GHOSTS) as sb:
        emu = sb.emulator
        emu.trunk.citizens["+6281255550008"] = CitizenBehaviour("+6281255550008", talk_time=0.3)
        call = emu.place_call(number="+6281255550008", patience=0.3)
        await emu.timeline.wait_for(lambda: call.ended_at is not None, timeout=5)
        await sb.settled()  # the callback is stored, not yet due
        await sb.stop_controller()
        await sb.start_controller()  # a new process would know nothing but the database
        assert list(sb.controller.callbacks.pending) == [next(iter(await _keys(sb)))]
        await sb.login_all()
        await emu.timeline.wait_for(lambda: emu.timeline.trunk_legs and emu.timeline.trunk_legs[0].ended_at,
                                    timeout=10)
        await sb.settled()
        incident = await _incident_of(sb, call.inbound_id)
        [callback] = await _callbacks(sb, incident.id)
        assert (callback.status, callback.attempts) == ("done", 1)


async def _keys(sb: Switchboard) -> list[str]:
    return [c.call_id for c in await sb.app.db.callbacks.pending()]


async def test_every_call_has_one_incident_when_the_database_was_down_for_a_while(tmp_path):
    import sqlite3

    async with Switchboard(tmp_path, seats=2, queue={"wrapup_time": 0}) as sb:
        await sb.login_all()
        await sb.app.journal.flush(timeout=5)
        blocker = sqlite3.connect(sb.database_url.split("///", 1)[1], isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")  # the database cannot be written: every write waits
        try:
            calls = [sb.emulator.place_call(number=f"+62812666600{n}", talk_time=0.3) for n in range(5)]
            await sb.emulator.timeline.wait_for(lambda: all(c.ended_at for c in calls), timeout=10)
            assert all(c.connected_at is not None for c in calls)  # the calls went on regardless
            assert sb.app.journal.backlog > 0
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await sb.settled(timeout=15)
        incidents = {}
        for call in calls:
            incident = await _incident_of(sb, call.inbound_id)
            incidents[call.inbound_id] = incident.id
        assert len(set(incidents.values())) == 5  # one each, none twice
        assert len(await sb.app.db.incidents.recent(limit=100)) == 5


async def test_a_repeat_caller_is_recognised_by_the_database_after_a_restart_whatever_the_number_format(tmp_path):
    slow = dict(FAST_CALLBACKS, first_delay=60)
    async with Switchboard(tmp_path, seats=1, callback=slow, incident=NO_GHOSTS) as sb:
        emu = sb.emulator
        first = emu.place_call(number="081255550009", patience=0.3)  # the national format
        await emu.timeline.wait_for(lambda: first.ended_at is not None, timeout=5)
        await sb.settled()
        await sb.stop_controller()
        await sb.start_controller()  # the new controller remembers nothing: the database does
        again = emu.place_call(number="+6281255550009", patience=0.3)  # the same phone, in E.164
        await emu.timeline.wait_for(lambda: again.ended_at is not None, timeout=5)
        await sb.settled()
        incident = await _incident_of(sb, first.inbound_id)
        assert (await _incident_of(sb, again.inbound_id)).id == incident.id
        assert incident.callback_number == "+6281255550009"


async def test_a_call_asterisk_dropped_in_a_restart_is_called_back_after_the_controller_reconnects(tmp_path):
    import dataclasses
    import time

    from cc112_pbx.emulator.server import Emulator

    async with Switchboard(tmp_path, seats=1, callback=FAST_CALLBACKS, queue={"wrapup_time": 0}) as sb:
        first = sb.emulator
        await sb.login_all()
        call = first.place_call(number="+6281255550010")  # talking when Asterisk dies
        await first.timeline.wait_for(lambda: call.connected_at is not None, timeout=5)
        config = dataclasses.replace(first.config, ami_port=first.ami_port, ari_port=first.ari_port)
        await first.ari.stop()  # Asterisk crashes: nobody hears a hang-up
        await first.ami.stop()
        await first.stop()
        await wait_until(lambda: time.time() >= first.core.ids.epoch + 1, timeout=2,
                         what="a new second: the restarted Asterisk's channel ids are new")
        async with Emulator(config) as second:
            sb.emulator = second
            second.trunk.citizens["+6281255550010"] = CitizenBehaviour("+6281255550010", talk_time=0.3)
            # the controller reconnects by itself, finds the call gone, and calls the citizen back
            legs = second.timeline.trunk_legs
            await second.timeline.wait_for(lambda: legs and legs[0].ended_at, timeout=15)
            assert second.timeline.trunk_legs[0].answered_at is not None
            await sb.settled()
            incident = await _incident_of(sb, call.inbound_id)
            [callback] = await _callbacks(sb, incident.id)
            assert (callback.reason, callback.status) == ("dropped", "done")
            await sb.stop_controller()
