"""Session and system actions: Logoff, Ping, Events, CoreStatus, CoreSettings, Command, ListCommands."""

from __future__ import annotations

import time

from cc112_pbx.emulator.ami_actions import ACTIONS, ActionContext, action, is_true
from cc112_pbx.emulator.ami_protocol import AmiMessage

ASTERISK_VERSION = "22.10.1"
AMI_VERSION = "11.0.0"

ACTION_SYNOPSIS = {
    "Command": ("Execute Asterisk CLI Command.", "command,all"),
    "CoreSettings": ("Show PBX core settings (version etc).", "system,reporting,all"),
    "CoreShowChannels": ("List currently active channels.", "system,reporting,all"),
    "CoreStatus": ("Show PBX core status variables.", "system,reporting,all"),
    "DeviceStateList": ("List the current known device states.", "call,reporting,all"),
    "Challenge": ("Generate Challenge for MD5 Auth.", "<none>"),
    "Events": ("Control Event Flow.", "<none>"),
    "Getvar": ("Gets a channel variable or function value.", "call,reporting,all"),
    "Hangup": ("Hangup channel.", "system,call,all"),
    "ListCommands": ("List available manager commands.", "<none>"),
    "Login": ("Login Manager.", "<none>"),
    "Logoff": ("Logoff Manager.", "<none>"),
    "MixMonitor": ("Record a call and mix the audio during the recording.", "system,all"),
    "Originate": ("Originate a call.", "originate,all"),
    "Ping": ("Keepalive command.", "<none>"),
    "PJSIPShowAors": ("Lists PJSIP AORs.", "system,all"),
    "PJSIPShowContacts": ("Lists PJSIP Contacts.", "system,all"),
    "PJSIPShowEndpoint": ("Detail listing of an endpoint and its objects.", "system,all"),
    "PJSIPShowEndpoints": ("Lists PJSIP endpoints.", "system,all"),
    "QueueAdd": ("Add interface to queue.", "agent,all"),
    "QueuePause": ("Makes a queue member temporarily unavailable.", "agent,all"),
    "QueuePenalty": ("Set the penalty for a queue member.", "agent,all"),
    "QueueRemove": ("Remove interface from queue.", "agent,all"),
    "QueueStatus": ("Show queue status.", "<none>"),
    "QueueSummary": ("Show queue summary.", "<none>"),
    "Setvar": ("Sets a channel variable or function value.", "call,all"),
    "StopMixMonitor": (
        "Stop recording a call through MixMonitor, and free the recording's file handle.",
        "system,call,all",
    ),
}


@action("Logoff")
async def logoff(ctx: ActionContext, m: AmiMessage) -> None:
    ctx.send([("Response", "Goodbye"), *_id(m), ("Message", "Thanks for all the fish.")])
    ctx.session.close()


@action("Ping")
async def ping(ctx: ActionContext, m: AmiMessage) -> None:
    ctx.ack(m, extra=[("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}")])


@action("Events")
async def events(ctx: ActionContext, m: AmiMessage) -> None:
    on = ctx.session.set_event_mask(m.get("EventMask"))
    ctx.ack(m, extra=[("Events", "On" if on else "Off")])


@action("CoreStatus")
async def core_status(ctx: ActionContext, m: AmiMessage) -> None:
    started = time.localtime(ctx.server.started_at)
    date, clock = time.strftime("%Y-%m-%d", started), time.strftime("%H:%M:%S", started)
    channels = _channels(ctx)
    ctx.ack(
        m,
        extra=[
            ("CoreStartupDate", date),
            ("CoreStartupTime", clock),
            ("CoreReloadDate", date),
            ("CoreReloadTime", clock),
            ("CoreCurrentCalls", str(len(channels))),
            ("CoreProcessedCalls", str(getattr(ctx.core, "processed_calls", 0))),
        ],
    )


@action("CoreSettings")
async def core_settings(ctx: ActionContext, m: AmiMessage) -> None:
    ctx.ack(
        m,
        extra=[
            ("AMIversion", AMI_VERSION),
            ("AsteriskVersion", ASTERISK_VERSION),
            ("SystemName", ""),
            ("CoreMaxCalls", "0"),
            ("CoreMaxLoadAvg", "0.000000"),
            ("CoreRunUser", ""),
            ("CoreRunGroup", ""),
            ("CoreMaxFilehandles", "0"),
            ("CoreRealTimeEnabled", "No"),
            ("CoreCDRenabled", "Yes"),
            ("CoreHTTPenabled", "No"),
            ("SoundsSearchCustomDir", "No"),
        ],
    )


@action("Command")
async def command(ctx: ActionContext, m: AmiMessage) -> None:
    cli = m.get("Command").strip()
    if not cli:
        ctx.error(m, "No command provided")
        return
    if cli == "core show version":
        output = [f"Asterisk {ASTERISK_VERSION} (cc112 emulator)"]
    elif cli == "core show uptime":
        output = [f"System uptime: {int(time.time() - ctx.server.started_at)} seconds"]
    elif cli.startswith("queue show"):
        output = ctx.server.queues.cli_show()
    else:
        output = [f"No such command '{cli}' (type 'core show help {cli}' for other possible commands)"]
    ctx.ack(m, "Command output follows", extra=[("Output", line) for line in output])


@action("ListCommands")
async def list_commands(ctx: ActionContext, m: AmiMessage) -> None:
    names = sorted((entry[0] for entry in ACTIONS.values()), key=str.lower)
    extra = []
    for name in names:
        synopsis, privilege = ACTION_SYNOPSIS.get(name, ("", "<none>"))
        extra.append((name, f"{synopsis}  (Priv: {privilege})"))
    ctx.ack(m, extra=extra)


@action("Challenge")
async def challenge(ctx: ActionContext, m: AmiMessage) -> None:
    if m.get("AuthType").lower() != "md5":
        ctx.error(m, "Must specify AuthType")
        return
    ctx.error(m, "MD5 authentication is not supported by the emulator")


def _id(m: AmiMessage) -> list[tuple[str, str]]:
    return [("ActionID", m.get("ActionID"))] if m.get("ActionID") else []


def _channels(ctx: ActionContext) -> list[object]:
    lister = getattr(ctx.core, "list_channels", None) or getattr(ctx.core, "channels", None)
    if callable(lister):
        return list(lister())
    if isinstance(lister, dict):
        return list(lister.values())
    return []


__all__ = ["is_true"]
