"""The controller's one event loop: every fact (Asterisk events, timers, requests) goes into one
inbox and is handled in order by one task, so the ACD core and the sessions need no locks.

Handling never waits for the network: requests to the telephony system go into per-call lanes,
facts onto the bus (the store's writes are journalled by a subscriber). One dispatch table per
event source, each pair in one place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import structlog

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import (
    Acd,
    AcdEvent,
    CallEndedOutcome,
    CancelOffer,
    CancelTimer,
    ConnectCall,
    FallbackMembershipChanged,
    HangUpCaller,
    OfferCall,
    QueueConfig,
    Reconfigured,
    SeatAutoPaused,
    SeatStateChanged,
    SeatStatus,
    StartTimer,
    TimerFired,
)
from cc112_pbx.domain.callbacks import CallbackPolicy
from cc112_pbx.services import facts as f
from cc112_pbx.services.adoption import Adopted
from cc112_pbx.services.call_flow import CallBridged, CallFlow, IncidentStatusChanged, SeatLegFailed
from cc112_pbx.services.callback_legs import CitizenNotDialled
from cc112_pbx.services.callbacks import CallbackDue, CallbackService
from cc112_pbx.services.context import Context
from cc112_pbx.services.ports import ActingGate
from cc112_pbx.services.seat_service import FALLBACK_LANE, FallbackMembersRead, SeatService
from cc112_pbx.services.sessions import CallKind
from cc112_pbx.services.silent_callers import SilenceCheck, SilentCallers
from cc112_pbx.services.timers import TimerService

log = structlog.get_logger("cc112.controller")


@dataclass(frozen=True, slots=True)
class HoldAnnouncement:
    """Timer key: time to tell a waiting caller they are still connected."""

    call_id: str


@dataclass(frozen=True, slots=True)
class _Timer:
    key: Hashable


@dataclass(frozen=True, slots=True)
class _Request:
    """A request from outside the loop (API, demo): run `action` in the loop, answer `future`."""

    action: Callable[[], Any]
    future: asyncio.Future[Any]


class Controller:
    def __init__(self, ctx: Context, config: QueueConfig, callback_policy: CallbackPolicy | None = None) -> None:
        self.ctx = ctx
        self.acd = Acd(config)
        self.inbox: asyncio.Queue[object] = asyncio.Queue()
        self.timers = TimerService(lambda key: self.inbox.put_nowait(_Timer(key)), ctx.clock.monotonic)
        self.callbacks = CallbackService(
            ctx, callback_policy or CallbackPolicy(), start_timer=self._start_timer, cancel_timer=self._cancel_timer,
            open_attempt=lambda entry: self.calls.legs.open(entry),
            end_attempt=lambda call_id: self.calls.legs.withdraw(call_id), inbound_waiting=self._inbound_waiting,
            seat_finishing=self.acd.finishing_a_call)
        self.silent = SilentCallers(ctx, self._start_timer)
        self.calls = CallFlow(ctx, self.feed, self._start_hold_timer, self.post, self.callbacks, self.silent)
        self.seats = SeatService(ctx, self.acd, self.feed)
        self.handled = 0
        self.unknown: set[str] = set()
        self.gate: ActingGate | None = None  # an active/standby pair (issue 21): act only while leading
        self.resynced = asyncio.Event()  # the event stream's (first) resync has been handled
        self._telephony: dict[type, Callable[[Any], None]] = {
            tel.CallEntered: self._on_call_entered,
            tel.CallLeft: lambda e: self.calls.channel_gone(e.channel_id),
            tel.ChannelGone: lambda e: self.calls.channel_gone(e.channel_id, e.reason),
            tel.DtmfReceived: self._on_dtmf,
            tel.TalkingChanged: self.silent.talking,
            tel.PlaybackEnded: self.calls.holding.playback_ended,
            tel.DeviceStateChanged: self.seats.device_state,
            tel.EndpointReachability: self.seats.endpoint_reachability,
            tel.StreamResynced: self._on_resynced,
            tel.ConnectionChanged: self._on_connection,
            tel.ApplicationReplaced: self._on_replaced,
            Adopted: self.calls.adopted,
            CallBridged: self.calls.bridged,
            SeatLegFailed: self.calls.seat_leg_failed,
            CitizenNotDialled: self.calls.citizen_not_dialled,
            IncidentStatusChanged: self.calls.incident_status_changed,
            f.IncidentLinked: self.calls.incident_linked,
            f.CallbackStored: self.callbacks.stored,
            FallbackMembersRead: self.seats.fallback_members_read,
        }
        self._commands: dict[type, Callable[[Any], None]] = {
            OfferCall: self.calls.offer,
            CancelOffer: lambda c: self.calls.cancel_offer(c.offer),
            ConnectCall: self.calls.connect,
            HangUpCaller: lambda c: self.calls.hang_up_caller(c.call_id),
            StartTimer: lambda c: self.timers.start(c.key, c.at),
            CancelTimer: lambda c: self.timers.cancel(c.key),
            SeatStateChanged: self._on_seat_state,
            SeatAutoPaused: self.seats.auto_paused,
            FallbackMembershipChanged: self.seats.fallback_membership,
            CallEndedOutcome: self._on_call_ended,
        }

    # --- inputs ------------------------------------------------------------------------------
    def post(self, event: object) -> None:
        """Hand a telephony event to the loop (never blocks)."""
        self.inbox.put_nowait(event)

    async def request(self, action: Callable[[], Any]) -> Any:
        """Run `action` inside the loop (serialised with events) and return its result."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.inbox.put_nowait(_Request(action, future))
        return await future

    async def run(self) -> None:
        """Handle the inbox until cancelled."""
        while True:
            item = await self.inbox.get()
            if self.gate is not None:
                await self.gate.admit()  # a former leader stops here (its task fails, its process exits)
            self.dispatch(item)

    def dispatch(self, item: object) -> None:
        self.handled += 1
        try:
            if isinstance(item, _Timer):
                self._on_timer(item.key)
            elif isinstance(item, _Request):
                self._on_request(item)
            else:
                handler = self._telephony.get(type(item))
                if handler is None:
                    self._unknown(item)
                    return
                handler(item)
        except Exception:
            log.exception("event_handling_failed", event_type=type(item).__name__)

    # --- the ACD core ------------------------------------------------------------------------
    def feed(self, event: AcdEvent) -> None:
        for command in self.acd.handle(event, self.ctx.clock.monotonic()):
            self._commands[type(command)](command)

    def reconfigure(self, config: QueueConfig) -> None:
        self.feed(Reconfigured(config))

    # --- handlers ----------------------------------------------------------------------------
    def _on_call_entered(self, event: tel.CallEntered) -> None:
        role = event.args[0] if event.args else "inbound"
        if role == "seat":
            self.calls.seat_answered(event)
        elif role == "callback":
            self.calls.callback_answered(event)
        elif role == "feature":
            self.seats.feature_code(event)
        else:  # "inbound", or anything unexpected: an emergency call is never refused
            if role != "inbound":
                log.warning("unexpected_stasis_args_treated_as_112", args=list(event.args),
                            channel=event.channel_id)
            self.calls.arrive(event)

    def _on_dtmf(self, event: tel.DtmfReceived) -> None:
        session = self.ctx.sessions.by_caller_channel(event.channel_id)
        if session is not None:
            self.calls.holding.dtmf(session, event.digit)

    def _on_timer(self, key: Hashable) -> None:
        if isinstance(key, HoldAnnouncement):
            self.calls.holding.hold_announcement(key.call_id)
        elif isinstance(key, CallbackDue):
            self.callbacks.due(key.key)
        elif isinstance(key, SilenceCheck):
            self.silent.check(key)
        else:
            self.feed(TimerFired(key))  # type: ignore[arg-type]

    def _on_request(self, request: _Request) -> None:
        if request.future.done():
            return
        try:
            request.future.set_result(request.action())
        except Exception as exc:
            request.future.set_exception(exc)

    def _on_seat_state(self, command: SeatStateChanged) -> None:
        self.seats.state_changed(command)
        if command.new is SeatStatus.AVAILABLE:
            self.callbacks.seat_freed()  # a due callback may have waited for this seat

    def _on_call_ended(self, command: CallEndedOutcome) -> None:
        self.timers.cancel(HoldAnnouncement(command.call_id))
        self.calls.call_ended(command)

    def _on_resynced(self, event: tel.StreamResynced) -> None:
        """After an ARI reconnect the stream has already reported what ended in the gap
        (`ChannelGone(while_disconnected=True)`); as a safety net, any caller or answered seat
        leg we still hold that is not in the app any more is gone too (handling is idempotent).
        Ringing seat legs are not in the app yet: they are watched by the stream instead."""
        present = event.present_channel_ids
        self.calls.stored_calls = None  # read for this resync's callers (they come before it): stale from here
        for session in list(self.ctx.sessions.calls.values()):
            if session.channel_id not in present:
                self.calls.channel_gone(session.channel_id)
        for channel_id, leg in list(self.ctx.sessions.seat_legs.items()):
            if leg.answered and channel_id not in present:
                self.calls.channel_gone(channel_id)
        log.info("controller_resynced", calls=len(self.ctx.sessions.calls), present=len(present))
        self.resynced.set()

    def _on_connection(self, event: tel.ConnectionChanged) -> None:
        log.info("asterisk_link", link=event.link, connected=event.connected, detail=event.detail)
        self.ctx.facts.publish(event)
        if event.link == "ami" and event.connected:
            # seats may have logged in through the dialplan meanwhile: read the queue, then resync
            self.ctx.lanes.submit(FALLBACK_LANE, "fallback_members",
                                  lambda: self.seats.read_fallback_members(self.post))
            self.ctx.lanes.submit("device-states", "device_states", self._post_device_states)

    async def _post_device_states(self) -> None:
        try:
            states = await self.ctx.devices.device_state_list()
        except Exception as exc:
            log.warning("device_states_unavailable", error=str(exc))
            return
        for item in states:
            self.post(tel.DeviceStateChanged(at=self.ctx.clock.wall(), device=item.device, state=item.state))

    def _on_replaced(self, event: tel.ApplicationReplaced) -> None:
        log.error("stasis_app_taken_over_by_another_client", app=event.application)
        if self.gate is not None:
            self.gate.check_soon()  # the standby may have taken over: a former leader stops at once

    def _unknown(self, item: object) -> None:
        name = type(item).__name__
        if name not in self.unknown:
            self.unknown.add(name)
            log.debug("event_not_handled", event_type=name)

    def _start_timer(self, key: Hashable, at: float) -> None:
        self.timers.start(key, at)

    def _cancel_timer(self, key: Hashable) -> None:
        self.timers.cancel(key)

    def _inbound_waiting(self) -> int:
        """Citizens waiting for a seat (ringing one included), whom callbacks never starve."""
        return sum(1 for s in self.ctx.sessions.calls.values()
                   if s.kind is CallKind.INBOUND and s.seat_id is None and not s.ended)

    def _start_hold_timer(self, call_id: str) -> None:
        interval = self.ctx.options.hold_announcement_interval
        if interval > 0:
            self.timers.start(HoldAnnouncement(call_id), self.ctx.clock.monotonic() + interval)

    async def close(self) -> None:
        self.timers.close()
        await self.ctx.lanes.close()
