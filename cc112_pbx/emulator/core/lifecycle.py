"""Ringing, answering and hanging up, with the event order Asterisk 22.10.1 shows.

Hang-up order (see the trace README): the request on the channel, it leaves its bridge, its
StasisEnd; a Local partner gets its request next (cause 16, or the dial timeout's 19; none for
the `;1` of a refused call), the channel is destroyed, then the partner finishes. A `;2` half
hung up from the other side (or taken out of Stasis by a hang-up) returns to its dialplan, which
ends it again: a second request (16, soft) just before it is destroyed. A dial timeout shows no
request on the `;1` half.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import events as ev

if TYPE_CHECKING:
    from .engine import Core
    from .model import Channel

# How a hangup request looks to ARI, by origin:
# api: REST DELETE / AMI Hangup -> cause 32 + soft; remote: the other half of a Local pair
# hung up -> cause 16; sip: a BYE from the phone -> no cause key; timeout: dial timeout -> 19;
# busy: Busy()/Congestion() -> 0; dialplan: Hangup() or the end of the dialplan -> 16 soft.
HANGUP_REQUEST_SHAPE: dict[str, tuple[int | None, bool]] = {
    "api": (32, True),
    "remote": (16, False),
    "sip": (None, False),
    "timeout": (19, False),
    "dialplan": (16, True),
    "busy": (0, False),
}
RTP_QOS_VARIABLES = (
    "RTPAUDIOQOS", "RTPAUDIOQOSJITTER", "RTPAUDIOQOSLOSS", "RTPAUDIOQOSRTT", "RTPAUDIOQOSMES",
)


def dial_update(core: Core, channel: Channel, status: str, *, final: bool) -> None:
    """A `Dial` event for a channel being dialled (RINGING progress, ANSWER, BUSY, NOANSWER...)."""
    if channel.dialing is None:
        return
    dialstring = channel.dialing
    if final:
        channel.dialing = None
    core.emit(ev.DialStatus(core.now(), None, None, channel.id, channel.to_dict(), dialstring, status, final))


def ring(core: Core, channel: Channel) -> None:
    """The far end is alerting: a ringing phone, ARI `ring`, `Ringing()` on a `;2` half."""
    if channel.half == 2:
        partner = core.partner(channel)
        if partner is not None and partner.state == "Down":
            core.set_state(partner, "Ringing")
            dial_update(core, partner, "RINGING", final=False)
        return
    if channel.state in ("Down", "Ring"):
        core.set_state(channel, "Ringing")
        dial_update(core, channel, "RINGING", final=False)


def answer(core: Core, channel: Channel) -> None:
    """Answer; answering a Local `;2` half answers its `;1` half too (Dial ANSWER on it)."""
    if not channel.alive or channel.state == "Up":
        return
    core.set_state(channel, "Up")
    channel.answered_at = core.clock.monotonic()
    dial_update(core, channel, "ANSWER", final=True)
    channel.answered.set()
    partner = core.partner(channel)
    if partner is not None and partner.half == 1 and partner.state != "Up":
        if partner.owner_reads_answer:  # ami-02 / ari-09: a ringall loser's ;1 stays Down
            partner.far_answered.set()
        else:
            answer(core, partner)


def hangup(core: Core, channel: Channel, cause: int, origin: str) -> None:
    channel.hangup_cause = cause
    if channel.technology == "PJSIP" and origin == "sip":
        for name in RTP_QOS_VARIABLES:
            core.set_variable(channel.id, name, "")
    # no request: an originated channel's application returned (app_end), a ;1 half timed out
    # or was hung up by app_queue (queue): ast_hangup without a soft hang-up (ami-02)
    quiet = origin == "app_end" or (channel.half == 1 and origin in ("timeout", "queue"))
    if not quiet:
        request(core, channel, origin)
    if channel.dialing is not None and origin in ("api", "sip", "remote"):
        dial_update(core, channel, "NOANSWER" if origin != "sip" else "CANCEL", final=True)
    teardown(core, channel, cause, origin)


def request(core: Core, channel: Channel, origin: str, cause: int | None = None) -> None:
    shape_cause, soft = HANGUP_REQUEST_SHAPE.get(origin, (cause, False))
    shown = cause if cause is not None and origin in ("remote", "timeout") else shape_cause
    core.emit(ev.ChannelHangupRequest(core.now(), channel.id, channel.to_dict(), shown, soft))


def teardown(core: Core, channel: Channel, cause: int, origin: str) -> None:
    if channel.dialing is not None:  # the far end went away while this channel was being dialled
        dial_update(core, channel, "NOANSWER", final=True)
    if channel.bridge_id is not None:
        core._leave_bridge(channel)
    was_in_stasis = channel.stasis_app is not None
    if was_in_stasis:
        core._end_stasis(channel, None)
    partner = core.partner(channel)
    follow = partner is not None and partner.alive and partner.hangup_cause is None
    partner_cause, partner_origin, shown = 16, "remote", 16
    if follow and partner is not None:
        if origin == "timeout":
            partner_cause, partner_origin, shown = cause, "timeout", cause
        elif origin == "busy":
            partner_cause = 0
        elif origin == "queue":
            shown = cause  # the member's ;2 is told why (26 answered elsewhere, ami-02)
        elif origin in ("dialplan", "app_end") and channel.half == 1:
            shown = 0  # the ;1 half's own application ended: no cause set (AMI Originate Application)
        partner.hangup_cause = partner_cause
        if origin != "busy":
            request(core, partner, partner_origin, shown)
    if channel.half == 2 and (origin in ("remote", "timeout", "busy") or (origin == "api" and was_in_stasis)):
        request(core, channel, "dialplan")  # its dialplan resumes and hangs up
    core._destroy(channel, cause)
    if follow and partner is not None:
        teardown(core, partner, partner_cause, partner_origin)
