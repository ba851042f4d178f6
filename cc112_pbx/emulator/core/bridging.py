"""What a bridge does to its members when its membership changes (main/bridge.c `bridge_reconfigured`).

- BRIDGEPEER (`set_bridge_peer_vars`): with two or more participants in a non-holding bridge, each
  channel gets the others' names (sorted, comma-separated above two); hidden participants count
  and are named (`Recorder/ARI-0000000c;2` of a bridge recording, `Announcer/ARI-0000001e;2` of a
  bridge playback: ari-01, ari-11).
- Connected line (`bridge_reconfigured_connected_line_update`): with exactly two participants
  (a 1-to-1 bridge), each gets the other's caller id as its connected line; ChannelConnectedLine
  only when it changed (stasis_channels.c compares). The second participant is updated first.
- A Local half's connected line is its partner's caller id (core_unreal.c copies it without a
  snapshot): the partner shows ChannelCallerId with its next snapshot (a dialplan step, a state
  change, or after its ChannelDestroyed: ari-01, ari-11).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import events as ev
from .model import Bridge, CallerId, Channel

if TYPE_CHECKING:
    from .engine import Core

HIDDEN_CALLER = CallerId()  # a Recorder/Announcer channel has no caller id


def reconfigured(core: Core, bridge: Bridge, *, peer_rounds: int = 1) -> None:
    """After a join or leave: technology, BRIDGEPEER (`peer_rounds` times), connected lines."""
    bridge.refresh_technology()
    if bridge.bridge_type == "holding":
        return
    for _ in range(peer_rounds):
        set_peers(core, bridge)
    update_connected_lines(core, bridge)


def set_peers(core: Core, bridge: Bridge) -> None:
    members = [core.channels[c] for c in bridge.channels if c in core.channels]
    if bridge.bridge_type == "holding" or len(members) + len(bridge.hidden) < 2:
        return
    names = [m.name for m in members] + bridge.hidden
    for member in members:
        others = sorted(n for n in names if n != member.name)
        core.set_variable(member.id, "BRIDGEPEER", ",".join(others))


def update_connected_lines(core: Core, bridge: Bridge) -> None:
    members: list[Channel | str] = [core.channels[c] for c in bridge.channels if c in core.channels]
    members += bridge.hidden
    if len(members) != 2:
        return
    first, peer = members
    first_caller = first.caller if isinstance(first, Channel) else HIDDEN_CALLER
    peer_caller = peer.caller if isinstance(peer, Channel) else HIDDEN_CALLER
    if isinstance(peer, Channel):
        set_connected_line(core, peer, first_caller)
    if isinstance(first, Channel):
        set_connected_line(core, first, peer_caller)


def set_connected_line(core: Core, channel: Channel, connected: CallerId) -> None:
    if (channel.connected.name, channel.connected.number) == (connected.name, connected.number):
        return
    core.set_connected(channel, CallerId(connected.name, connected.number))
    partner = core.partner(channel)
    if partner is not None and partner.alive:
        partner.pending_caller = CallerId(connected.name, connected.number)


def add_hidden(core: Core, bridge: Bridge, technology: str) -> str:
    """A Recorder or Announcer channel joins the bridge; returns its name (for `remove_hidden`)."""
    name = f"{technology}/ARI-{core.ids.suffix()};2"
    bridge.hidden.append(name)
    # an Announcer joining two channels reconfigures the bridge twice (ari-11: BRIDGEPEER x2)
    rounds = 2 if technology == "Announcer" and len(bridge.channels) >= 2 else 1
    reconfigured(core, bridge, peer_rounds=rounds)
    return name


def remove_hidden(core: Core, bridge: Bridge, name: str) -> None:
    """The hidden channel leaves and ends; like any channel it publishes its device state
    (`Recorder/ARI`, `Announcer/ARI`) as it is hung up (INUSE) and destroyed (UNKNOWN): ami-06, ami-07."""
    if name in bridge.hidden:
        device = name.partition("-")[0]
        core.emit(ev.DeviceStateChanged(core.now(), device, "INUSE"))
        bridge.hidden.remove(name)
        reconfigured(core, bridge)
        core.emit(ev.DeviceStateChanged(core.now(), device, "UNKNOWN"))
