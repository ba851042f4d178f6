"""The emulator core without sockets: originate, dialplan, Stasis, fallback hook, bridges."""

from __future__ import annotations

import asyncio

import pytest

from cc112_pbx.emulator.core import CallerId, Core, CoreError, Endpoint
from cc112_pbx.emulator.core import events as ev
from cc112_pbx.emulator.dialplan import Dialplan
from tests.emulator.conftest import EventLog


@pytest.fixture
async def core():
    core = Core()
    core.dialplan = Dialplan()
    yield core
    await core.close()


def stasis_started(app: str | None = None):
    return lambda e: isinstance(e, ev.StasisStart) and (app is None or e.app == app)


async def test_caller_dialling_112_enters_stasis_with_inbound_args(core):
    core.register_stasis_app("cc112")
    log = EventLog(core)
    seen = log.events
    result = core.originate("Local/112@cc112-inbound", caller_id="Anna <+62811>")
    await log.wait_for(stasis_started("cc112"))
    start = next(e for e in seen if isinstance(e, ev.StasisStart) and e.app == "cc112")
    assert start.args == ("inbound", "112")
    assert start.snapshot["name"].endswith(";2")
    assert start.snapshot["state"] == "Ring"
    assert start.snapshot["dialplan"]["app_data"] == "cc112,inbound,112"
    assert start.snapshot["caller"] == {"name": "Anna", "number": "+62811"}
    assert result.channel.name.startswith("Local/112@cc112-inbound-")


async def test_stasis_without_app_runs_fallback_through_pluggable_queue(core):
    calls: list[tuple[str, str]] = []
    queued = asyncio.Event()

    async def fake_app(core_: Core, channel, data: str) -> None:
        calls.append((channel.app_name, data))
        if channel.app_name == "Queue":
            queued.set()

    core.register_application("MixMonitor", fake_app)
    core.register_application("Queue", fake_app)
    log = EventLog(core)
    seen = log.events
    core.originate("Local/112@cc112-inbound", caller_id="+62811")
    await asyncio.wait_for(queued.wait(), 2)
    assert [c[0] for c in calls] == ["MixMonitor", "Queue"]
    assert calls[1][1].startswith("cc112-fallback")
    varsets = [e for e in seen if isinstance(e, ev.ChannelVarSet) and e.variable == "STASISSTATUS"]
    assert [v.value for v in varsets] == ["", "FAILED"]  # app_stasis clears it first (ami-02, ari-09)
    answered = [e for e in seen if isinstance(e, ev.ChannelStateChanged) and e.snapshot["state"] == "Up"]
    assert answered, "fallback answers the caller before the queue"


async def test_hanging_up_first_half_hangs_up_second_with_remote_cause(core):
    core.register_stasis_app("cc112")
    log = EventLog(core)
    seen = log.events
    result = core.originate("Local/112@cc112-inbound")
    await log.wait_for(stasis_started())
    core.hangup(result.channel_id, 16, origin="api")
    requests = [
        (e.snapshot["name"][-2:], e.cause, e.soft) for e in seen if isinstance(e, ev.ChannelHangupRequest)
    ]
    # ;2 goes back to its dialplan, which ends it again: a second, soft request (as Asterisk)
    assert requests == [(";1", 32, True), (";2", 16, False), (";2", 16, True)]
    assert not core.channels


async def test_missing_extension_destroys_both_halves_with_cause_zero(core):
    log = EventLog(core)
    seen = log.events
    result = core.originate("Local/nonexistent@seats-sim", app="cc112")
    outcome = await result.wait()
    assert not outcome.answered
    destroyed = [e.cause for e in seen if isinstance(e, ev.ChannelDestroyed)]
    assert destroyed == [0, 0]


async def test_busy_extension_reports_busy_outcome(core):
    result = core.originate("Local/busy@seats-sim", app="cc112")
    outcome = await result.wait()
    assert (outcome.answered, outcome.dialstatus, outcome.reason) == (False, "BUSY", 5)


async def test_unregistered_pjsip_endpoint_fails_allocation(core):
    core.add_endpoint(Endpoint("PJSIP", "seat01"))
    with pytest.raises(CoreError) as err:
        core.originate("PJSIP/seat01", app="cc112")
    assert err.value.message == "Allocation failed"
    with pytest.raises(CoreError):
        core.originate("Bogus/x", app="cc112")


async def test_registration_changes_device_state(core):
    core.add_endpoint(Endpoint("PJSIP", "seat02"))
    log = EventLog(core)
    seen = log.events
    core.set_registered("PJSIP/seat02", True)
    core.set_registered("PJSIP/seat02", False)
    states = [e.state for e in seen if isinstance(e, ev.DeviceStateChanged)]
    contacts = [e.status for e in seen if isinstance(e, ev.ContactStatusChanged)]
    assert states == ["NOT_INUSE", "UNAVAILABLE"]
    assert contacts == ["NonQualified", "Removed"]


async def test_add_channel_moves_it_between_bridges(core):
    core.register_stasis_app("cc112")
    log = EventLog(core)
    seen = log.events
    core.originate("Local/112@cc112-inbound", caller_id=CallerId("", "1"))
    await log.wait_for(stasis_started())
    caller = next(c for c in core.channels.values() if c.stasis_app == "cc112")
    one, two = core.create_bridge("holding"), core.create_bridge("mixing")
    core.add_to_bridge(one.id, caller.id)
    core.add_to_bridge(two.id, caller.id)
    kinds = [type(e).__name__ for e in seen if isinstance(e, ev.EnteredBridge | ev.LeftBridge)]
    assert kinds == ["EnteredBridge", "LeftBridge", "EnteredBridge"]
    with pytest.raises(CoreError) as err:
        core.remove_from_bridge(one.id, caller.id)
    assert err.value.message == "Channel not in this bridge"


