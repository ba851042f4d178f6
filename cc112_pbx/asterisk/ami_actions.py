"""The typed AMI actions cc112 uses (a mixin of `AmiManager`, which provides `call`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cc112_pbx.asterisk import errors as e
from cc112_pbx.asterisk import translate_ami as ta
from cc112_pbx.asterisk.translate import Malformed
from cc112_pbx.domain import telephony as t


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _items(response: Any, parse) -> list:
    """The items of a list action's answer (the first message is the Response, the last *Complete)."""
    messages = response if isinstance(response, list) else []
    out = []
    for message in messages[1:]:
        try:
            item = parse(message)
        except Malformed as exc:
            raise e.BadResponse(f"AMI list item unreadable: {exc}") from exc
        if item is not None:
            out.append(item)
    return out


class AmiActions:
    async def call(self, fields: dict[str, Any], *, as_list: bool | None = False,
                   timeout: float | None = None) -> Any:  # pragma: no cover - provided by AmiManager
        raise NotImplementedError

    async def ping(self) -> None:
        await self.call({"Action": "Ping"})

    # --- recording ------------------------------------------------------------------------

    async def mix_monitor(self, channel: str, file: str, options: str = "") -> None:
        """Record `channel` (its name, e.g. `PJSIP/pstn-00000001`) into `file` (relative: under
        Asterisk's monitor/ spool). Options as Asterisk takes them, e.g. `b` or `br(rx.wav)t(tx.wav)`.
        The path arrives as a `RecordingStarted` event. Raises AmiNoSuchChannel."""
        fields = {"Action": "MixMonitor", "Channel": channel, "File": file}
        if options:
            fields["Options"] = options
        await self.call(fields)

    async def stop_mix_monitor(self, channel: str) -> None:
        """Raises AmiActionError `Could not stop monitoring channel` when nothing records it."""
        await self.call({"Action": "StopMixMonitor", "Channel": channel})

    # --- the fallback queue's members -----------------------------------------------------

    async def queue_add(self, queue: str, interface: str, member_name: str = "", paused: bool = False,
                        state_interface: str | None = None, *, penalty: int | None = None) -> None:
        """Add a dynamic member. Raises AlreadyMember (treat as success) or NoSuchQueue."""
        fields = {"Action": "QueueAdd", "Queue": queue, "Interface": interface, "Paused": _bool(paused)}
        if member_name:
            fields["MemberName"] = member_name
        if state_interface:
            fields["StateInterface"] = state_interface
        if penalty is not None:
            fields["Penalty"] = str(penalty)
        await self.call(fields)

    async def queue_remove(self, queue: str, interface: str) -> None:
        """Raises NotMember (treat as success) or NoSuchQueue."""
        await self.call({"Action": "QueueRemove", "Queue": queue, "Interface": interface})

    async def queue_pause(self, interface: str, paused: bool, *, queue: str | None = None,
                          reason: str = "") -> None:
        """Pause or unpause a member in `queue` (in all its queues when None). Raises InterfaceNotFound."""
        fields = {"Action": "QueuePause", "Interface": interface, "Paused": _bool(paused)}
        if queue:
            fields["Queue"] = queue
        if reason:
            fields["Reason"] = reason
        await self.call(fields)

    async def queue_status(self, queue: str | None = None) -> list[t.QueueMemberSnapshot]:
        fields = {"Action": "QueueStatus"}
        if queue:
            fields["Queue"] = queue
        return _items(await self.call(fields, as_list=None), ta.queue_member)

    # --- device and contact state ---------------------------------------------------------

    async def device_state_list(self) -> list[t.DeviceStateSnapshot]:
        return _items(await self.call({"Action": "DeviceStateList"}, as_list=None), ta.device_state_item)

    async def pjsip_contacts(self) -> list[t.ContactSnapshot]:
        """Registered contacts; Asterisk's `No Contacts found` error is an empty list."""
        try:
            response = await self.call({"Action": "PJSIPShowContacts"}, as_list=None)
        except e.AmiActionError as exc:
            if "no contacts found" in exc.message.lower():
                return []
            raise
        return _items(response, ta.contact_item)

    # --- originate ------------------------------------------------------------------------

    async def originate(self, channel: str, *, context: str | None = None, exten: str | None = None,
                        priority: int = 1, application: str | None = None, data: str = "",
                        caller_id: str | None = None, timeout_ms: int = 30000,
                        variables: Mapping[str, str] | None = None) -> str:
        """Async Originate; returns the ActionID that the `OriginateFinished` event will carry."""
        if (exten is None) == (application is None):
            raise ValueError("originate needs either context/exten or application")
        fields: dict[str, Any] = {"Action": "Originate", "Channel": channel, "Async": "true",
                                  "Timeout": str(timeout_ms)}
        if application is not None:
            fields.update(Application=application, Data=data)
        else:
            fields.update(Context=context or "default", Exten=exten, Priority=str(priority))
        if caller_id:
            fields["CallerID"] = caller_id
        if variables:
            fields["Variable"] = [f"{k}={v}" for k, v in variables.items()]
        response = await self.call(fields)
        return str(response.get("ActionID", ""))
