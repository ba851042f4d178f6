"""Device and PJSIP actions: DeviceStateList, PJSIPShowContacts, PJSIPShowEndpoints, PJSIPShowEndpoint,
PJSIPShowAors.

Shapes as ami-08 shows them; the detail objects' fields are in `ami_pjsip_objects`.
"""

from __future__ import annotations

import time
from typing import Any

from cc112_pbx.emulator import ami_pjsip_objects as objects
from cc112_pbx.emulator.ami_actions import ActionContext, action
from cc112_pbx.emulator.ami_protocol import AmiMessage

DEVICE_STATE_TEXT = {
    "NOT_INUSE": "Not in use",
    "INUSE": "In use",
    "BUSY": "Busy",
    "UNAVAILABLE": "Unavailable",
    "RINGING": "Ringing",
    "RINGINUSE": "Ring+Inuse",
    "ONHOLD": "On Hold",
    "INVALID": "Invalid",
    "UNKNOWN": "Unknown",
}
REGISTRATION_SECONDS = 120
QUALIFY_FREQUENCY = 30  # reported for a qualified contact (the project's pjsip.conf, ami-10)


def _pjsip_endpoints(ctx: ActionContext) -> list[Any]:
    endpoints = getattr(ctx.core, "endpoints", {}) or {}
    return sorted((e for e in endpoints.values() if e.technology == "PJSIP"), key=lambda e: e.resource)


def _active_channels(ctx: ActionContext, endpoint: Any) -> int:
    return len([c for c in ctx.core.channels_of_endpoint(endpoint) if c.alive])


@action("DeviceStateList")
async def device_state_list(ctx: ActionContext, m: AmiMessage) -> None:
    ctx.list_ack(m, "Device State Changes will follow")
    devices: list[tuple[str, str]] = []
    for queue in ctx.server.queues.queues.values():
        busy = "INUSE" if queue.entries else "NOT_INUSE"
        devices.append((f"Queue:{queue.name}", busy))
        available = any(member.can_ring(queue.ringinuse) for member in queue.members.values())
        devices.append((f"Queue:{queue.name}_avail", "NOT_INUSE" if available else "INUSE"))
        for member in queue.members.values():
            devices.append((f"Queue:{queue.name}_pause_{member.interface}", "INUSE" if member.paused else "NOT_INUSE"))
    devices += [(e.device, e.device_state) for e in _pjsip_endpoints(ctx)]
    for device, state in devices:
        ctx.list_item(m, "DeviceStateChange", [("Device", device), ("State", state)])
    ctx.list_complete(m, "DeviceStateListComplete", len(devices))


@action("PJSIPShowContacts")
async def pjsip_show_contacts(ctx: ActionContext, m: AmiMessage) -> None:
    registered = [e for e in _pjsip_endpoints(ctx) if e.registered]
    if not registered:
        ctx.error(m, "No Contacts found\n")  # sic: Asterisk 22 sends the LF
        return
    ctx.list_ack(m, "A listing of Contacts follows, presented as ContactList events")
    for endpoint in registered:
        ctx.list_item(m, "ContactList", _contact_item(endpoint))
    ctx.list_complete(m, "ContactListComplete", len(registered))


def _contact_item(endpoint: Any) -> list[tuple[str, str]]:
    uri = endpoint.contact_uri
    host_port = uri.partition("@")[2]
    host, _, port = host_port.partition(":")
    return [
        ("ObjectType", "contact"),
        ("ObjectName", f"{endpoint.resource};@{abs(hash(uri)):032x}"[:40]),
        ("ViaAddr", host),
        ("QualifyTimeout", "3.000000"),
        ("Qualify2xxOnly", "false"),
        ("CallId", f"{abs(hash(uri)):x}@{host}"),
        ("RegServer", ""),
        ("PruneOnBoot", "no"),
        ("Path", ""),
        ("Endpoint", endpoint.resource),
        ("ViaPort", port or "5060"),
        ("AuthenticateQualify", "no"),
        ("Uri", uri),
        ("QualifyFrequency", "0" if endpoint.qualify_delay is None else str(QUALIFY_FREQUENCY)),
        ("UserAgent", "cc112-emulator-phone"),
        ("ExpirationTime", str(int(time.time()) + REGISTRATION_SECONDS)),
        ("OutboundProxy", ""),
        ("Status", endpoint.contact_status),
        ("RoundtripUsec", "502" if endpoint.contact_status == "Reachable" else "N/A"),
    ]