async def test_continue_sends_a_held_caller_to_the_fallback_queue(core):
    queued = asyncio.Event()

    async def queue_app(core_: Core, channel, data: str) -> None:
        queued.set()

    async def mixmonitor(core_: Core, channel, data: str) -> None:
        return None

    core.register_application("Queue", queue_app)
    core.register_application("MixMonitor", mixmonitor)
    core.register_stasis_app("cc112")
    log = EventLog(core)
    core.originate("Local/112@cc112-inbound")
    await log.wait_for(stasis_started())
    caller = next(c for c in core.channels.values() if c.stasis_app == "cc112")
    core.continue_in_dialplan(caller.id)
    await asyncio.wait_for(queued.wait(), 2)
    assert caller.variables["STASISSTATUS"] == "SUCCESS"


async def test_offline_feature_code_toggles_pause_through_pluggable_queue_apps(core):
    applied: list[tuple[str, str]] = []
    paused = {"PJSIP/seat01": "1"}

    async def record(core_: Core, channel, data: str) -> None:
        applied.append((channel.app_name, data))

    for name in ("AddQueueMember", "RemoveQueueMember", "PauseQueueMember", "UnpauseQueueMember"):
        core.register_application(name, record)
    core.register_function("QUEUE_MEMBER", lambda core_, channel, args: paused.get(args.split(",")[2], "0"))
    core.add_endpoint(Endpoint("PJSIP", "seat01"))
    log = EventLog(core)
    core.originate("Local/*13@cc112-seats", variables={"CC112_SEAT": "seat01"})
    await log.wait_for(lambda e: isinstance(e, ev.ChannelDestroyed), timeout=3)
    core.originate("Local/*11@cc112-seats", variables={"CC112_SEAT": "seat01"})
    await log.wait_for(lambda e: isinstance(e, ev.ChannelDialplanStep) and e.app == "AddQueueMember", 3)
    assert applied == [("UnpauseQueueMember", "cc112-fallback,PJSIP/seat01"),
                       ("AddQueueMember", "cc112-fallback,PJSIP/seat01,,,seat01,PJSIP/seat01")]


async def _seat_bridged_with_caller(core, log: EventLog):
    """ami-07's call: a caller in a mixing bridge (no recorder), a simulated seat originated into
    the app and bridged with it; returns the caller's ;2 half and the seat's ;2 half."""
    core.register_stasis_app("cc112")
    core.register_stasis_app("cc112sim")
    core.originate("Local/112@from-pstn", app="cc112sim", app_args=("caller",), caller_id="Anna <+62811>")
    start = await log.wait_for(lambda e: stasis_started("cc112")(e) and e.snapshot["name"].startswith("Local/112"))
    caller = core.get_channel(start.channel_id)
    core.answer(caller)
    bridge = core.create_bridge("mixing", "incident")
    core.add_to_bridge(bridge.id, caller.id)
    core.originate("Local/seat01@seats-sim", app="cc112", app_args=("seat", "seat01"), caller_id="CC112 <112>")
    seat_start = await log.wait_for(lambda e: stasis_started("cc112")(e) and "seat01" in e.snapshot["name"])
    seat_one = core.get_channel(seat_start.channel_id)
    core.add_to_bridge(bridge.id, seat_one.id)
    return caller, core.partner(seat_one)


async def test_digit_during_answer_media_wait_ends_it_and_is_read_again_by_the_next_application(core):
    """__ast_answer: a DTMF frame counts as media, and the frames Answer() read are put back for the
    next application (ami-07: the seat ;2's DTMFBegin before and after its Wait() starts)."""
    log = EventLog(core)
    caller, seat_two = await _seat_bridged_with_caller(core, log)
    loop = asyncio.get_running_loop()
    sent_at = loop.time()
    core.receive_dtmf(caller, "5", 120)
    await log.wait_for(lambda e: isinstance(e, ev.ChannelDialplanStep) and e.channel_id == seat_two.id
                       and e.app == "Wait")
    assert loop.time() - sent_at < 0.3  # the digit, not the 500 ms timeout, ended Answer()'s wait
    mine = [e for e in log.events if isinstance(e, ev.DtmfBeginRead | ev.ChannelDialplanStep | ev.DtmfDigit)
            and e.channel_id == seat_two.id]
    assert [(type(e).__name__, getattr(e, "app", ""), getattr(e, "digit", "")) for e in mine][-3:] == [
        ("DtmfBeginRead", "", "5"), ("ChannelDialplanStep", "Wait", ""), ("DtmfDigit", "", "5")]
    assert mine[-1].requeued and mine[-1].duration_ms == 120 and not seat_two.requeued_dtmf


async def test_digit_after_answer_media_wait_is_read_once(core):
    log = EventLog(core)
    caller, seat_two = await _seat_bridged_with_caller(core, log)
    await log.wait_for(lambda e: isinstance(e, ev.ChannelDialplanStep) and e.channel_id == seat_two.id
                       and e.app == "Wait", timeout=2)  # Answer() gave up waiting after 500 ms
    core.receive_dtmf(caller, "7", 120)
    assert [e.digit for e in log.of(ev.DtmfDigit) if e.channel_id == seat_two.id] == ["7"]
    assert [e for e in log.of(ev.DtmfBeginRead) if e.channel_id == seat_two.id] == []
