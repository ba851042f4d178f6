"""AMI wire framing: `Key: Value\\r\\n` blocks ended by a blank line.

Framing only, no session logic (panoramisk's split between `AMIProtocol` and `Manager`).
The parser is deliberately forgiving, like Asterisk's manager.c: lines without a colon are
kept aside and ignored, over-long lines are dropped, and the number of headers per message
is capped, so no input can make it grow without bound or raise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
EOL = b"\r\n"
# Asterisk reads into a 1025-byte buffer per line and keeps at most 128 headers.
MAX_LINE = 1024
MAX_HEADERS = 128


@dataclass
class AmiMessage:
    """One AMI message: an ordered list of (key, value) pairs; lookups ignore key case."""

    pairs: list[tuple[str, str]] = field(default_factory=list)

    def get(self, key: str, default: str = "") -> str:
        wanted = key.lower()
        for name, value in self.pairs:
            if name.lower() == wanted:
                return value
        return default

    def get_all(self, key: str) -> list[str]:
        wanted = key.lower()
        return [value for name, value in self.pairs if name.lower() == wanted]

    def has(self, key: str) -> bool:
        wanted = key.lower()
        return any(name.lower() == wanted for name, _ in self.pairs)

    def keys(self) -> list[str]:
        return [name for name, _ in self.pairs]

    @property
    def kind(self) -> str:
        """`Event:<name>`, `Response:<value>`, `Action:<name>` or `?` for anything else."""
        if not self.pairs:
            return "?"
        first_key, first_value = self.pairs[0]
        if first_key in ("Event", "Response", "Action"):
            return f"{first_key}:{first_value}"
        return "?"

    def __getitem__(self, key: str) -> str:
        for name, value in self.pairs:
            if name.lower() == key.lower():
                return value
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.has(key)


def encode(pairs: Iterable[tuple[str, object]]) -> bytes:
    """Serialize pairs to wire bytes; CR/LF inside a value are flattened to spaces.

    One trailing LF is kept as is: Asterisk itself sends `Message: No Contacts found\\n\\r\\n`.
    """
    out = bytearray()
    for key, value in pairs:
        raw = str(value)
        tail = "\n" if raw.endswith("\n") and not raw.endswith("\r\n") else ""
        text = raw[: len(raw) - len(tail)].replace("\r", " ").replace("\n", " ") + tail
        out += f"{key}: {text}".encode("utf-8", "replace") + EOL
    out += EOL
    return bytes(out)


class AmiFrameParser:
    """Incremental parser: `feed(bytes)` returns the messages completed by those bytes."""

    def __init__(
        self, *, max_line: int = MAX_LINE, max_headers: int = MAX_HEADERS, accept_banner: bool = False
    ) -> None:
        self._max_line = max_line
        self._max_headers = max_headers
        self._accept_banner = accept_banner
        self._buffer = bytearray()
        self._discarding = False
        self._current: list[tuple[str, str]] = []
        self._current_lines = 0
        self.banners: list[str] = []
        self.dropped_lines = 0

    def feed(self, data: bytes) -> list[AmiMessage]:
        self._buffer += data
        messages: list[AmiMessage] = []
        for line in self._lines():
            message = self._take_line(line)
            if message is not None:
                messages.append(message)
        if len(self._buffer) > self._max_line:
            # An endless line: drop what we have and skip until the next newline.
            self._buffer.clear()
            self._discarding = True
            self.dropped_lines += 1
        return messages

    def _lines(self) -> Iterator[str]:
        while True:
            index = self._buffer.find(b"\n")
            if index < 0:
                return
            raw = bytes(self._buffer[:index])
            del self._buffer[: index + 1]
            if self._discarding:
                self._discarding = False
                continue
            if len(raw) > self._max_line:
                self.dropped_lines += 1
                continue
            yield raw.rstrip(b"\r").decode("utf-8", "replace")

    def _take_line(self, line: str) -> AmiMessage | None:
        if line == "":
            if self._current_lines == 0:
                return None
            message = AmiMessage(self._current)
            self._current = []
            self._current_lines = 0
            return message
        if self._accept_banner and self._current_lines == 0 and line.startswith("Asterisk Call Manager/"):
            self.banners.append(line)
            return None
        self._current_lines += 1
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            self.dropped_lines += 1
            return None
        if len(self._current) < self._max_headers:
            self._current.append((key.strip(), value[1:] if value.startswith(" ") else value))
        return None

    def flush(self) -> AmiMessage | None:
        """At end of input: the unterminated message, if any."""
        if not self._current:
            return None
        message = AmiMessage(self._current)
        self._current = []
        self._current_lines = 0
        return message
