"""Call takers' seats: login, logout and pause (from the API or the softphone's feature codes),
reachability from device states, and keeping Asterisk's fallback queue in step.

The ACD core owns the seats' state; this service turns requests and the telephony system's
events into the core's events, and the core's seat commands into fallback-queue requests and
facts (stored and shown by the bus's subscribers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import (
    Acd,
    AcdEvent,
    FallbackMembershipChanged,
    SeatAutoPaused,
    SeatLoggedIn,
    SeatLoggedOut,
    SeatPaused,
    SeatStateChanged,
    SeatUnpaused,
    reachability_event,
)
from cc112_pbx.domain.telephony import QueueMemberSnapshot
from cc112_pbx.domain.telephony_errors import AlreadyQueueMember, NotQueueMember, TelephonyError
from cc112_pbx.services import prompts
from cc112_pbx.services.context import Context

log = structlog.get_logger("cc112.seats")


@dataclass(frozen=True, slots=True)
class FallbackMembersRead:
    """Loop input: the fallback queue's members as Asterisk lists them (None: could not be read)."""

    members: tuple[QueueMemberSnapshot, ...] | None

FALLBACK_LANE = "fallback-queue"


class SeatService:
    def __init__(self, ctx: Context, acd: Acd, feed: Callable[[AcdEvent], None]) -> None:
        self.ctx = ctx
        self.acd = acd
        self.feed = feed
        self._device_to_seat: dict[str, str] = {}
        self._registered: dict[str, bool] = {}  # seat -> its phone has a contact (None: not known yet)
        self._device_states: dict[str, tel.DeviceState] = {}  # seat -> its device's last state
        self._refresh_devices()

    def _refresh_devices(self) -> None:
        self._device_to_seat = {dial.split("&")[0].upper(): seat
                                for seat, dial in self.ctx.options.seat_dial_strings.items()}

    def define_seat(self, seat_id: str, dial_string: str) -> None:
        """A seat added or changed through the API: ring it at `dial_string` from now on."""
        self.ctx.options.seat_dial_strings[seat_id] = dial_string
        self._refresh_devices()

    def forget_seat(self, seat_id: str) -> None:
        """A seat deleted through the API (after the core has logged it out)."""
        self.ctx.options.seat_dial_strings.pop(seat_id, None)
        self._registered.pop(seat_id, None)
        self._device_states.pop(seat_id, None)
        self._refresh_devices()

    # --- requests (API, feature codes) ---------------------------------------------------------
    def login(self, seat_id: str) -> None:
        self.feed(SeatLoggedIn(seat_id))

    def logout(self, seat_id: str) -> None:
        self.feed(SeatLoggedOut(seat_id))

    def pause(self, seat_id: str, reason: str = "break") -> None:
        self.feed(SeatPaused(seat_id, reason))

    def unpause(self, seat_id: str) -> None:
        self.feed(SeatUnpaused(seat_id))

    def toggle_pause(self, seat_id: str) -> bool | None:
        """Pause an unpaused seat, unpause a paused one; True when the seat is now paused, None when
        it is logged out (nothing to pause)."""
        view = next((s for s in self.acd.snapshot().seats if s.seat_id == seat_id), None)
        if view is None or not view.logged_in:
            return None
        if view.pause_reason is not None:
            self.unpause(seat_id)
            return False
        self.pause(seat_id, "break")
        return True

    def feature_code(self, event: tel.CallEntered) -> None:
        """`Stasis(cc112,feature,<seat>,<code>)`: act, confirm with a prompt, hang up."""
        seat_id, code = (*event.args[1:3], "", "")[:2]
        opts = self.ctx.options
        slog = log.bind(seat=seat_id, channel=event.channel_id, code=code)
        prompt: str | None = None
        if seat_id not in opts.seat_dial_strings:
            slog.warning("feature_code_from_unknown_seat")
        elif code == opts.feature_login:
            self.login(seat_id)
            prompt = prompts.LOGGED_IN
        elif code == opts.feature_logout:
            self.logout(seat_id)
            prompt = prompts.LOGGED_OUT
        elif code == opts.feature_pause:
            paused = self.toggle_pause(seat_id)
            prompt = prompts.LOGGED_OUT if paused is None else prompts.PAUSED if paused else prompts.UNPAUSED
        else:
            slog.warning("unknown_feature_code")
        slog.info("feature_code", prompt=prompt)
        self.ctx.lanes.submit(event.channel_id, "feature_confirm", lambda: self._confirm(event.channel_id, prompt))

    async def _confirm(self, channel_id: str, prompt: str | None) -> None:
        control = self.ctx.control
        try:
            await control.answer(channel_id)
            if prompt is not None:
                for name, lang in self.ctx.prompts.first_language(prompt):
                    await control.play_prompt(channel_id, name, lang)
        except TelephonyError as exc:
            log.info("feature_confirmation_failed", channel=channel_id, error=str(exc))
        try:
            await control.hang_up(channel_id)
        except TelephonyError:
            pass

    # --- the telephony system's facts ----------------------------------------------------------
    def device_state(self, event: tel.DeviceStateChanged) -> None:
        seat_id = self._device_to_seat.get(event.device.upper())
        if seat_id is None:
            return
        self._device_states[seat_id] = event.state
        self._judge(seat_id)

    def endpoint_reachability(self, event: tel.EndpointReachability) -> None:
        seat_id = self._device_to_seat.get(event.endpoint.upper())
        if seat_id is None:
            return
        self._registered[seat_id] = event.online
        self._judge(seat_id)

    def _judge(self, seat_id: str) -> None:
        """May the seat's phone be rung? A phone that registered is, at once: its device state
        says UNAVAILABLE until the first qualify answers (up to `qualify_frequency` seconds), but
        a call taker who just logged in must get the waiting caller now. A phone whose contact was
        removed or failed its qualify is not, whatever its device state said last."""
        registered = self._registered.get(seat_id)
        state = self._device_states.get(seat_id, tel.DeviceState.UNKNOWN)
        if registered is False:
            self.feed(reachability_event(seat_id, tel.DeviceState.UNAVAILABLE))
        elif registered and state is tel.DeviceState.UNAVAILABLE:
            self.feed(reachability_event(seat_id, tel.DeviceState.NOT_INUSE))
        else:
            self.feed(reachability_event(seat_id, state))

    # --- the core's seat commands --------------------------------------------------------------
    def state_changed(self, command: SeatStateChanged) -> None:
        log.info("seat_state", seat=command.seat_id, old=command.old.value, new=command.new.value,
                 reason=command.reason)
        self.ctx.facts.publish(command)

    def auto_paused(self, command: SeatAutoPaused) -> None:
        log.warning("seat_auto_paused", seat=command.seat_id, missed=command.missed, reason=command.reason)
        self.ctx.facts.publish(command)

    def fallback_membership(self, command: FallbackMembershipChanged) -> None:
        """Logged-in seats are members of Asterisk's own queue, paused when paused, so the
        dialplan's fallback rings the right phones if the controller is gone."""
        interface = self.ctx.options.seat_dial_strings.get(command.seat_id)
        if interface is None:
            return
        fallback = self.ctx.fallback

        async def sync() -> None:
            try:
                if command.member:
                    try:
                        await fallback.add(interface, seat_id=command.seat_id, paused=command.paused)
                    except AlreadyQueueMember:
                        pass
                    await fallback.pause(interface, paused=command.paused, reason="cc112" if command.paused else "")
                else:
                    try:
                        await fallback.remove(interface)
                    except NotQueueMember:
                        pass
            except TelephonyError as exc:
                log.warning("fallback_queue_sync_failed", seat=command.seat_id, member=command.member,
                            paused=command.paused, error=str(exc))

        self.ctx.lanes.submit(FALLBACK_LANE, f"fallback:{command.seat_id}", sync)

    def resync_fallback(self) -> None:
        for command in self.acd.sync_commands():
            self.fallback_membership(command)

    async def read_fallback_members(self, post: Callable[[object], None]) -> None:
        """Lane job after the AMI link (re)connects: what Asterisk's queue holds now."""
        try:
            members = await self.ctx.fallback.list_members()
        except TelephonyError as exc:
            log.warning("fallback_members_unreadable", error=str(exc))
            members = None
        post(FallbackMembersRead(tuple(members) if members is not None else None))

    def fallback_members_read(self, item: FallbackMembersRead) -> None:
        """A seat that logged in (`*11`, the dialplan's `AddQueueMember`) while no controller was
        there is in Asterisk's queue: it is logged in here too, paused if paused there; then the
        queue is brought in line with the seats (a seat logged in here is added back)."""
        for member in item.members or ():
            seat_id = self._device_to_seat.get(member.interface.upper())
            view = next((s for s in self.acd.snapshot().seats if s.seat_id == seat_id), None)
            if view is None or view.logged_in:
                continue
            log.info("seat_logged_in_during_controller_absence", seat=seat_id, paused=member.paused)
            self.login(view.seat_id)
            if member.paused:
                self.pause(view.seat_id, member.paused_reason or "break")
        self.resync_fallback()
