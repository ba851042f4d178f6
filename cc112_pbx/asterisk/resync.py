"""What the event stream knows about the app's channels, and what a resync tells consumers.

ARI replays nothing after a reconnect: a caller who hung up while the WebSocket was down
gets no StasisEnd, ever. `StasisTracker` remembers
- `channels`: the channels in the app (StasisStart seen, no StasisEnd / ChannelDestroyed yet);
- `watched`: every channel the app heard of and has not seen end (also a seat leg that is
  still ringing, not yet in Stasis; `watch()` adds one by hand, e.g. right after originate);
- `bridges`: the bridges our channels entered.
`resync()` compares that with `GET /channels` + `GET /bridges` after a reconnect and produces,
in this order:
1. `ChannelGone(while_disconnected=True)` for each watched channel no longer listed at all
   (exactly once: it is forgotten, and late events about it are dropped);
2. `CallLeft` for each channel still alive but no longer in the app (it was continued into
   the dialplan meanwhile, e.g. by a watchdog);
3. `BridgeGone(while_disconnected=True)` for each tracked bridge no longer listed;
4. `CallEntered(recovered=True)` for each channel in the app we did not know (it entered
   during the gap, or before this process started); its StasisStart, if it is still queued
   on the new socket, is then dropped as a duplicate;
5. `StreamResynced` with every channel still in the app and every Stasis bridge.
No I/O here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from datetime import datetime, timedelta

import structlog

from cc112_pbx.asterisk.translate import dialled_number
from cc112_pbx.domain import telephony as t

_CLOSING = (t.CallLeft, t.ChannelGone, t.HangupRequested, t.ChannelLeftBridge, t.ChannelStateChanged)

log = structlog.get_logger(__name__)


def _channel_of(event: t.TelephonyEvent) -> str | None:
    if isinstance(event, t.DialProgress):
        return event.peer_channel_id
    return getattr(event, "channel_id", None)


class StasisTracker:
    def __init__(self, app: str) -> None:
        self.app = app
        self.channels: set[str] = set()
        self.watched: set[str] = set()
        self.bridges: set[str] = set()
        self._recovered: set[str] = set()  # added by a resync; their queued StasisStart is a duplicate
        self._gone: set[str] = set()  # reported gone by the last resync: late news about them is stale
        self._left: set[str] = set()  # reported left by the last resync: a queued StasisEnd is a duplicate
        self._ended: deque[str] = deque(maxlen=2000)  # recently ended: watch() may come after the end

    def watch(self, channel_id: str) -> None:
        """Report this channel if it vanishes during a gap, even before any event about it.

        Events can beat the REST answer that caused them: a channel whose end was already
        delivered is not watched again (it would be reported twice)."""
        if channel_id not in self._ended:
            self.watched.add(channel_id)

    def observe(self, event: t.TelephonyEvent) -> bool:
        """Update what we know from a live event; False when the event must not be delivered."""
        channel_id = _channel_of(event)
        if channel_id in self._gone and isinstance(event, (*_CLOSING, t.CallEntered)):
            if isinstance(event, t.CallEntered):  # stale news of a call ended in the gap, or a reused id
                log.warning("call_entered_for_channel_reported_gone_dropped", channel=channel_id)
            return False
        if isinstance(event, t.CallLeft) and event.channel_id in self._left:
            self._left.discard(event.channel_id)
            return False
        match event:
            case t.CallEntered():
                if event.channel_id in self._recovered:
                    self._recovered.discard(event.channel_id)
                    return False
                self.channels.add(event.channel_id)
                self.watched.add(event.channel_id)
            case t.CallLeft() | t.ChannelGone():
                # after StasisEnd the app may hear nothing more of a dialplan caller: stop watching
                self.channels.discard(event.channel_id)
                self.watched.discard(event.channel_id)
                self._recovered.discard(event.channel_id)
                self._ended.append(event.channel_id)
            case t.BridgeGone():
                self.bridges.discard(event.bridge_id)
            case t.ChannelEnteredBridge():
                self.bridges.add(event.bridge_id)
                self.watched.add(event.channel_id)
            case _ if channel_id is not None:
                self.watched.add(channel_id)
        return True

    def resync(self, channels: Iterable[t.ChannelSnapshot], bridges: Iterable[t.BridgeSnapshot],
               now: datetime) -> list[t.TelephonyEvent]:
        """Events that bring consumers up to date with a fresh listing (see the module docstring)."""
        listed = {c.channel_id: c for c in channels}
        in_app = {cid: c for cid, c in listed.items() if c.app == self.app}
        listed_bridges = {b.bridge_id for b in bridges if b.stasis}
        gone = sorted((self.watched | self.channels) - listed.keys())
        left = sorted((self.channels & listed.keys()) - in_app.keys())
        out: list[t.TelephonyEvent] = [t.ChannelGone(at=now, channel_id=c, while_disconnected=True) for c in gone]
        out += [t.CallLeft(at=now, channel_id=c) for c in left]
        out += [t.BridgeGone(at=now, bridge_id=b, while_disconnected=True)
                for b in sorted(self.bridges - listed_bridges)]
        new = [snap for cid, snap in in_app.items() if cid not in self.channels]
        bridge_of = {cid: b for b in bridges if b.stasis for cid in b.channel_ids}
        out += [recovered_call(snap, now, bridge_of.get(snap.channel_id)) for snap in new]
        out.append(t.StreamResynced(at=now, present_channel_ids=frozenset(in_app),
                                    bridge_ids=frozenset(listed_bridges)))
        self._gone, self._left = set(gone), set(left)
        self._recovered = {snap.channel_id for snap in new}
        self.channels = set(in_app)
        self.watched = ((self.watched & listed.keys()) - set(left)) | self.channels
        self.bridges = listed_bridges
        return out


def creation_order(snap: t.ChannelSnapshot, now: datetime) -> datetime:
    """When the channel was made, fine enough to order callers by it: ARI gives `creationtime` to
    the millisecond, and a burst of calls shares one; within it Asterisk's uniqueid sequence
    (`1796524758.42`: the part after the dot counts channels) orders them, added as microseconds."""
    created = snap.created
    if created is None:
        return now
    _, dot, sequence = snap.channel_id.rpartition(".")
    if dot and sequence.isdigit() and created.microsecond % 1000 == 0:
        created += timedelta(microseconds=int(sequence) % 1000)
    return created


def recovered_call(snap: t.ChannelSnapshot, now: datetime, bridge: t.BridgeSnapshot | None = None) -> t.CallEntered:
    """A CallEntered for a channel found in the app by a listing rather than by its StasisStart
    (stamped with the channel's creation time, see `creation_order`, and the bridge it is in with
    the others there)."""
    dialplan = {"exten": snap.exten}
    return t.CallEntered(
        at=creation_order(snap, now), channel_id=snap.channel_id, channel_name=snap.name, args=snap.args,
        caller_number=snap.caller_number, caller_name=snap.caller_name, state=snap.state,
        dialled=dialled_number(snap.args, dialplan), recovered=True,
        bridge_id=bridge.bridge_id if bridge else None,
        bridge_peers=tuple(c for c in bridge.channel_ids if c != snap.channel_id) if bridge else (),
    )
