"""A caller waiting for a seat: answered, recorded, greeted, music on hold and announcements.

Every prompt is played on the caller's own channel (see README: why no holding bridge); a file
played on a channel switches its music off in Asterisk, so the music is started again when the
caller's last prompt ends. Requests run in the call's lane; nothing here decides about seats.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.telephony_errors import TargetGone, TelephonyError
from cc112_pbx.services import facts as f
from cc112_pbx.services import prompts
from cc112_pbx.services.context import Context
from cc112_pbx.services.sessions import CallSession

log = structlog.get_logger("cc112.holding")


def call_log(logger: structlog.typing.FilteringBoundLogger, session: CallSession,
             **extra: object) -> structlog.typing.FilteringBoundLogger:
    """A logger bound to the call's keys (call id, channel, incident, seat)."""
    return logger.bind(call_id=session.call_id, channel=session.channel_id, incident_id=session.incident_id,
                       seat=extra.pop("seat", session.seat_id), **extra)


class Holding:
    def __init__(self, ctx: Context, start_hold_timer: Callable[[str], None]) -> None:
        self.ctx = ctx
        self._start_hold_timer = start_hold_timer

    async def receive(self, session: CallSession) -> None:
        """Answer, start the recording, greet (every language in turn), then music on hold."""
        ctx = self.ctx
        clog = self._log(session)
        try:
            if not session.answered:
                await ctx.control.answer(session.channel_id)
                session.answered = True
                ctx.facts.publish(f.CallAnswered(session.call_id, ctx.clock.wall()))
        except TargetGone:
            clog.info("caller_gone_before_answer")
            return
        except TelephonyError as exc:  # keep going: the caller still waits for a seat
            clog.error("answer_failed", error=str(exc))
        if session.recording_path is None:
            await self.start_recording(session)
        if session.adopted:
            await self.music_on(session)  # greeted already, before the restart
            return
        for prompt, lang in ctx.prompts.sequence(prompts.GREETING, prompts.SILENT_CALL):
            if session.ended or session.bridge_id is not None:
                return
            await self._play(session, prompt, lang)
        if not session.playbacks and not session.ended:
            await self.music_on(session)  # nothing to wait for: music at once

    async def start_recording(self, session: CallSession) -> None:
        ctx = self.ctx
        path = f"{ctx.options.recordings_dir.rstrip('/')}/{session.call_id}.wav"
        if session.adopted and await self._already_recording(session):
            return
        try:
            await ctx.recorder.start(session.channel_name, path)
        except Exception as exc:  # recording must never stop the call
            self._log(session).error("recording_not_started", path=path, error=str(exc))
            return
        session.recording_path = path
        self._log(session).info("recording_started", path=path)
        ctx.facts.publish(f.RecordingBegan(session.call_id, path, ctx.clock.wall()))

    async def _already_recording(self, session: CallSession) -> bool:
        """A caller adopted without a stored recording may still be recorded by MixMonitor
        (started by a previous run or the dialplan): keep that one rather than start a second,
        and store it (a run killed before its write landed left no row; the write is idempotent)."""
        path = await self.ctx.recorder.current_path(session.channel_id)
        if not path:
            return False
        session.recording_path = path
        self._log(session).info("recording_continues", path=path)
        self.ctx.facts.publish(f.RecordingBegan(session.call_id, path, self.ctx.clock.wall()))
        return True

    async def adopt_recording(self, session: CallSession) -> None:
        """A call resumed after a restart with no stored recording: store the one running."""
        if session.recording_path is None:
            await self._already_recording(session)

    async def music_on(self, session: CallSession) -> None:
        """Music on hold for a waiting caller: after the greeting, and again after every
        announcement (playing a file on a channel switches its music off in Asterisk)."""
        if session.ended or session.bridge_id is not None:
            return
        try:
            await self.ctx.control.start_music(session.channel_id)
        except TelephonyError as exc:
            self._log(session).warning("hold_music_failed", error=str(exc))
        if not session.hold_timer_started:
            session.hold_timer_started = True
            self._start_hold_timer(session.call_id)

    async def _play(self, session: CallSession, prompt: str, lang: str) -> bool:
        """Play one prompt on the caller's channel; remember it so its end restarts the music."""
        try:
            playback_id = await self.ctx.control.play_prompt(session.channel_id, prompt, lang)
        except TelephonyError as exc:
            self._log(session).warning("prompt_failed", prompt=prompt, lang=lang, error=str(exc))
            return False
        session.playbacks.add(playback_id)
        self.ctx.sessions.playback_owner[playback_id] = session.call_id
        return True

    # --- while holding ---------------------------------------------------------------------
    def playback_ended(self, event: tel.PlaybackEnded) -> None:
        call_id = self.ctx.sessions.playback_owner.pop(event.playback_id, None)
        session = self.ctx.sessions.calls.get(call_id) if call_id else None
        if session is None:
            return
        session.playbacks.discard(event.playback_id)
        if not session.playbacks and session.bridge_id is None and not session.ended:
            self.ctx.lanes.submit(session.call_id, "music", lambda: self.music_on(session))

    def hold_announcement(self, call_id: str) -> None:
        session = self.ctx.sessions.calls.get(call_id)
        if session is None or session.ended or session.bridge_id is not None:
            return

        async def announce() -> None:
            for prompt, lang in self.ctx.prompts.sequence(prompts.STILL_HOLDING):
                if session.ended or session.bridge_id is not None or not await self._play(session, prompt, lang):
                    return

        self.ctx.lanes.submit(call_id, "still_holding", announce)
        self._start_hold_timer(call_id)

    def dtmf(self, session: CallSession, digit: str) -> None:
        session.silent_digits = (session.silent_digits + digit)[-2:]
        if session.silent_digits == "55" and not session.silent:
            session.silent = True
            self._log(session).warning("silent_call_confirmed")
            self.ctx.facts.publish(f.SilentCallConfirmed(session.call_id, session.incident_id,
                                                          session.caller_number))

    def forget(self, session: CallSession) -> None:
        """The call ended: its prompts' ends no longer matter (some never report one)."""
        for playback_id in session.playbacks:
            self.ctx.sessions.playback_owner.pop(playback_id, None)

    def _log(self, session: CallSession, **extra: object) -> structlog.typing.FilteringBoundLogger:
        return call_log(log, session, **extra)
