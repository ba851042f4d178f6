"""Asterisk's words for channel states and hang-up causes -> the project's (`ChannelState`,
`HangupCause`). The only place that knows that "Up" means answered or that 17 means busy.
"""

from __future__ import annotations

from cc112_pbx.domain.telephony import ChannelState, HangupCause

# ast_state2str() in Asterisk's main/channel.c
_CHANNEL_STATES: dict[str, ChannelState] = {
    "Down": ChannelState.DOWN,
    "Rsrvd": ChannelState.DOWN,
    "OffHook": ChannelState.OTHER,
    "Dialing": ChannelState.OTHER,
    "Dialing Offhook": ChannelState.OTHER,
    "Pre-ring": ChannelState.OTHER,
    "Ring": ChannelState.RING,
    "Ringing": ChannelState.RINGING,
    "Up": ChannelState.UP,
    "Busy": ChannelState.BUSY,
}

# Q.850 cause codes (Asterisk's include/asterisk/causes.h) a leg can end with.
_CAUSES: dict[int, HangupCause] = {
    16: HangupCause.NORMAL,  # normal clearing
    31: HangupCause.NORMAL,  # normal, unspecified
    17: HangupCause.BUSY,  # user busy
    18: HangupCause.NO_ANSWER,  # no user responding
    19: HangupCause.NO_ANSWER,  # no answer
    21: HangupCause.REJECTED,  # call rejected
    26: HangupCause.ANSWERED_ELSEWHERE,  # non-selected user clearing
    1: HangupCause.UNREACHABLE,  # unallocated number
    3: HangupCause.UNREACHABLE,  # no route to destination
    20: HangupCause.UNREACHABLE,  # subscriber absent
    27: HangupCause.UNREACHABLE,  # destination out of order
    38: HangupCause.UNREACHABLE,  # network out of order
    34: HangupCause.CONGESTION,  # no circuit available
    41: HangupCause.CONGESTION,  # temporary failure
    42: HangupCause.CONGESTION,  # switching equipment congestion
}


def channel_state(value: str | None) -> ChannelState:
    """Asterisk's channel state name (`"Up"`, `"Ring"`...) -> ChannelState (OTHER if unknown)."""
    return _CHANNEL_STATES.get(value or "", ChannelState.OTHER)


def hangup_cause(code: int | None) -> HangupCause | None:
    """A Q.850 cause code -> HangupCause; None when Asterisk gave no code (a resync, a SIP BYE)."""
    if code is None:
        return None
    return _CAUSES.get(code, HangupCause.UNKNOWN)
