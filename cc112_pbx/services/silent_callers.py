"""Callers who cannot speak (an intruder in the house, a medical condition): never hung up on.

Talk detection runs on every caller's channel (`CallControl.detect_talking`, Asterisk's
TALK_DETECT). When a connected caller has not been heard for `silent_caller_prompt_after`
seconds, a prompt asks them to press 5 5 if they need help but cannot talk, and the call taker
is alerted; pressing 5 5 (at any time, `holding.py`) marks a silent emergency: the incident's
priority is raised to critical and the call taker and the supervisor are told.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import structlog

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.telephony_errors import TelephonyError
from cc112_pbx.services import facts as f
from cc112_pbx.services import prompts
from cc112_pbx.services.context import Context
from cc112_pbx.services.holding import call_log
from cc112_pbx.services.sessions import CallKind, CallSession

log = structlog.get_logger("cc112.silent_callers")


@dataclass(frozen=True, slots=True)
class SilenceCheck:
    """Timer key: has the connected caller `call_id` been heard yet?"""

    call_id: str


class SilentCallers:
    def __init__(self, ctx: Context, start_timer: Callable[[Hashable, float], None]) -> None:
        self.ctx = ctx
        self._start_timer = start_timer

    def listen(self, session: CallSession) -> None:
        """Right after the caller is answered: report when they talk (a lane job)."""
        control, clog = self.ctx.control, call_log(log, session)

        async def detect() -> None:
            try:
                await control.detect_talking(session.channel_id)
            except TelephonyError as exc:  # the call goes on; the silence check just never fires wrongly
                clog.warning("talk_detection_not_started", error=str(exc))
                session.talked = True

        self.ctx.lanes.submit(session.call_id, "detect_talking", detect)

    def connected(self, session: CallSession) -> None:
        after = self.ctx.options.silent_caller_prompt_after
        if session.kind is CallKind.INBOUND and after > 0 and not session.talked:
            self._start_timer(SilenceCheck(session.call_id), self.ctx.clock.monotonic() + after)

    def talking(self, event: tel.TalkingChanged) -> None:
        session = self.ctx.sessions.by_caller_channel(event.channel_id)
        if session is not None and event.talking:
            session.talked = True

    def check(self, key: SilenceCheck) -> None:
        session = self.ctx.sessions.calls.get(key.call_id)
        if session is None or session.ended or session.talked or session.silence_prompted or session.silent:
            return
        session.silence_prompted = True
        clog = call_log(log, session)
        clog.warning("caller_silent_prompted", after_s=self.ctx.options.silent_caller_prompt_after)
        self.ctx.facts.publish(f.CallerSilent(session.call_id, session.incident_id, session.seat_id))
        control = self.ctx.control

        async def ask() -> None:
            for name, lang in self.ctx.prompts.sequence(prompts.SILENT_CALL):
                if session.ended:
                    return
                try:
                    await control.play_prompt(session.channel_id, name, lang)
                except TelephonyError as exc:
                    clog.warning("silent_prompt_failed", error=str(exc))
                    return

        self.ctx.lanes.submit(session.call_id, "silent_prompt", ask)
