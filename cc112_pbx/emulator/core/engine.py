"""`Core`: the emulator's state and its primitive operations, with no sockets.

See the package docstring (`cc112_pbx.emulator.core`) for the public API.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

import structlog

from . import bridging, lifecycle
from . import events as ev
from .devices import DeviceOps
from .errors import CoreError
from .model import CAUSE_TEXT, Bridge, CallerId, Channel, Clock, Endpoint, IdSource

log = structlog.get_logger(__name__)

Listener = Callable[[ev.CoreEvent], None]
Application = Callable[["Core", Channel, str], Awaitable[None]]
Function = Callable[["Core", Channel, str], str]



class Core(DeviceOps):
    def __init__(
        self,
        *,
        clock: Clock | None = None,
        ids: IdSource | None = None,
        language: str = "en",
        asterisk_id: str = "02:fc:00:00:00:01",
    ) -> None:
        self.clock = clock or Clock()
        self.ids = ids or IdSource()
        self.language = language
        self.asterisk_id = asterisk_id
        self.channels: dict[str, Channel] = {}
        self._by_name: dict[str, dict[str, Channel]] = {}  # channel name -> channels (by id) bearing it
        self._by_endpoint: dict[tuple[str, str], dict[str, Channel]] = {}  # (technology, resource) -> channels
        self.bridges: dict[str, Bridge] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self.stasis_apps: set[str] = set()
        self.applications: dict[str, Application] = {}
        self.functions: dict[str, Function] = {}
        self.dialplan: Any = None  # a dialplan.Dialplan, set by the composition
        self._listeners: list[Listener] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing = False

    # ---- observers -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(event)` synchronously for every CoreEvent; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def emit(self, event: ev.CoreEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("emulator_listener_failed", event_type=type(event).__name__)

    def now(self) -> datetime:
        return self.clock.now()

    # ---- task ownership ----------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Start a task the core owns; `close()` cancels and awaits every one still running."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("emulator_task_failed", task=task.get_name(), error=repr(task.exception()))

    async def close(self) -> None:
        """Hang up every channel and stop every task."""
        self._closing = True
        for channel in list(self.channels.values()):
            if channel.id in self.channels:
                self.hangup(channel.id, 16, origin="api")
        while self._tasks:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # ---- originate ---------------------------------------------------------------------------
    def originate(self, endpoint: str, **kwargs: Any) -> Any:
        """Create a call to `endpoint`; see `originate.originate` (returns an OriginateResult)."""
        from .originate import originate

        return originate(self, endpoint, **kwargs)

    # ---- lookups -----------------------------------------------------------------------------
    def get_channel(self, channel_id: str) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise CoreError("not_found", "Channel not found")
        return channel

    def find_channel_by_name(self, name: str) -> Channel | None:
        return next(iter(self._by_name.get(name, {}).values()), None)

    def get_bridge(self, bridge_id: str) -> Bridge:
        bridge = self.bridges.get(bridge_id)
        if bridge is None:
            raise CoreError("not_found", "Bridge not found")
        return bridge

    # ---- channels ----------------------------------------------------------------------------
    def new_channel(
        self, technology: str, resource: str, name: str, *, state: str = "Down",
        caller: CallerId | None = None, context: str = "default", exten: str = "s",
        originator: str | None = None, linkedid: str | None = None, channel_id: str | None = None,
        dialled: str = "", connected: CallerId | None = None,
    ) -> Channel:
        cid = channel_id or self.ids.unique_id()
        channel = Channel(
            id=cid, name=name, technology=technology, resource=resource, state=state,
            caller=caller or CallerId(), context=context, exten=exten,
            creationtime=self.now(), language=self.language, linkedid=linkedid or cid,
            originator=originator, dialled=dialled,
        )
        channel.connected = connected or CallerId(channel.caller.name, channel.caller.number)
        self.channels[cid] = channel
        self._by_name.setdefault(name, {})[cid] = channel
        self._by_endpoint.setdefault((technology, resource), {})[cid] = channel
        self.emit(ev.ChannelCreated(self.now(), cid, channel.to_dict(), originator))
        if not (technology == "PJSIP" and state == "Ring"):  # a phone's INVITE: no device state
            self._refresh_device_of(channel)  # until its first state change (ami-11: BUSY at Answer)
        return channel

    def snapshot(self, channel: Channel) -> dict[str, Any]:
        return channel.to_dict()

    def set_state(self, channel: Channel, state: str) -> None:
        if channel.state == state or not channel.alive:
            return
        channel.state = state
        caller_changed = self._take_pending_caller(channel)
        self.emit(ev.ChannelStateChanged(self.now(), channel.id, channel.to_dict()))
        self._publish_caller(channel, caller_changed)
        self._refresh_device_of(channel)

    def set_dialplan_step(self, channel: Channel, app: str, data: str, priority: int | None = None) -> None:
        if priority is not None:
            channel.priority = priority
        channel.app_name, channel.app_data = app, data
        caller_changed = self._take_pending_caller(channel)
        self.emit(ev.ChannelDialplanStep(self.now(), channel.id, channel.to_dict(), app, data))
        self._publish_caller(channel, caller_changed)

    @staticmethod
    def _take_pending_caller(channel: Channel) -> bool:
        """A caller id changed without a snapshot (see `bridging`) is in the channel's next one."""
        if channel.pending_caller is None:
            return False
        channel.caller, channel.pending_caller = channel.pending_caller, None
        return True

    def _publish_caller(self, channel: Channel, changed: bool) -> None:
        """...and its ChannelCallerId follows the event of that snapshot."""
        if changed:
            self.emit(ev.ChannelCallerIdChanged(self.now(), channel.id, channel.to_dict()))

    def set_variable(self, channel_id: str, name: str, value: str) -> None:
        channel = self.get_channel(channel_id)
        if name.upper().startswith("TALK_DETECT("):  # a dialplan function, not a variable: no VarSet
            channel.talk_detect = name.upper() == "TALK_DETECT(SET)"
            return
        channel.variables[name] = value
        self.emit(ev.ChannelVarSet(self.now(), channel.id, channel.to_dict(), name, value))
        bridge = self.bridges.get(channel.bridge_id or "")
        if name == "MIXMONITOR_FILENAME" and bridge is not None:
            # app_mixmonitor attaches its audiohook as it sets this: the bridge is reconfigured (ari-11)
            bridging.reconfigured(self, bridge)

    def get_variable(self, channel_id: str, name: str) -> str | None:
        channel = self.get_channel(channel_id)
        functions = {
            "CALLERID(num)": channel.caller.number,
            "CALLERID(name)": channel.caller.name,
            "CHANNEL(name)": channel.name,
            "UNIQUEID": channel.id,
            "EXTEN": channel.exten,
            "CONTEXT": channel.context,
        }
        if name in functions:
            return functions[name]
        function, paren, args = name.partition("(")
        if paren and function in self.functions and args.endswith(")"):
            return self.functions[function](self, channel, args[:-1])
        return channel.variables.get(name)

    def register_function(self, name: str, function: Function) -> None:
        """Provide a dialplan function: `QUEUE_MEMBER(cc112-fallback,paused,PJSIP/seat01)` calls
        `function(core, channel, "cc112-fallback,paused,PJSIP/seat01") -> str`."""
        self.functions[name] = function

    def set_caller_id(self, channel: Channel, caller: CallerId) -> None:
        channel.caller, channel.pending_caller = caller, None
        self.emit(ev.ChannelCallerIdChanged(self.now(), channel.id, channel.to_dict()))

    def set_connected(self, channel: Channel, connected: CallerId) -> None:
        channel.connected = connected
        self.emit(ev.ChannelConnectedLineChanged(self.now(), channel.id, channel.to_dict()))

    def ring(self, channel: Channel) -> None:
        """The channel's far end is alerting (a ringing phone; ARI `ring`; `Ringing()`)."""
        lifecycle.ring(self, channel)

    def answer(self, channel: Channel) -> None:
        """Answer the channel; answering a Local `;2` half also answers its `;1` half."""
        lifecycle.answer(self, channel)

    def partner(self, channel: Channel) -> Channel | None:
        if channel.partner_id is None:
            return None
        return self.channels.get(channel.partner_id)

    def hangup(self, channel_id: str, cause: int = 16, *, origin: str = "api") -> None:
        """Hang a channel up: request, leave bridge, StasisEnd, destroyed, and its Local partner.

        origin: api (REST DELETE / AMI Hangup), remote, sip (the phone's BYE), timeout, busy, dialplan.
        """
        channel = self.channels.get(channel_id)
        if channel is None:
            raise CoreError("not_found", "Channel not found")
        if not channel.alive or channel.hangup_cause is not None:
            return
        lifecycle.hangup(self, channel, cause, origin)

    def destroy_quietly(self, channel: Channel, cause: int) -> None:
        """Destroy without a hangup request (a Local half whose extension does not exist)."""
        if channel.alive:
            channel.hangup_cause = cause
            self._destroy(channel, cause)

    def _destroy(self, channel: Channel, cause: int) -> None:
        driver = channel.driver
        if driver is not None and driver is not asyncio.current_task() and not driver.done():
            driver.cancel()
        if channel.stasis_exit is not None and not channel.stasis_exit.done():
            channel.stasis_exit.set_result(None)
        channel.gone.set()
        self.channels.pop(channel.id, None)
        _unindex(self._by_name, channel.name, channel.id)
        _unindex(self._by_endpoint, (channel.technology, channel.resource), channel.id)
        caller_changed = self._take_pending_caller(channel)
        self.emit(ev.ChannelDestroyed(self.now(), channel.id, channel.to_dict(), cause,
                                      CAUSE_TEXT.get(cause, "Unknown")))
        self._publish_caller(channel, caller_changed)
        self._refresh_device_of(channel)

    async def send_dtmf(self, channel_id: str, digits: str, *, between_ms: int = 100,
                        duration_ms: int = 100) -> None:
        """DTMF sent to a channel: a Local `;1` half passes it to `;2`, which receives it."""
        channel = self.get_channel(channel_id)
        target = self.partner(channel) if channel.half == 1 else None
        for index, digit in enumerate(digits):
            if index:
                await asyncio.sleep(between_ms / 1000)
            await asyncio.sleep(duration_ms / 1000)  # received when the digit ends
            if target is not None and target.alive:
                self.receive_dtmf(target, digit, duration_ms)
            elif channel.alive:
                await channel.dtmf.put(digit)  # heard by the simulated phone

    async def speak(self, channel_id: str, seconds: float) -> None:
        """The person on a Local `;1` half talks for `seconds`: TALK_DETECT on its `;2` half (the
        channel in the app) reports talking started, then finished with its duration."""
        channel = self.get_channel(channel_id)
        target = self.partner(channel) if channel.half == 1 else channel
        if target is None or not target.alive or not target.talk_detect:
            return
        self.emit(ev.Talking(self.now(), target.id, target.to_dict(), True))
        await asyncio.sleep(seconds)
        if target.alive:
            self.emit(ev.Talking(self.now(), target.id, target.to_dict(), False, int(seconds * 1000)))

    def receive_dtmf(self, channel: Channel, digit: str, duration_ms: int = 100) -> None:
        """The channel received a DTMF digit from its far end; a bridge passes it on to the others
        (a Local `;1` peer hands it to its `;2` half)."""
        self.emit(ev.DtmfDigit(self.now(), channel.id, channel.to_dict(), digit, duration_ms))
        for peer in self.bridge_peers(channel):
            target = self.partner(peer) if peer.half == 1 else None
            if target is None or not target.alive or target.bridge_id is not None:
                continue
            if target.awaiting_media:  # main/channel.c __ast_answer: DTMF counts as media
                target.requeued_dtmf.append((digit, duration_ms))
                self.emit(ev.DtmfBeginRead(self.now(), target.id, target.to_dict(), digit, duration_ms))
            else:
                self.emit(ev.DtmfDigit(self.now(), target.id, target.to_dict(), digit, duration_ms))

    def read_requeued_dtmf(self, channel: Channel) -> None:
        """The next application reads the digits Answer() put back: their begin again, then end."""
        requeued, channel.requeued_dtmf = channel.requeued_dtmf, []
        for digit, duration_ms in requeued:
            self.emit(ev.DtmfDigit(self.now(), channel.id, channel.to_dict(), digit, duration_ms, requeued=True))

    # ---- Stasis --------------------------------------------------------------------------------
    def register_stasis_app(self, app: str) -> None:
        self.stasis_apps.add(app)

    def unregister_stasis_app(self, app: str) -> None:
        self.stasis_apps.discard(app)

    async def stasis(self, channel: Channel, app: str, args: tuple[str, ...]) -> tuple[str, str, int] | None:
        """Run `Stasis(app,args)`: FAILED at once if no such app; else wait for continue or hangup.

        Returns the `continue` target (context, exten, priority), `("", "", 0)` for "next
        priority", or None when the app is not registered (STASISSTATUS=FAILED).
        """
        self.set_variable(channel.id, "STASISSTATUS", "")  # app_stasis, then FAILED or SUCCESS (ami-02, ari-09)
        if app not in self.stasis_apps:
            log.warning("emulator_stasis_app_missing", app=app, channel=channel.name)
            self.set_variable(channel.id, "STASISSTATUS", "FAILED")
            return None
        channel.stasis_app, channel.stasis_args = app, tuple(args)
        channel.stasis_exit = asyncio.get_running_loop().create_future()
        self.emit(ev.StasisStart(self.now(), channel.id, channel.to_dict(), app, tuple(args)))
        return await channel.stasis_exit

    def continue_in_dialplan(self, channel_id: str, context: str = "", exten: str = "",
                             priority: int = 0) -> None:
        channel = self.get_channel(channel_id)
        if channel.stasis_app is None:
            raise CoreError("conflict", "Channel not in Stasis application")
        if channel.bridge_id is not None:
            self._leave_bridge(channel)
        self._end_stasis(channel, (context, exten, priority))

    def _end_stasis(self, channel: Channel, target: tuple[str, str, int] | None) -> None:
        app = channel.stasis_app or ""
        channel.stasis_app = None
        self.emit(ev.StasisEnd(self.now(), channel.id, channel.to_dict(), app))
        if channel.id in self.channels:  # even when it ends by a hang-up (ami-06)
            self.set_variable(channel.id, "STASISSTATUS", "SUCCESS")
        if channel.stasis_exit is not None and not channel.stasis_exit.done():
            channel.stasis_exit.set_result(target)

    # ---- dialplan applications --------------------------------------------------------------
    def register_application(self, name: str, app: Application) -> None:
        """Provide a dialplan application: `async def app(core, channel, data: str) -> None`."""
        self.applications[name] = app

    # ---- bridges -------------------------------------------------------------------------------
    def create_bridge(self, bridge_type: str = "mixing", name: str = "", *, bridge_id: str | None = None,
                      bridge_class: str = "stasis", creator: str = "Stasis", by_rest: bool = True) -> Bridge:
        if bridge_id is not None and bridge_id in self.bridges:
            raise CoreError("conflict", f"Bridge with id '{bridge_id}' already exists")
        bridge = Bridge(id=bridge_id or self.ids.uuid(), bridge_type=bridge_type, name=name,
                        bridge_class=bridge_class, creator=creator, creationtime=self.now())
        self.bridges[bridge.id] = bridge
        self.emit(ev.BridgeCreated(self.now(), bridge.id, bridge.to_dict(), by_rest))
        return bridge

    def destroy_bridge(self, bridge_id: str) -> None:
        bridge = self.get_bridge(bridge_id)
        for channel_id in list(bridge.channels):
            channel = self.channels.get(channel_id)
            if channel is not None:
                self._leave_bridge(channel)
        self.bridges.pop(bridge_id, None)
        self.emit(ev.BridgeDestroyed(self.now(), bridge.id, bridge.to_dict()))

    def add_to_bridge(self, bridge_id: str, channel_id: str) -> None:
        bridge = self.get_bridge(bridge_id)
        channel = self.get_channel(channel_id)
        if channel.bridge_id is not None:
            self._leave_bridge(channel)
        bridge.channels.append(channel.id)
        channel.bridge_id = bridge.id
        self.emit(ev.EnteredBridge(self.now(), bridge.id, bridge.to_dict(), channel.id, channel.to_dict()))
        bridging.reconfigured(self, bridge)

    def add_hidden_participant(self, bridge_id: str, technology: str) -> str:
        """A hidden `Recorder` / `Announcer` channel joins the bridge (BRIDGEPEER, technology,
        connected line follow); returns its name for `remove_hidden_participant`."""
        return bridging.add_hidden(self, self.get_bridge(bridge_id), technology)

    def remove_hidden_participant(self, bridge_id: str, name: str) -> None:
        bridge = self.bridges.get(bridge_id)
        if bridge is not None:
            bridging.remove_hidden(self, bridge, name)

    def remove_from_bridge(self, bridge_id: str, channel_id: str) -> None:
        bridge = self.get_bridge(bridge_id)
        channel = self.get_channel(channel_id)
        if channel.bridge_id != bridge.id:
            raise CoreError("unprocessable", "Channel not in this bridge")
        self._leave_bridge(channel)

    def _leave_bridge(self, channel: Channel) -> None:
        bridge = self.bridges.get(channel.bridge_id or "")
        channel.bridge_id = None
        if bridge is None:
            return
        with contextlib.suppress(ValueError):
            bridge.channels.remove(channel.id)
        if channel.variables.get("BRIDGEPEER") and channel.id in self.channels:
            self.set_variable(channel.id, "BRIDGEPEER", "")  # before ChannelLeftBridge (ari-01, ari-11)
        self.emit(ev.LeftBridge(self.now(), bridge.id, bridge.to_dict(), channel.id, channel.to_dict()))
        bridging.reconfigured(self, bridge)

    def bridge_peers(self, channel: Channel) -> list[Channel]:
        bridge = self.bridges.get(channel.bridge_id or "")
        if bridge is None:
            return []
        return [self.channels[c] for c in bridge.channels if c != channel.id and c in self.channels]


def _unindex(index: dict[Any, dict[str, Channel]], key: Any, channel_id: str) -> None:
    channels = index.get(key)
    if channels is not None:
        channels.pop(channel_id, None)
        if not channels:
            del index[key]
