"""What a bridge does to its members (core/bridging.py): BRIDGEPEER naming hidden Recorder and
Announcer channels, connected lines exchanged in a 1-to-1 bridge, and a Local half's new
connected line reaching its partner's caller id only with the partner's next snapshot."""

from __future__ import annotations

import pytest

from cc112_pbx.emulator.core import CallerId, Channel, Core
from cc112_pbx.emulator.core import events as ev
from cc112_pbx.emulator.dialplan import Dialplan
from tests.emulator.conftest import EventLog


@pytest.fixture
async def core():
    core = Core()
    core.dialplan = Dialplan()
    core.register_stasis_app("cc112")
    core.register_stasis_app("sim")
    yield core
    await core.close()


async def caller_in_app(core: Core, log: EventLog, caller: CallerId) -> Channel:
    """A caller simulated as the traces do: `Local/112@from-pstn` originated into app `sim`; the
    `;2` half enters `cc112` through the dialplan and is answered."""
    core.originate("Local/112@from-pstn", app="sim", caller_id=caller)
    start = await log.wait_for(lambda e: isinstance(e, ev.StasisStart) and e.app == "cc112"
                               and e.snapshot["caller"]["number"] == caller.number)
    channel = core.channels[start.channel_id]
    core.answer(channel)
    await log.wait_for(lambda e: isinstance(e, ev.StasisStart) and e.app == "sim"
                       and e.channel_id == channel.partner_id)
    return channel


def varsets(log: EventLog, channel: Channel, name: str) -> list[str]:
    return [e.value for e in log.of(ev.ChannelVarSet) if e.channel_id == channel.id and e.variable == name]


def connected_lines(log: EventLog, channel: Channel, since: int = 0) -> list[dict[str, str]]:
    """The channel's connected line changes among the events from index `since` on."""
    return [e.snapshot["connected"] for e in log.events[since:]
            if isinstance(e, ev.ChannelConnectedLineChanged) and e.channel_id == channel.id]


async def test_bridge_recording_is_the_lone_callers_peer_and_blanks_its_connected_line(core):
    log = EventLog(core)
    caller = await caller_in_app(core, log, CallerId("Anna", "+4930123456"))
    mark = len(log.events)
    bridge = core.create_bridge("mixing")
    core.add_to_bridge(bridge.id, caller.id)
    assert varsets(log, caller, "BRIDGEPEER") == [] and connected_lines(log, caller, mark) == []

    recorder = core.add_hidden_participant(bridge.id, "Recorder")

    assert recorder.startswith("Recorder/ARI-") and recorder.endswith(";2")
    assert varsets(log, caller, "BRIDGEPEER") == [recorder]
    assert connected_lines(log, caller, mark) == [{"name": "", "number": ""}]
    assert bridge.to_dict()["technology"] == "simple_bridge"
    assert core.get_bridge(bridge.id).channels == [caller.id]  # hidden: not listed


async def test_partner_half_shows_its_new_caller_id_only_after_its_next_snapshot(core):
    """ari-01/ari-11: the `;1` half in Stasis keeps showing the old caller id until it is destroyed;
    ChannelCallerId follows its ChannelDestroyed."""
    log = EventLog(core)
    caller = await caller_in_app(core, log, CallerId("Anna", "+4930123456"))
    partner = core.partner(caller)
    assert partner is not None
    bridge = core.create_bridge("mixing")
    core.add_to_bridge(bridge.id, caller.id)
    core.add_hidden_participant(bridge.id, "Recorder")
    assert [e for e in log.of(ev.ChannelCallerIdChanged) if e.channel_id == partner.id] == []

    core.hangup(partner.id, 16)

    about_partner = [e for e in log.events if getattr(e, "channel_id", None) == partner.id]
    kinds = [type(e).__name__ for e in about_partner]
    assert kinds[-2:] == ["ChannelDestroyed", "ChannelCallerIdChanged"]
    assert about_partner[-1].snapshot["caller"] == {"name": "", "number": ""}
    hangup = next(e for e in about_partner if isinstance(e, ev.ChannelHangupRequest))
    assert hangup.snapshot["caller"] == {"name": "Anna", "number": "+4930123456"}


async def test_two_callers_bridged_exchange_connected_lines_and_an_announcer_is_everyones_peer(core):
    log = EventLog(core)
    anna = await caller_in_app(core, log, CallerId("Anna", "+4930123456"))
    bert = await caller_in_app(core, log, CallerId("Bert", "+4930999888"))
    mark = len(log.events)
    bridge = core.create_bridge("mixing")
    core.add_to_bridge(bridge.id, anna.id)
    core.add_to_bridge(bridge.id, bert.id)

    exchanged = [e.channel_id for e in log.events[mark:] if isinstance(e, ev.ChannelConnectedLineChanged)]
    assert exchanged == [bert.id, anna.id]  # bridge.c: the second participant is updated first
    assert connected_lines(log, anna)[-1] == {"name": "Bert", "number": "+4930999888"}
    assert varsets(log, anna, "BRIDGEPEER") == [bert.name]

    announcer = core.add_hidden_participant(bridge.id, "Announcer")
    assert varsets(log, anna, "BRIDGEPEER")[1:] == [f"{announcer},{bert.name}"] * 2  # ari-11: twice
    assert bridge.technology == "softmix"
    before = len(log.of(ev.ChannelConnectedLineChanged))

    core.remove_hidden_participant(bridge.id, announcer)

    assert varsets(log, bert, "BRIDGEPEER")[-1] == anna.name
    assert bridge.technology == "simple_bridge"
    assert len(log.of(ev.ChannelConnectedLineChanged)) == before  # unchanged lines: no event


async def test_leaving_a_bridge_empties_bridgepeer_before_the_channel_leaves(core):
    log = EventLog(core)
    anna = await caller_in_app(core, log, CallerId("Anna", "+4930123456"))
    bert = await caller_in_app(core, log, CallerId("Bert", "+4930999888"))
    bridge = core.create_bridge("mixing")
    core.add_to_bridge(bridge.id, anna.id)
    core.add_to_bridge(bridge.id, bert.id)

    core.remove_from_bridge(bridge.id, anna.id)

    about_anna = [e for e in log.events if getattr(e, "channel_id", None) == anna.id]
    cleared = next(i for i, e in enumerate(about_anna) if isinstance(e, ev.ChannelVarSet) and e.value == "")
    left = next(i for i, e in enumerate(about_anna) if isinstance(e, ev.LeftBridge))
    assert cleared < left
