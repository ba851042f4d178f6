"""Call actions: Originate (sync and async), Hangup, MixMonitor, StopMixMonitor, CoreShowChannels.

Texts as manager.c and app_mixmonitor.c answer them; OriginateResponse as ami-05/ami-09 show.
"""

from __future__ import annotations

import re
import time
from typing import Any

from cc112_pbx.emulator.ami_actions import ActionContext, action, is_true
from cc112_pbx.emulator.ami_fields import channel_block
from cc112_pbx.emulator.ami_protocol import AmiMessage
from cc112_pbx.emulator.core.engine import CoreError
from cc112_pbx.emulator.core.model import CallerId
from cc112_pbx.emulator.mixmonitor import MixMonitorError

REASON_FAILURE = 0


def _find_channel(ctx: ActionContext, name: str) -> Any:
    return ctx.core.find_channel_by_name(name) or ctx.core.channels.get(name)


@action("Originate")
async def originate(ctx: ActionContext, m: AmiMessage) -> None:
    """manager.c action_originate: the same checks in the same order, the same answers."""
    endpoint = m.get("Channel").strip()
    if not endpoint:
        ctx.error(m, "Channel not specified")
        return
    timeout_text, priority_text = m.get("Timeout").strip(), m.get("Priority").strip()
    if priority_text and not priority_text.lstrip("-").isdigit():
        ctx.error(m, "Invalid priority")
        return
    if timeout_text and not timeout_text.lstrip("-").isdigit():
        ctx.error(m, "Invalid timeout")
        return
    if "/" not in endpoint:
        ctx.error(m, "Invalid channel")
        return
    request = _OriginateAction(
        ctx,
        m,
        endpoint,
        int(timeout_text) / 1000 if timeout_text else 30.0,
        int(priority_text) if priority_text else 0,
    )
    if request.priority and not request.app and not _extension_exists(ctx, request.context, request.exten):
        ctx.error(m, "Extension does not exist.")
        return
    if is_true(m.get("Async")):
        ctx.ack(m, "Originate successfully queued")
        ctx.server.spawn(request.run(), name=f"ami-originate:{endpoint}")
        return
    if not request.app and not request.priority:
        ctx.error(m, "Originate with 'Exten' requires 'Context' and 'Priority'")
        return
    if await request.run():
        ctx.ack(m, "Originate successfully queued")
    else:
        ctx.error(m, "Originate failed")


def _extension_exists(ctx: ActionContext, context: str, exten: str) -> bool:
    dialplan = getattr(ctx.core, "dialplan", None)
    return dialplan is None or dialplan.lookup(context, exten) is not None


class _OriginateAction:
    """Dial, wait for the outcome, then run the Application or the Context/Exten on the channel."""

    def __init__(self, ctx: ActionContext, m: AmiMessage, endpoint: str, timeout: float, priority: int) -> None:
        self.ctx, self.m, self.endpoint = ctx, m, endpoint
        self.timeout, self.priority = max(timeout, 0.001), priority
        self.app, self.data = m.get("Application").strip(), m.get("Data")
        self.context, self.exten = m.get("Context").strip(), m.get("Exten").strip()
        self.variables = dict(_variables(m))
        self.is_async = is_true(m.get("Async"))
        self.caller = CallerId.parse(m.get("CallerID") or None)

    async def run(self) -> bool:
        core = self.ctx.core
        kwargs: dict[str, Any] = {
            "caller_id": self.caller,
            "timeout": self.timeout,
            "variables": self.variables,
            "channel_id": self.m.get("ChannelId").strip() or None,
            "other_channel_id": self.m.get("OtherChannelId").strip() or None,
        }
        if not self.app and self.exten:
            kwargs.update(context=self.context or "default", exten=self.exten, priority=self.priority or 1)
        try:
            result = core.originate(self.endpoint, **kwargs)
        except CoreError:
            self._respond(None, REASON_FAILURE)
            return False
        outcome = await result.wait()
        self._respond(result.channel if outcome.answered else None, outcome.reason)
        if outcome.answered and self.app:
            core.spawn(
                _run_application(core, result.channel, self.app, self.data),
                name=f"ami-originate-app:{result.channel.name}",
            )
        return bool(outcome.answered)

    def _respond(self, channel: Any, reason: int) -> None:
        """OriginateResponse as fast_originate() words it (caller id from the request)."""
        if not self.is_async:
            return
        unique = channel.id if channel is not None else (self.m.get("ChannelId").strip() or "<unknown>")
        target = (
            [("Application", self.app), ("Data", self.data)]
            if self.app
            else [("Context", self.context), ("Exten", self.exten)]
        )
        action_id = [("ActionID", self.m.get("ActionID"))] if self.m.get("ActionID") else []
        self.ctx.server.publish(
            "OriginateResponse",
            "call,all",
            [
                *action_id,
                ("Response", "Success" if channel is not None else "Failure"),
                ("Channel", channel.name if channel is not None else self.endpoint),
                *target,
                ("Reason", str(reason)),
                ("Uniqueid", unique),
                ("CallerIDNum", self.caller.number or "<unknown>"),
                ("CallerIDName", self.caller.name or "<unknown>"),
            ],
        )


async def _run_application(core: Any, channel: Any, app: str, data: str) -> None:
    from cc112_pbx.emulator.dialplan import BUILTINS

    handler = core.applications.get(app) or BUILTINS.get(app)
    if channel.alive:
        # Originate's application runs without the PBX (pbx_exec): the channel's snapshot names
        # it from now on, but no Newexten is published (ami-02, ami-09)
        channel.app_name, channel.app_data = app, data
        if handler is not None:
            await handler(core, channel, data)
    if channel.alive:  # pbx_outgoing_exec hangs the channel up itself: no hang-up request (ami-02)
        core.hangup(channel.id, 16, origin="app_end")


