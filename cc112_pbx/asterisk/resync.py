"""What the event stream knows about the app's channels, and what a resync tells consumers.

ARI replays nothing after a reconnect: a caller who hung up while the WebSocket was down
gets no StasisEnd, ever. `StasisTracker` remembers which channels are in the app (StasisStart
seen, no StasisEnd / ChannelDestroyed yet) and which bridges we saw; `resync()` compares
that with `GET /channels` + `GET /bridges` after a reconnect and produces, in this order:
1. `ChannelGone(while_disconnected=True)` for each tracked channel no longer listed
   (exactly once: it is forgotten, and late events about it are dropped);
2. `BridgeGone(while_disconnected=True)` for each tracked bridge no longer listed;
3. `CallEntered(recovered=True)` for each channel in the app we did not know (it entered
   during the gap, or before this process started); its StasisStart, if it is still queued
   on the new socket, is then dropped as a duplicate;
4. `StreamResynced` with every channel still in the app and every Stasis bridge.
No I/O here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cc112_pbx.asterisk.translate import dialled_number
from cc112_pbx.domain import telephony as t

_CLOSING = (t.CallLeft, t.ChannelGone, t.HangupRequested, t.ChannelLeftBridge, t.ChannelStateChanged)


class StasisTracker:
    def __init__(self, app: str) -> None:
        self.app = app
        self.channels: set[str] = set()
        self.bridges: set[str] = set()
        self._recovered: set[str] = set()  # added by a resync; their queued StasisStart is a duplicate
        self._reported_gone: set[str] = set()  # ended during the last gap; late events are stale

    def observe(self, event: t.TelephonyEvent) -> bool:
        """Update what we know from a live event; False when the event must not be delivered."""
        channel_id = getattr(event, "channel_id", None)
        if channel_id in self._reported_gone and isinstance(event, (*_CLOSING, t.CallEntered)):
            return False
        match event:
            case t.CallEntered():
                if event.channel_id in self._recovered:
                    self._recovered.discard(event.channel_id)
                    return False
                self.channels.add(event.channel_id)
            case t.CallLeft() | t.ChannelGone():
                self.channels.discard(event.channel_id)
                self._recovered.discard(event.channel_id)
            case t.ChannelEnteredBridge():
                self.bridges.add(event.bridge_id)
            case t.BridgeGone():
                self.bridges.discard(event.bridge_id)
        return True

    def resync(self, channels: Iterable[t.ChannelSnapshot], bridges: Iterable[t.BridgeSnapshot],
               now: datetime) -> list[t.TelephonyEvent]:
        """Events that bring consumers up to date with a fresh listing (see the module docstring)."""
        in_app = {c.channel_id: c for c in channels if c.app == self.app}
        listed_bridges = {b.bridge_id for b in bridges if b.stasis}
        out: list[t.TelephonyEvent] = []
        gone = sorted(self.channels - in_app.keys())
        for channel_id in gone:
            out.append(t.ChannelGone(at=now, channel_id=channel_id, while_disconnected=True))
        for bridge_id in sorted(self.bridges - listed_bridges):
            out.append(t.BridgeGone(at=now, bridge_id=bridge_id, while_disconnected=True))
        self._reported_gone = set(gone)
        self._recovered = set()
        for channel_id, snap in in_app.items():
            if channel_id not in self.channels:
                out.append(recovered_call(snap, now))
                self._recovered.add(channel_id)
        self.channels = set(in_app)
        self.bridges = listed_bridges
        out.append(t.StreamResynced(at=now, present_channel_ids=frozenset(in_app),
                                    bridge_ids=frozenset(listed_bridges)))
        return out


def recovered_call(snap: t.ChannelSnapshot, now: datetime) -> t.CallEntered:
    """A CallEntered for a channel found in the app by a listing rather than by its StasisStart."""
    dialplan = {"exten": snap.exten}
    return t.CallEntered(
        at=now, channel_id=snap.channel_id, channel_name=snap.name, args=snap.args,
        caller_number=snap.caller_number, caller_name=snap.caller_name, state=snap.state,
        dialled=dialled_number(snap.args, dialplan), recovered=True,
    )
