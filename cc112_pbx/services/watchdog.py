"""The orphan watchdog: callers left in the Stasis app by a controller that is gone go to the fallback queue.

When the controller dies, Asterisk keeps its callers in the app (ari-14) and nothing moves them:
new callers reach the fallback queue at once (`Stasis()` fails), the ones already held would wait
forever. `cc112 watchdog` runs beside the controller; when no controller has held the app for
`absent_after` seconds it sends every orphaned caller (a channel in the app with `inbound` args that
is not talking to anybody in a bridge) into the dialplan's fallback with ARI
`POST /channels/{id}/continue` (context/extension/priority of `FALLBACK_TARGET`, the
`[cc112-inbound] fallback` extension), where it is answered, recorded once and queued.

How it knows nobody holds the app: ARI cannot tell (the Application model lists channels and
subscriptions, not whether a WebSocket is connected, and a second WebSocket for the same app would
take it over: ApplicationReplaced). So it asks the controller: `holds_app()` is its `/healthz`
(`ari.state == "connected"`: its event WebSocket is up, it holds the app). No answer (connection
refused, timeout), or an answer that its ARI link is down, counts as absent. Being wrong on the
safe side costs a caller a move into the fallback queue, where the seats still ring; being wrong on
the other side would leave a citizen on hold forever, so "absent" needs `absent_after` seconds of
no controller in a row, and is asked again right before anybody is moved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog

from cc112_pbx.domain import telephony as tel

log = structlog.get_logger("cc112.watchdog")

ABSENT_AFTER = 5.0  # seconds without a controller holding the app before its callers are moved
CHECK_INTERVAL = 1.0  # seconds between looks
RESEND_AFTER = 10.0  # seconds before a caller handed over but still in the app is handed over again


@dataclass(frozen=True, slots=True)
class FallbackTarget:
    """Where `continue` sends an orphan: dialplan/extensions_cc112.conf's fallback extension."""

    context: str = "cc112-inbound"
    extension: str = "fallback"
    priority: int = 1


FALLBACK_TARGET = FallbackTarget()


@dataclass(frozen=True, slots=True)
class WatchdogPorts:
    holds_app: Callable[[], Awaitable[bool]]  # does a controller hold the Stasis app now?
    channels: Callable[[], Awaitable[Sequence[tel.ChannelSnapshot]]]  # GET /channels
    bridges: Callable[[], Awaitable[Sequence[tel.BridgeSnapshot]]]  # GET /bridges
    hand_over: Callable[[str, FallbackTarget], Awaitable[None]]  # POST /channels/{id}/continue
    monotonic: Callable[[], float]


def orphans(app: str, channels: Sequence[tel.ChannelSnapshot], bridges: Sequence[tel.BridgeSnapshot]) -> list[str]:
    """Citizens held in the app and not talking: in no bridge, or alone in one (their seat hung up)."""
    talking = {cid for b in bridges if len(b.channel_ids) > 1 for cid in b.channel_ids}
    return [c.channel_id for c in sorted(channels, key=lambda c: (c.created is None, c.created, c.channel_id))
            if c.app == app and c.args[:1] == ("inbound",) and c.channel_id not in talking]


class OrphanWatchdog:
    def __init__(self, ports: WatchdogPorts, *, app: str = "cc112", absent_after: float = ABSENT_AFTER,
                 target: FallbackTarget = FALLBACK_TARGET) -> None:
        self.ports = ports
        self.app = app
        self.absent_after = absent_after
        self.target = target
        self.absent_since: float | None = None
        self.handed_over = 0
        # `continue` waits behind the channel's queued playbacks (ari-15): a caller stays listed in the
        # app for a while after the 204, so one handed over is not sent again before RESEND_AFTER
        self._sent: dict[str, float] = {}

    async def check(self) -> list[str]:
        """One look: the channels handed to the fallback this time (usually none)."""
        if await self._held():
            return []
        now = self.ports.monotonic()
        if self.absent_since is None:
            self.absent_since = now
            log.warning("controller_absent", app=self.app, rescue_after_s=self.absent_after)
        if now - self.absent_since < self.absent_after:
            return []
        try:
            found = orphans(self.app, await self.ports.channels(), await self.ports.bridges())
        except Exception as exc:
            log.warning("watchdog_asterisk_unavailable", error=repr(exc))
            return []
        if not found or await self._held():  # asked again: a controller coming back takes them itself
            return []
        self._sent = {c: t for c, t in self._sent.items() if c in found and now - t < RESEND_AFTER}
        moved = []
        for channel_id in (c for c in found if c not in self._sent):
            try:
                await self.ports.hand_over(channel_id, self.target)
            except Exception as exc:  # gone meanwhile, or Asterisk refused: the next look tries again
                log.warning("orphan_not_handed_over", channel=channel_id, error=repr(exc))
                continue
            moved.append(channel_id)
            self._sent[channel_id] = now
            log.warning("orphan_handed_to_fallback", channel=channel_id, app=self.app,
                        context=self.target.context, extension=self.target.extension)
        self.handed_over += len(moved)
        return moved

    async def _held(self) -> bool:
        try:
            held = await self.ports.holds_app()
        except Exception as exc:
            log.debug("controller_probe_failed", error=repr(exc))
            held = False
        if held and self.absent_since is not None:
            log.info("controller_back", app=self.app)
            self.absent_since = None
        return held

    async def run(self, stop: asyncio.Event, interval: float = CHECK_INTERVAL) -> None:
        """Look every `interval` seconds until `stop` is set."""
        log.info("watchdog_started", app=self.app, absent_after=self.absent_after, target=self.target.context)
        while not stop.is_set():
            try:
                await self.check()
            except Exception:  # a bug must not end the watch over an emergency line's callers
                log.exception("watchdog_check_failed")
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                pass
        log.info("watchdog_stopped", handed_over=self.handed_over)
