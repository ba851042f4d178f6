"""Endpoints, registration and device states: the `Core`'s device half (a mixin)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from . import events as ev
from .errors import CoreError
from .model import Channel, Endpoint

if TYPE_CHECKING:
    from datetime import datetime


class DeviceOps:
    endpoints: dict[str, Endpoint]
    channels: dict[str, Channel]
    _by_endpoint: dict[tuple[str, str], dict[str, Channel]]  # kept by Core: (technology, resource) -> channels

    def emit(self, event: ev.CoreEvent) -> None:  # provided by Core
        raise NotImplementedError

    def now(self) -> datetime:  # provided by Core
        raise NotImplementedError

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:  # provided by Core
        raise NotImplementedError

    def channels_of_endpoint(self, endpoint: Endpoint) -> list[Channel]:
        return list(self._by_endpoint.get((endpoint.technology, endpoint.resource), {}).values())

    # ---- endpoints and devices ---------------------------------------------------------------
    def add_endpoint(self, endpoint: Endpoint) -> Endpoint:
        self.endpoints[endpoint.device] = endpoint
        endpoint.device_state = self._device_state(endpoint)
        return endpoint

    def get_endpoint(self, technology: str, resource: str) -> Endpoint | None:
        return self.endpoints.get(f"{technology}/{resource}")

    def set_registered(self, device: str, registered: bool, uri: str = "") -> None:
        """A softphone registers (online, NOT_INUSE) or unregisters (offline, UNAVAILABLE).

        With `endpoint.qualify_delay` set the registration only brings the endpoint online (ARI
        EndpointStateChange; no AMI event, the device stays UNAVAILABLE, the contact Unknown) and
        the first qualify answer follows `qualify_delay` s later (`qualify`): ami-11."""
        endpoint = self.endpoints.get(device)
        if endpoint is None:
            raise CoreError("not_found", f"Endpoint not found: {device}")
        if endpoint.registered == registered:
            return
        endpoint.registered, endpoint.qualified = registered, False
        endpoint.contact_uri = uri or endpoint.contact_uri or f"sip:{endpoint.resource}@127.0.0.1:5060"
        if registered and endpoint.qualify_delay is not None:
            self.emit(ev.EndpointStateChanged(self.now(), endpoint.technology, endpoint.resource,
                                              endpoint.state, ""))
            self.spawn(self._qualify_after(endpoint, endpoint.qualify_delay), name=f"qualify:{device}")
            return
        peer_status = "Reachable" if registered else "Unreachable"
        self.emit(ev.EndpointStateChanged(self.now(), endpoint.technology, endpoint.resource,
                                          endpoint.state, peer_status))
        contact = ev.ContactStatusChanged(
            self.now(), endpoint.technology, endpoint.resource, endpoint.contact_uri,
            "NonQualified" if registered else "Removed", endpoint.state, peer_status,
        )
        if registered:
            self._refresh_device(endpoint)
            self.emit(contact)
        else:
            self.emit(contact)
            self._refresh_device(endpoint)

    async def _qualify_after(self, endpoint: Endpoint, delay: float) -> None:
        await asyncio.sleep(delay)
        self.qualify(endpoint.device)

    def qualify(self, device: str, roundtrip_usec: int = 502) -> bool:
        """The registered contact of `device` answers its first qualify now: PeerStatus Reachable,
        ContactStatus Reachable, then the device's state (NOT_INUSE when idle). False when there
        is nothing to qualify (not registered, not qualified, or already answered)."""
        endpoint = self.endpoints.get(device)
        if endpoint is None or not endpoint.registered or endpoint.qualify_delay is None or endpoint.qualified:
            return False
        endpoint.qualified = True
        self.emit(ev.EndpointStateChanged(self.now(), endpoint.technology, endpoint.resource, endpoint.state,
                                          "Reachable", state_changed=False))
        self.emit(ev.ContactStatusChanged(self.now(), endpoint.technology, endpoint.resource, endpoint.contact_uri,
                                          "Reachable", endpoint.state, "Reachable", qualify=True,
                                          roundtrip_usec=str(roundtrip_usec)))
        self._refresh_device(endpoint)
        return True

    def _device_state(self, endpoint: Endpoint) -> str:
        """chan_pjsip_devicestate: the endpoint's channels decide when it has any (even before its
        contact is reachable: ami-11's INVITE before REGISTER), else UNAVAILABLE / NOT_INUSE."""
        live = [c for c in self.channels_of_endpoint(endpoint) if c.alive]
        states = {c.state for c in live}
        up = sum(1 for c in live if c.state == "Up")
        if endpoint.busy_at and up >= endpoint.busy_at:
            return "BUSY"
        if "Up" in states or "Busy" in states:
            return "INUSE"
        if states & {"Ringing", "Ring", "Down"}:
            return "RINGING"
        return "NOT_INUSE" if endpoint.reachable else "UNAVAILABLE"

    def _refresh_device(self, endpoint: Endpoint) -> None:
        state = self._device_state(endpoint)
        if state != endpoint.device_state:
            endpoint.device_state = state
            self.emit(ev.DeviceStateChanged(self.now(), endpoint.device, state))

    def _refresh_device_of(self, channel: Channel) -> None:
        if channel.technology == "Local":
            self._local_half_changed(channel)
            return
        endpoint = self.get_endpoint(channel.technology, channel.resource)
        if endpoint is not None:
            self._refresh_device(endpoint)

    def local_device_state(self, resource: str) -> str:
        """chan_local's device state of `Local/<exten>@<context>`: INVALID without that
        extension, INUSE while a channel of it lives, else NOT_INUSE."""
        exten, _, context = resource.partition("@")
        dialplan = getattr(self, "dialplan", None)
        if dialplan is not None and dialplan.lookup(context or "default", exten) is None:
            return "INVALID"
        live = any(c.technology == "Local" and c.resource == resource for c in self.channels.values())
        return "INUSE" if live else "NOT_INUSE"

    def _local_half_changed(self, channel: Channel) -> None:
        """Asterisk publishes a Local device at each state change of a half (ast_setstate) and
        at each half's destruction, not when a half is allocated: busy 3 per pair (`;2` Busy, two
        ends), a missing extension 2 (ami-05), an answered pair 4 (ami-02)."""
        allocated: set[str] | None = getattr(self, "_local_halves_allocated", None)
        if allocated is None:
            allocated = self._local_halves_allocated = set()
        if channel.alive and channel.id not in allocated:
            allocated.add(channel.id)  # its allocation: no device state
            return
        if not channel.alive:
            allocated.discard(channel.id)
        self._publish_local_device(channel.resource)

    def _publish_local_device(self, resource: str) -> None:
        """Local devices are not cached: every state change or end of one of their channels
        publishes the state, repeats included (ami-02, ami-05, ami-06)."""
        self.emit(ev.DeviceStateChanged(self.now(), f"Local/{resource}", self.local_device_state(resource)))
