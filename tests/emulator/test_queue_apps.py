"""app_queue's member applications as the seats' feature codes use them with the controller down."""

from __future__ import annotations

import pytest

from cc112_pbx.emulator.ami_server import AmiServer
from cc112_pbx.emulator.core import Core, Endpoint
from cc112_pbx.emulator.dialplan import Dialplan

QUEUE = "cc112-fallback"


@pytest.fixture
async def emulator(tmp_path):
    core = Core()
    core.dialplan = Dialplan()
    server = AmiServer(core, "127.0.0.1", 0, "cc112", "cc112secret", recordings_dir=tmp_path)
    await server.start()
    yield core, server
    await server.stop()
    await core.close()


def seat_channel(core: Core):
    core.add_endpoint(Endpoint("PJSIP", "seat07", registered=True))
    return core.new_channel("PJSIP", "seat07", "PJSIP/seat07-00000001", state="Up")


async def test_add_queue_member_defaults_to_the_calling_device_and_reports_duplicates(emulator):
    core, server = emulator
    channel = seat_channel(core)
    add = core.applications["AddQueueMember"]
    await add(core, channel, f"{QUEUE},,,,Seat 07")
    member = server.queues.get(QUEUE).members["PJSIP/seat07"]
    assert (member.name, member.dynamic) == ("Seat 07", True)
    assert channel.variables["AQMSTATUS"] == "ADDED"
    await add(core, channel, f"{QUEUE},PJSIP/seat07")
    assert channel.variables["AQMSTATUS"] == "MEMBERALREADY"
    await add(core, channel, "no-such-queue,PJSIP/seat07")
    assert channel.variables["AQMSTATUS"] == "NOSUCHQUEUE"


async def test_pause_unpause_and_remove_set_their_status_variables(emulator):
    core, server = emulator
    channel = seat_channel(core)
    await core.applications["AddQueueMember"](core, channel, f"{QUEUE},PJSIP/seat07")
    await core.applications["PauseQueueMember"](core, channel, f"{QUEUE},PJSIP/seat07,,lunch")
    member = server.queues.get(QUEUE).members["PJSIP/seat07"]
    assert (member.paused, member.paused_reason, channel.variables["PQMSTATUS"]) == (True, "lunch", "PAUSED")
    await core.applications["UnpauseQueueMember"](core, channel, f"{QUEUE},PJSIP/seat07")
    assert (member.paused, channel.variables["UPQMSTATUS"]) == (False, "UNPAUSED")
    await core.applications["PauseQueueMember"](core, channel, f"{QUEUE},PJSIP/nobody")
    assert channel.variables["PQMSTATUS"] == "NOTFOUND"
    await core.applications["RemoveQueueMember"](core, channel, f"{QUEUE},PJSIP/seat07")
    assert channel.variables["RQMSTATUS"] == "REMOVED"
    await core.applications["RemoveQueueMember"](core, channel, f"{QUEUE},PJSIP/seat07")
    assert channel.variables["RQMSTATUS"] == "NOTINQUEUE"