def _variables(m: AmiMessage) -> list[tuple[str, str]]:
    out = []
    for value in m.get_all("Variable"):
        for item in value.split(","):
            name, sep, val = item.partition("=")
            if sep and name.strip():
                out.append((name.strip(), val))
    return out


@action("Hangup")
async def hangup(ctx: ActionContext, m: AmiMessage) -> None:
    """One channel by name (`Channel Hungup`), or every channel matching `/regex/` (a list)."""
    name = m.get("Channel").strip()
    if not name:
        ctx.error(m, "No channel specified")
        return
    cause_text = m.get("Cause").strip()
    cause = int(cause_text) if cause_text.isdigit() and int(cause_text) <= 127 else 16
    if not name.startswith("/"):
        channel = _find_channel(ctx, name)
        if channel is None:
            ctx.error(m, "No such channel")
            return
        ctx.core.hangup(channel.id, cause, origin="api")
        ctx.ack(m, "Channel Hungup")
        return
    if len(name) < 2 or not name.endswith("/"):
        ctx.error(m, "Regex format invalid, Channel param should be /regex/")
        return
    try:
        pattern = re.compile(name[1:-1])
    except re.error:
        ctx.error(m, f"Regex compile failed on: {name}")
        return
    ctx.list_ack(m, "Channels hung up will follow")
    matched = [c for c in list(ctx.core.channels.values()) if pattern.search(c.name)]
    for channel in matched:
        if channel.alive:
            ctx.core.hangup(channel.id, cause, origin="api")
        ctx.send([("Event", "ChannelHungup"), ("Channel", channel.name), *_action_id(m)])
    ctx.list_complete(m, "ChannelsHungupListComplete", len(matched))


def _action_id(m: AmiMessage) -> list[tuple[str, str]]:
    return [("ActionID", m.get("ActionID"))] if m.get("ActionID") else []


def _variable_target(ctx: ActionContext, m: AmiMessage) -> tuple[str, Any] | None:
    """`Variable` and the optional `Channel` (None: global) of Setvar/Getvar, or None after
    answering manager.c's error."""
    variable = m.get("Variable").strip()
    if not variable:
        ctx.error(m, "No variable specified")
        return None
    name = m.get("Channel").strip()
    channel = _find_channel(ctx, name) if name else None
    if name and channel is None:
        ctx.error(m, "No such channel")
        return None
    return variable, channel


@action("Setvar")
async def setvar(ctx: ActionContext, m: AmiMessage) -> None:
    target = _variable_target(ctx, m)
    if target is None:
        return
    variable, channel = target
    if channel is None:
        ctx.error(m, "Variable not set")  # the emulator keeps no global variables
        return
    ctx.core.set_variable(channel.id, variable, m.get("Value"))
    ctx.ack(m, "Variable Set")


@action("Getvar")
async def getvar(ctx: ActionContext, m: AmiMessage) -> None:
    target = _variable_target(ctx, m)
    if target is None:
        return
    variable, channel = target
    value = ctx.core.get_variable(channel.id, variable) if channel is not None else None
    ctx.ack(m, extra=[("Variable", variable), ("Value", value or "")])


def _named_channel(ctx: ActionContext, m: AmiMessage) -> Any:
    """The action's `Channel`, or None after answering app_mixmonitor's error for it."""
    name = m.get("Channel").strip()
    if not name:
        ctx.error(m, "No channel specified")
        return None
    channel = _find_channel(ctx, name)
    if channel is None:
        ctx.error(m, "No such channel")
    return channel


@action("MixMonitor")
async def mixmonitor(ctx: ActionContext, m: AmiMessage) -> None:
    channel = _named_channel(ctx, m)
    if channel is None:
        return
    try:
        recording = ctx.server.mixmonitor.start(channel.id, m.get("File"), m.get("Options"))
    except MixMonitorError as error:
        ctx.error(m, error.message)
        return
    ctx.ack(m, extra=[("MixMonitorID", recording.id)] if recording.options.get("i") else [])


@action("StopMixMonitor")
async def stop_mixmonitor(ctx: ActionContext, m: AmiMessage) -> None:
    channel = _named_channel(ctx, m)
    if channel is None:
        return
    try:
        ctx.server.mixmonitor.stop(channel.id, m.get("MixMonitorID").strip())
    except MixMonitorError as error:
        ctx.error(m, error.message)
        return
    ctx.ack(m)


@action("CoreShowChannels")
async def core_show_channels(ctx: ActionContext, m: AmiMessage) -> None:
    ctx.list_ack(m, "Channels will follow")
    channels = [c for c in ctx.core.channels.values() if c.alive]
    now = ctx.core.now()
    for channel in channels:
        seconds = max(int((now - channel.creationtime).total_seconds()), 0)
        duration = time.strftime("%H:%M:%S", time.gmtime(seconds))
        ctx.list_item(
            m,
            "CoreShowChannel",
            [
                *channel_block(channel.to_dict()),
                ("BridgeId", channel.bridge_id or ""),
                ("Application", channel.app_name),
                ("ApplicationData", channel.app_data),
                ("Duration", duration),
            ],
        )
    ctx.list_complete(m, "CoreShowChannelsComplete", len(channels))