@action("PJSIPShowEndpoints")
async def pjsip_show_endpoints(ctx: ActionContext, m: AmiMessage) -> None:
    endpoints = _pjsip_endpoints(ctx)
    if not endpoints:
        ctx.error(m, "No endpoints found")
        return
    ctx.list_ack(m, "A listing of Endpoints follows, presented as EndpointList events")
    for endpoint in endpoints:
        ctx.list_item(m, "EndpointList", _endpoint_item(ctx, endpoint))
    ctx.list_complete(m, "EndpointListComplete", len(endpoints))


def _endpoint_item(ctx: ActionContext, endpoint: Any) -> list[tuple[str, str]]:
    is_trunk = bool(getattr(endpoint, "always_available", False))
    pairs = [
        ("ObjectType", "endpoint"),
        ("ObjectName", endpoint.resource),
        ("Transport", "transport-udp"),
        ("Aor", "" if is_trunk else endpoint.resource),
        ("Auths", "" if is_trunk else f"{endpoint.resource}-auth"),
        ("OutboundAuths", ""),
    ]
    if not is_trunk:
        contact = f"{endpoint.resource}/{endpoint.contact_uri}," if endpoint.registered else ""
        pairs.append(("Contacts", contact))
    pairs += [
        ("DeviceState", DEVICE_STATE_TEXT.get(endpoint.device_state, "Unknown")),
        ("ActiveChannels", str(_active_channels(ctx, endpoint))),
    ]
    return pairs


@action("PJSIPShowEndpoint")
async def pjsip_show_endpoint(ctx: ActionContext, m: AmiMessage) -> None:
    name = m.get("Endpoint").strip()
    if not name:
        ctx.error(m, "Endpoint parameter missing.")
        return
    endpoint = next((e for e in _pjsip_endpoints(ctx) if e.resource == name), None)
    if endpoint is None:
        ctx.error(m, f"Unable to retrieve endpoint {name}")
        return
    ctx.list_ack(m, "Following are Events for each object associated with the Endpoint")
    state = DEVICE_STATE_TEXT.get(endpoint.device_state, "Unknown")
    items = [
        ("EndpointDetail", objects.endpoint_detail(endpoint, state, _active_channels(ctx, endpoint))),
        ("AuthDetail", objects.auth_detail(endpoint)),
        ("TransportDetail", objects.transport_detail(endpoint)),
        ("AorDetail", objects.aor_detail(endpoint)),
    ]
    if endpoint.registered:
        expires = int(time.time()) + REGISTRATION_SECONDS
        items.append(("ContactStatusDetail", objects.contact_status_detail(endpoint, expires)))
    for event, pairs in items:
        ctx.list_item(m, event, pairs)
    ctx.list_complete(m, "EndpointDetailComplete", len(items))


@action("PJSIPShowAors")
async def pjsip_show_aors(ctx: ActionContext, m: AmiMessage) -> None:
    endpoints = [e for e in _pjsip_endpoints(ctx) if not getattr(e, "always_available", False)]
    if not endpoints:
        ctx.error(m, "No AORs found")
        return
    ctx.list_ack(m, "A listing of AORs follows, presented as AorList events")
    for endpoint in endpoints:
        ctx.list_item(m, "AorList", objects.aor_list_item(endpoint))
    ctx.list_complete(m, "AorListComplete", len(endpoints))
