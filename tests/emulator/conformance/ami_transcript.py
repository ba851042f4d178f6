"""Reading the recorded AMI traces (tests/fixtures/asterisk-traces/ami-*.{txt,rx.bin}).

- `parse_rx(bytes)`: the exact bytes a client received -> connections, each a list of messages
  (a banner line starts a new connection).
- `parse_txt(text)`: the readable transcript -> `TranscriptEntry` list (direction, connection,
  time, message), used to replay the SENT actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cc112_pbx.emulator.ami_protocol import AmiMessage

_HEADER = re.compile(r"^### (>>> SENT|<<< RECV|<<< EOF)(?: banner)? \[(?P<conn>[^\]]+)\] t=(?P<t>[0-9.]+)")


@dataclass
class TranscriptEntry:
    direction: str  # "sent", "recv", "banner", "eof", "note"
    connection: str
    t: float
    message: AmiMessage
    text: str = ""  # a NOTE's text


def parse_rx(data: bytes) -> list[list[AmiMessage]]:
    """Split the received bytes into connections (a banner line starts one) of messages."""
    connections: list[list[AmiMessage]] = []
    current: list[tuple[str, str]] = []
    for raw in data.decode("utf-8", "replace").split("\r\n"):
        if not current and raw.startswith("Asterisk Call Manager/"):
            connections.append([])
            continue
        if raw == "":
            if current:
                if not connections:
                    connections.append([])
                connections[-1].append(AmiMessage(current))
                current = []
            continue
        key, _, value = raw.partition(":")
        current.append((key, value[1:] if value.startswith(" ") else value))
    if current:
        connections[-1].append(AmiMessage(current))
    return connections


def parse_txt(text: str) -> list[TranscriptEntry]:
    entries: list[TranscriptEntry] = []
    current: TranscriptEntry | None = None
    for line in text.splitlines():
        if line.startswith("### "):
            current = _start_entry(line)
            if current is not None:
                entries.append(current)
            continue
        if current is None or current.direction == "eof":
            continue
        if current.direction == "note":
            current.text += line + "\n"
            continue
        if current.direction == "banner":
            continue
        key, sep, value = line.partition(":")
        if sep:
            current.message.pairs.append((key, value[1:] if value.startswith(" ") else value))
    return entries


def _start_entry(line: str) -> TranscriptEntry | None:
    if line.startswith("### NOTE"):
        t = re.search(r"t=([0-9.]+)", line)
        return TranscriptEntry("note", "", float(t.group(1)) if t else 0.0, AmiMessage([]))
    match = _HEADER.match(line)
    if match is None:
        return None
    kind = match.group(1)
    if kind == ">>> SENT":
        direction = "sent"
    elif kind == "<<< EOF":
        direction = "eof"
    elif "banner" in line:
        direction = "banner"
    else:
        direction = "recv"
    return TranscriptEntry(direction, match.group("conn"), float(match.group("t")), AmiMessage([]))


def sent_actions(entries: list[TranscriptEntry]) -> list[TranscriptEntry]:
    return [e for e in entries if e.direction == "sent"]
