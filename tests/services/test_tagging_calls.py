"""Issue 19 in the call services: a call from a number flagged for repeated pranks is flagged the
moment it arrives and is queued and offered like any other; ghost calls and 5 5 are tagged by the
system (with the caller's E.164 number, for the reports)."""

from __future__ import annotations

from datetime import timedelta

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.call_tags import NuisanceNumbers, PrankPolicy
from tests.services.fakes import Pbx

NUMBER = "+6281234567890"  # the fakes' default caller, 081234567890, in E.164


async def test_a_call_from_a_flagged_number_is_flagged_on_arrival_and_still_offered_to_a_seat(staffed: Pbx):
    staffed.ctx.nuisance = NuisanceNumbers(PrankPolicy(flag_after=2, flag_window=3600))
    now = staffed.clock.wall()
    staffed.ctx.nuisance.add(NUMBER, now - timedelta(minutes=50))
    staffed.ctx.nuisance.add(NUMBER, now - timedelta(minutes=5))

    channel = await staffed.caller_arrives(number="081234567890")

    assert staffed.session(channel).prank_flag == {"number": NUMBER, "pranks": 2,
                                                   "last_at": (now - timedelta(minutes=5)).isoformat()}
    assert staffed.control.rings("seat01")  # never blocked: offered like any other call
    other = await staffed.caller_arrives(number="081299999999")
    assert staffed.session(other).prank_flag is None


async def test_pranks_older_than_the_window_do_not_flag_a_number(pbx: Pbx):
    pbx.ctx.nuisance = NuisanceNumbers(PrankPolicy(flag_after=1, flag_window=600))
    pbx.ctx.nuisance.add(NUMBER, pbx.clock.wall() - timedelta(seconds=601))
    channel = await pbx.caller_arrives()
    assert pbx.session(channel).prank_flag is None


async def test_a_ghost_call_is_tagged_ghost_by_the_system(pbx: Pbx):
    channel = await pbx.caller_arrives()
    call_id = pbx.session(channel).call_id
    await pbx.advance(1)
    await pbx.gone(channel)  # 1 s, never reached a seat: below the 5 s threshold

    [tag] = await pbx.store.call_tags.for_call(call_id)
    assert (tag.tag, tag.actor, tag.number, tag.incident_id) == ("ghost", "system", NUMBER, 1)
    assert pbx.store.incidents.rows[1].fields["verification"] == "ghost"


async def test_a_long_unanswered_call_is_not_a_ghost(pbx: Pbx):
    channel = await pbx.caller_arrives()
    call_id = pbx.session(channel).call_id
    await pbx.advance(30)
    await pbx.gone(channel)
    assert await pbx.store.call_tags.for_call(call_id) == []


async def test_pressing_5_5_tags_the_call_silent(pbx: Pbx):
    channel = await pbx.caller_arrives()
    call_id = pbx.session(channel).call_id
    for digit in "55":
        pbx.send(tel.DtmfReceived(at=pbx.clock.wall(), channel_id=channel, digit=digit))
    await pbx.settle()

    [tag] = await pbx.store.call_tags.for_call(call_id)
    assert (tag.tag, tag.actor, tag.number) == ("silent", "system", NUMBER)
