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
from cc112_pbx.emulator.mixmonitor import MixMonitorError

REASON_FAILURE = 0


def _find_channel(ctx: ActionContext, name: str) -> Any:
    return ctx.core.find_channel_by_name(name) or ctx.core.channels.get(name)


@action("Originate")
async def originate(ctx: ActionContext, m: AmiMessage) -> None:
    endpoint = m.get("Channel").strip()
    if not endpoint:
        ctx.error(m, "Channel not specified")
        return
    timeout_text, priority_text = m.get("Timeout").strip(), m.get("Priority").strip()
    if timeout_text and not timeout_text.lstrip("-").isdigit():
        ctx.error(m, "Invalid timeout")
        return
    if priority_text and not priority_text.isdigit():
        ctx.error(m, "Invalid priority")
        return
    if "/" not in endpoint:
        ctx.error(m, "Invalid channel")
        return
    request = _OriginateAction(
        ctx,
        m,
        endpoint,
        int(timeout_text) / 1000 if timeout_text else 30.0,
        int(priority_text) if priority_text else 1,
    )
    if is_true(m.get("Async")):
        ctx.ack(m, "Originate successfully queued")
        ctx.server.spawn(request.run(), name=f"ami-originate:{endpoint}")
        return
    if await request.run():
        ctx.ack(m, "Originate successfully queued")
    else:
        ctx.error(m, "Originate failed")


class _OriginateAction:
    """Dial, wait for the outcome, then run the Application or the Context/Exten on the channel."""

    def __init__(
        self, ctx: ActionContext, m: AmiMessage, endpoint: str, timeout: float, priority: int
    ) -> None:
        self.ctx, self.m, self.endpoint = ctx, m, endpoint
        self.timeout, self.priority = max(timeout, 0.001), priority
        self.app, self.data = m.get("Application").strip(), m.get("Data")
        self.context, self.exten = m.get("Context").strip(), m.get("Exten").strip()
        self.variables = dict(_variables(m))
        self.is_async = is_true(m.get("Async"))

    async def run(self) -> bool:
        core = self.ctx.core
        kwargs: dict[str, Any] = {
            "caller_id": self.m.get("CallerID") or None,
            "timeout": self.timeout,
            "variables": self.variables,
        }
        if not self.app and self.exten:
            kwargs.update(context=self.context or "default", exten=self.exten, priority=self.priority)
        try:
            result = core.originate(self.endpoint, **kwargs)
        except CoreError:
            self._respond(None, REASON_FAILURE)
            return False
        for name, value in self.variables.items():
            core.set_variable(result.channel.id, name, value)
        outcome = await result.wait()
        self._respond(result.channel if outcome.answered else None, outcome.reason)
        if outcome.answered and self.app:
            core.spawn(
                _run_application(core, result.channel, self.app, self.data),
                name=f"ami-originate-app:{result.channel.name}",
            )
        return bool(outcome.answered)

    def _respond(self, channel: Any, reason: int) -> None:
        if not self.is_async:
            return
        if channel is not None:
            snapshot = channel.to_dict()
            caller = snapshot.get("caller") or {}
            who = [("Channel", channel.name)]
            tail = [
                ("Uniqueid", channel.id),
                ("CallerIDNum", caller.get("number") or "<unknown>"),
                ("CallerIDName", caller.get("name") or "<unknown>"),
            ]
        else:
            who = [("Channel", self.endpoint)]
            tail = [("Uniqueid", "<unknown>"), ("CallerIDNum", "<unknown>"), ("CallerIDName", "<unknown>")]
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
                *who,
                *target,
                ("Reason", str(reason)),
                *tail,
            ],
        )


async def _run_application(core: Any, channel: Any, app: str, data: str) -> None:
    from cc112_pbx.emulator.dialplan import BUILTINS

    handler = core.applications.get(app) or BUILTINS.get(app)
    if channel.alive:
        core.set_dialplan_step(channel, app, data, 1)
        if handler is not None:
            await handler(core, channel, data)
    if channel.alive:
        core.hangup(channel.id, 16, origin="dialplan")


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
    name = m.get("Channel").strip()
    if not name:
        ctx.error(m, "No channel specified")
        return
    cause_text = m.get("Cause").strip()
    cause = int(cause_text) if cause_text.isdigit() else 16
    if name.startswith("/") and name.endswith("/") and len(name) > 2:
        try:
            pattern = re.compile(name[1:-1])
        except re.error:
            ctx.error(m, "Invalid regex")
            return
        targets = [c for c in list(ctx.core.channels.values()) if pattern.search(c.name)]
    else:
        channel = _find_channel(ctx, name)
        if channel is None:
            ctx.error(m, "No such channel")
            return
        targets = [channel]
    for channel in targets:
        if channel.alive:
            ctx.core.hangup(channel.id, cause, origin="api")
    ctx.ack(m, "Channel Hungup")


@action("MixMonitor")
async def mixmonitor(ctx: ActionContext, m: AmiMessage) -> None:
    name = m.get("Channel").strip()
    if not name:
        ctx.error(m, "No channel specified")
        return
    channel = _find_channel(ctx, name)
    if channel is None:
        ctx.error(m, "No such channel")
        return
    try:
        ctx.server.mixmonitor.start(channel.id, m.get("File"), m.get("Options"))
    except MixMonitorError as error:
        ctx.error(m, error.message)
        return
    ctx.ack(m)


@action("StopMixMonitor")
async def stop_mixmonitor(ctx: ActionContext, m: AmiMessage) -> None:
    name = m.get("Channel").strip()
    if not name:
        ctx.error(m, "No channel specified")
        return
    channel = _find_channel(ctx, name)
    if channel is None:
        ctx.error(m, "No such channel")
        return
    try:
        ctx.server.mixmonitor.stop(channel.id)
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
