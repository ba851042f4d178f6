"""Core events -> AMI events, with Asterisk 22's names, privileges and fields (ami-0x traces).

One dispatch table, event type -> formatter. Stasis, playback and ARI recording events have
no AMI counterpart (the traces show none) and are ignored.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cc112_pbx.emulator.ami_fields import bridge_block, cause_text, channel_block
from cc112_pbx.emulator.core import events as ev

if TYPE_CHECKING:
    from cc112_pbx.emulator.ami_server import AmiServer

Pairs = list[tuple[str, str]]
CALL = "call,all"
DIALPLAN = "dialplan,all"
SECURITY = "security,all"
DIAL_APPLICATIONS = ("AppDial2", "AppQueue", "AppDial")
CALLING_PRES = "0 (Presentation Allowed, Not Screened)"


class AmiEventMapper:
    def __init__(self, server: AmiServer) -> None:
        self.server = server
        self._local_bridged: set[str] = set()  # `;1` names whose LocalBridge was published
        self._dial_app_pending: set[str] = set()  # new channels whose application is not shown yet
        self._caller_shown: set[str] = set()  # channels with a NewCallerid published
        self._table: dict[type, Callable[[Any], None]] = {
            ev.ChannelCreated: self._new_channel,
            ev.ChannelStateChanged: lambda e: self._channel("Newstate", CALL, e),
            ev.ChannelCallerIdChanged: self._new_caller_id,
            ev.ChannelConnectedLineChanged: lambda e: self._channel("NewConnectedLine", CALL, e),
            ev.ChannelDialplanStep: self._new_exten,
            ev.ChannelVarSet: lambda e: self._channel(
                "VarSet", DIALPLAN, e, [("Variable", e.variable), ("Value", e.value)]
            ),
            ev.ChannelHangupRequest: self._hangup_request,
            ev.ChannelDestroyed: self._hangup,
            ev.DtmfDigit: self._dtmf,
            ev.DtmfBeginRead: self._dtmf_begin_read,
            ev.DialBegin: self._dial_begin,
            ev.DialStatus: self._dial_status,
            ev.BridgeCreated: lambda e: self._publish("BridgeCreate", CALL, bridge_block(e.snapshot, 0)),
            ev.BridgeDestroyed: lambda e: self._publish("BridgeDestroy", CALL, bridge_block(e.snapshot, 0)),
            ev.EnteredBridge: lambda e: self._publish(
                "BridgeEnter", CALL, [*bridge_block(e.bridge_snapshot), *channel_block(e.snapshot)]
            ),
            ev.LeftBridge: lambda e: self._publish(
                "BridgeLeave", CALL, [*bridge_block(e.bridge_snapshot), *channel_block(e.snapshot)]
            ),
            ev.DeviceStateChanged: lambda e: self._publish(
                "DeviceStateChange", CALL, [("Device", e.device), ("State", e.state)]
            ),
            ev.ContactStatusChanged: self._contact_status,
        }

    def on_core_event(self, event: ev.CoreEvent) -> None:
        if isinstance(event, ev.ChannelEvent) and event.channel_id in self._dial_app_pending:
            self._dial_application(event, event.channel_id, event.snapshot)
        if isinstance(event, ev.DialBegin | ev.DialStatus) and event.peer_id in self._dial_app_pending:
            self._dial_application(event, event.peer_id, event.peer_snapshot)
        handler = self._table.get(type(event))
        if handler is not None:
            handler(event)

    def _dial_application(self, event: ev.CoreEvent, channel_id: str, snapshot: dict[str, Any]) -> None:
        """The dialling code (Dial, Originate, app_queue) names the outgoing channel's
        application (`AppDial2` / `AppQueue`, `(Outgoing Line)`) right after creating it, and
        Asterisk publishes that as a Newexten before anything else happens to the channel: the
        `;1` half of every Local pair dialled in the traces, even one whose extension is missing."""
        dialplan = snapshot.get("dialplan") or {}
        app = str(dialplan.get("app_name", ""))
        if isinstance(event, ev.ChannelDialplanStep):
            self._dial_app_pending.discard(channel_id)  # it runs a dialplan instead
            return
        if app not in DIAL_APPLICATIONS:
            return
        self._dial_app_pending.discard(channel_id)
        fields = [("Extension", str(dialplan.get("exten", ""))), ("Application", app)]
        pairs = [*channel_block(snapshot), *fields, ("AppData", str(dialplan.get("app_data", "")))]
        self._publish("Newexten", DIALPLAN, pairs)

    # -- formatters -------------------------------------------------------------------------
    def _publish(self, name: str, privilege: str, pairs: Pairs) -> None:
        self.server.publish(name, privilege, pairs)

    def _channel(self, name: str, privilege: str, event: Any, extra: Pairs = ()) -> None:
        self._publish(name, privilege, [*channel_block(event.snapshot), *extra])

    def _new_caller_id(self, event: ev.ChannelCallerIdChanged) -> None:
        if event.channel_id in self.server.core.channels:  # not for a late one after the Hangup
            self._caller_shown.add(event.channel_id)
        self._channel("NewCallerid", CALL, event, [("CID-CallingPres", CALLING_PRES)])

    def _hangup(self, event: ev.ChannelDestroyed) -> None:
        self._dial_app_pending.discard(event.channel_id)
        self._caller_shown.discard(event.channel_id)
        self._local_bridged.discard(str(event.snapshot.get("name", "")))
        cause = [("Cause", str(event.cause)), ("Cause-txt", event.cause_txt or cause_text(event.cause))]
        self._channel("Hangup", CALL, event, cause)

    def _new_channel(self, event: ev.ChannelCreated) -> None:
        self._channel("Newchannel", CALL, event)
        self._dial_app_pending.add(event.channel_id)

    def _local_bridge_before_dial(self, peer: dict[str, Any]) -> None:
        """Asterisk's Local driver publishes LocalBridge when the pair is called (local_call),
        i.e. just before the dial that calls its `;1` half; a pair whose extension does not
        exist fails before that and shows none (ami-05)."""
        name = str(peer.get("name", ""))
        if not (name.startswith("Local/") and name.endswith(";1")) or name in self._local_bridged:
            return
        two = self.server.core.find_channel_by_name(name[:-1] + "2")
        if two is not None:
            self._local_bridged.add(name)
            self._announce_one_half(peer)
            self._local_bridge(peer, two.to_dict())

    def _announce_one_half(self, one: dict[str, Any]) -> None:
        """Asterisk shows a called `;1` half's caller id and connected line before LocalBridge
        (ami-02, ami-06). The core leaves them unannounced for an ARI originate (the app
        subscribes to `;1` only afterwards, ari-01); AMI sees every channel, so they are shown here."""
        if str(one.get("id", "")) in self._caller_shown:
            return
        caller = one.get("caller") or {}
        if caller.get("name") or caller.get("number"):
            self._publish("NewCallerid", CALL, [*channel_block(one), ("CID-CallingPres", CALLING_PRES)])
            self._publish("NewConnectedLine", CALL, channel_block(one))

    def _local_bridge(self, one: dict[str, Any], two: dict[str, Any]) -> None:
        pairs: Pairs = []
        for prefix, snapshot in (("LocalOne", one), ("LocalTwo", two)):
            for key, value in channel_block(snapshot):
                pairs.append((prefix + key, value))
        dialplan = two.get("dialplan") or {}
        pairs += [
            ("Context", str(dialplan.get("context", ""))),
            ("Exten", str(dialplan.get("exten", ""))),
            ("LocalOptimization", "Yes"),
        ]
        self._publish("LocalBridge", CALL, pairs)

    def _new_exten(self, event: ev.ChannelDialplanStep) -> None:
        dialplan = event.snapshot.get("dialplan") or {}
        self._channel(
            "Newexten",
            DIALPLAN,
            event,
            [
                ("Extension", str(dialplan.get("exten", ""))),
                ("Application", event.app),
                ("AppData", event.app_data),
            ],
        )

    def _hangup_request(self, event: ev.ChannelHangupRequest) -> None:
        name = "SoftHangupRequest" if event.soft else "HangupRequest"
        cause = event.cause if event.cause is not None else 16
        if event.soft and cause == 32:
            cause = 16  # ARI's soft-hangup flag value; AMI shows the Q.850 cause
        self._channel(name, CALL, event, [("Cause", str(cause))])

    def _dtmf(self, event: ev.DtmfDigit) -> None:
        if not event.requeued:  # (a requeued digit's ;1 side was shown with its first read)
            self._dtmf_sent_by_partner(event)
        self._dtmf_pair(event.snapshot, event, "Received")

    def _dtmf_begin_read(self, event: ev.DtmfBeginRead) -> None:
        """Answer()'s read of a digit's begin (ami-07: shown again once the next step reads it)."""
        self._dtmf_sent_by_partner(
            ev.DtmfDigit(event.at, event.channel_id, event.snapshot, event.digit, event.duration_ms)
        )
        block = channel_block(event.snapshot)
        self._publish("DTMFBegin", "dtmf,all", [*block, ("Digit", event.digit), ("Direction", "Received")])

    def _dtmf_sent_by_partner(self, event: ev.DtmfDigit) -> None:
        core = self.server.core
        channel = core.channels.get(event.channel_id)
        one = core.partner(channel) if channel is not None and channel.half == 2 else None
        if one is not None and one.bridge_id is not None:
            # the digit crossed a bridge into this pair: written to the ;1 half first (ami-07)
            self._dtmf_pair(one.to_dict(), event, "Sent")

    def _dtmf_pair(self, snapshot: dict[str, Any], event: ev.DtmfDigit, direction: str) -> None:
        block = channel_block(snapshot)
        self._publish("DTMFBegin", "dtmf,all", [*block, ("Digit", event.digit), ("Direction", direction)])
        duration = ("DurationMs", str(event.duration_ms))
        self._publish("DTMFEnd", "dtmf,all", [*block, ("Digit", event.digit), duration, ("Direction", direction)])

    def _dial_pairs(self, event: ev.DialBegin | ev.DialStatus) -> Pairs:
        pairs: Pairs = []
        if event.caller_snapshot is not None:
            pairs += channel_block(event.caller_snapshot)
        pairs += channel_block(event.peer_snapshot, "Dest")
        return pairs

    def _dial_begin(self, event: ev.DialBegin) -> None:
        self._local_bridge_before_dial(event.peer_snapshot)
        self._publish("DialBegin", CALL, [*self._dial_pairs(event), ("DialString", event.dialstring)])

    def _dial_status(self, event: ev.DialStatus) -> None:
        name = "DialEnd" if event.final and event.status != "RINGING" else "DialState"
        self._publish(name, CALL, [*self._dial_pairs(event), ("DialStatus", event.status)])

    def _contact_status(self, event: ev.ContactStatusChanged) -> None:
        if not event.qualify:  # a qualify answer has no REGISTER behind it
            self._register_auth(event)
        self._publish(
            "PeerStatus",
            "system,all",
            [
                ("ChannelType", event.technology),
                ("Peer", f"{event.technology}/{event.resource}"),
                ("PeerStatus", event.peer_status),
            ],
        )
        self._publish(
            "ContactStatus",
            "system,all",
            [
                ("URI", event.uri),
                ("ContactStatus", event.status),
                ("AOR", event.resource),
                ("EndpointName", event.resource),
                ("RoundtripUsec", event.roundtrip_usec),
            ],
        )

    def _register_auth(self, event: ev.ContactStatusChanged) -> None:
        """The phone's REGISTER (or unregister) is challenged, then authenticated (ami-08)."""
        host, _, port = event.uri.rpartition("@")[2].partition(":")
        now = time.time()
        call_id = hashlib.blake2s(event.resource.encode(), digest_size=8).hexdigest()  # the REGISTER's
        common: Pairs = [
            ("EventTV", time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}+0000"),
            ("Severity", "Informational"),
            ("Service", event.technology),
            ("EventVersion", "1"),
            ("AccountID", event.resource),
            ("SessionID", f"{call_id}@{host or '127.0.0.1'}"),
            ("LocalAddress", "IPV4/UDP/127.0.0.1/5060"),
            ("RemoteAddress", f"IPV4/UDP/{host or '127.0.0.1'}/{port or '5060'}"),
        ]
        self._publish("ChallengeSent", SECURITY, [*common, ("Challenge", "")])
        self._publish("SuccessfulAuth", SECURITY, [*common, ("UsingPassword", "1")])
