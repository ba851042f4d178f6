"""Strict comparison of a recorded AMI event stream with the emulator's, stream by stream.

Every event of a connection goes to one *stream*, and each stream's sequence of event types
must be the trace's exactly (nothing missing, nothing extra, same order), with the same field
set event by event. Ids, times and unique ids may differ; channel names are compared without
their `-0000001c` sequence number (the n-th channel of a base name matches the n-th one).

Why streams and not the whole connection: Asterisk publishes AMI events from many threads
(each channel's own thread, the device state thread, app_queue's member status subscription,
the Local channel driver on behalf of its other half), and the order BETWEEN those sources
is not fixed: the README notes that the two Local halves' hang-ups come in either order
between identical runs, and concurrent channels' events interleave at random. WITHIN one
source the order is fixed by the code that publishes it: a channel's own events follow its
dialplan and bridge steps; a device's states follow each other; a list action's items come
between its response and its `*Complete`. So a stream is:

- `chan:<name>#<n>`: events naming a channel (`Channel`, else `DestChannel`, else the Local
  pair's `LocalOneChannel`), the n-th channel of that base name;
- `action:<ActionID>`: events answering an action (list items, `OriginateResponse`);
- `device:<Device>`, `member:<Queue>:<Interface>`, `peer:<Peer>`, `contact:<AOR>`,
  `endpoint:<ObjectName>`, `bridge:#<n>`: state changes of one object;
- `session`: the rest (`FullyBooted`, `SuccessfulAuth`, ...), in connection order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from cc112_pbx.emulator.ami_protocol import AmiMessage

_CHANNEL = re.compile(r"^(?P<base>.+)-(?P<seq>[0-9a-f]{8})(?P<half>;[12])?$")
_CHANNEL_KEYS = ("Channel", "DestChannel", "LocalOneChannel")
_OBJECT_KEYS = (
    ("Device", "device"),
    ("Peer", "peer"),
    ("AOR", "contact"),
    ("ObjectName", "endpoint"),
)


@dataclass(frozen=True)
class Excuse:
    """A known, explained difference: events named `event` in the streams matching `stream`
    (a glob, e.g. `chan:Local/112@from-pstn#0;1`), and having the given `fields` values if any,
    are left out of the comparison on both sides. `reason` says why; a test lists its excuses
    next to the trace they apply to."""

    stream: str
    event: str
    reason: str
    fields: tuple[tuple[str, str], ...] = ()

    def covers(self, stream: str, message: AmiMessage) -> bool:
        return (
            event_name(message) == self.event
            and fnmatchcase(stream, self.stream)
            and all(message.get(key) == value for key, value in self.fields)
        )


def event_name(message: AmiMessage) -> str:
    return message.get("Event") if message.has("Event") else ""


class StreamNamer:
    """Stable names for channels and bridges: the n-th one seen of its base name."""

    def __init__(self) -> None:
        self._seen: dict[str, list[str]] = {}

    def ordinal(self, base: str, unique: str) -> int:
        seen = self._seen.setdefault(base, [])
        if unique not in seen:
            seen.append(unique)
        return seen.index(unique)

    def stream(self, message: AmiMessage) -> str:
        return stream_of(message, self)

    def channel(self, name: str) -> str:
        match = _CHANNEL.match(name)
        if match is None:
            return f"chan:{name}"
        base, half = match.group("base"), match.group("half") or ""
        return f"chan:{base}#{self.ordinal(base, match.group('seq'))}{half}"


def stream_of(message: AmiMessage, namer: StreamNamer) -> str:
    if message.get("ActionID"):
        return f"action:{message.get('ActionID')}"
    for key in _CHANNEL_KEYS:
        if message.get(key):
            return namer.channel(message.get(key))
    if message.get("Interface") and message.get("Queue"):
        return f"member:{message.get('Queue')}:{message.get('Interface')}"
    for key, kind in _OBJECT_KEYS:
        if message.get(key):
            return f"{kind}:{message.get(key)}"
    if message.get("BridgeUniqueid"):
        return f"bridge:#{namer.ordinal('bridge', message.get('BridgeUniqueid'))}"
    return "session"


def streams(messages: Iterable[AmiMessage]) -> dict[str, list[AmiMessage]]:
    """The events of one connection, by stream, each in the order received."""
    namer = StreamNamer()
    result: dict[str, list[AmiMessage]] = {}
    for message in messages:
        if event_name(message):
            result.setdefault(stream_of(message, namer), []).append(message)
    return result


def compare_streams(
    conn: str,
    expected: list[AmiMessage],
    actual: list[AmiMessage],
    check_values: Iterable[str] = (),
    excuses: Iterable[Excuse] = (),
) -> list[str]:
    """Differences between the trace's and the emulator's event streams on one connection.

    `check_values` names fields whose values must match too: `Key` in every event having it,
    `Event.Key` in that event type only."""
    want, have = streams(expected), streams(actual)
    excused = list(excuses)
    problems: list[str] = []
    for key in sorted(set(want) | set(have)):
        mine = [m for m in have.get(key, []) if not any(e.covers(key, m) for e in excused)]
        theirs = [m for m in want.get(key, []) if not any(e.covers(key, m) for e in excused)]
        if mine or theirs:
            problems += _compare_stream(f"{conn} {key}", theirs, mine, set(check_values))
    return problems


def _compare_stream(where: str, want: list[AmiMessage], have: list[AmiMessage], check: set[str]) -> list[str]:
    want_names = [event_name(m) for m in want]
    have_names = [event_name(m) for m in have]
    if want_names != have_names:
        return [f"{where}: events {_diff(want_names, have_names)}"]
    problems = []
    for index, (theirs, mine) in enumerate(zip(want, have, strict=True)):
        name = f"{where} {want_names[index]}[{index}]"
        extra, missing = set(mine.keys()) - set(theirs.keys()), set(theirs.keys()) - set(mine.keys())
        if extra or missing:
            problems.append(f"{name}: fields extra {sorted(extra)} missing {sorted(missing)}")
        for key in sorted(_keys_for(want_names[index], check)):
            if theirs.has(key) and mine.get(key) != theirs.get(key):
                problems.append(f"{name} {key}: {mine.get(key)!r} != {theirs.get(key)!r}")
    return problems


def _keys_for(event: str, check: set[str]) -> set[str]:
    keys = {k for k in check if "." not in k}
    return keys | {k.partition(".")[2] for k in check if k.partition(".")[0] == event}


def _diff(want: list[str], have: list[str]) -> str:
    """The first divergence of two event sequences, with both full sequences."""
    first = next((i for i, (a, b) in enumerate(zip(want, have, strict=False)) if a != b), min(len(want), len(have)))
    return f"differ at #{first}: trace {want} / emulator {have}"
