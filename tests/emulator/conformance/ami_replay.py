"""Replaying a recorded AMI trace against a running AMI server, and comparing the two sides.

`replay(trace, host, port, ...)` sends the trace's actions (same ActionIDs) connection by
connection, pacing each one on the events the trace had received before it (so the replay
follows the recorded causality, not its wall-clock timing), and returns what came back.
`compare(...)` lists the differences that matter: responses (by ActionID: Response, Message,
field set) and, stream by stream (see ami_compare), the exact sequence of event types and
every event's field set: missing, extra and misordered events all count.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cc112_pbx.emulator.ami_protocol import AmiMessage
from tests.emulator.conformance.ami_client import AmiTestClient
from tests.emulator.conformance.ami_compare import Excuse, StreamNamer, compare_streams, event_name
from tests.emulator.conformance.ami_transcript import TranscriptEntry, parse_rx, parse_txt

Hook = Callable[[TranscriptEntry], Awaitable[None]]
BeforeSend = Callable[[int, AmiMessage, AmiTestClient], Awaitable[None]]
Rewrite = Callable[[AmiMessage], AmiMessage]
# Asterisk volatile values: the emulator may differ here, the keys must not.
VOLATILE_MESSAGES = {"Command", "ListCommands"}


@dataclass
class Trace:
    name: str
    entries: list[TranscriptEntry]
    received: list[list[AmiMessage]]  # exact bytes from .rx.bin, per connection

    @classmethod
    def load(cls, directory: Path, name: str) -> Trace:
        text = (directory / f"{name}.txt").read_text()
        data = (directory / f"{name}.rx.bin").read_bytes()
        return cls(name, parse_txt(text), parse_rx(data))

    def connections(self) -> list[str]:
        names: list[str] = []
        for entry in self.entries:
            if entry.direction == "banner" and entry.connection not in names:
                names.append(entry.connection)
        return names


@dataclass
class ReplayResult:
    received: dict[str, list[AmiMessage]] = field(default_factory=dict)
    sent: dict[str, list[AmiMessage]] = field(default_factory=dict)


async def replay(
    trace: Trace,
    host: str,
    port: int,
    *,
    rewrite: Rewrite | None = None,
    on_note: Hook | None = None,
    before_send: BeforeSend | None = None,
    skip_actions: Iterable[str] = (),
    excuses: Iterable[Excuse] = (),
    settle_timeout: float = 3.0,
) -> ReplayResult:
    """`before_send(n, action, client)` runs before the n-th action (0-based) is sent, to play
    the other actors of the scenario (callers, the ARI app); actions named in `skip_actions`
    are not sent (and `compare` must be told the same). Before each action the replay waits
(up to `settle_timeout`) for as many events of each type as the trace had received by then,
except those `excuses` leave out of the comparison."""
    skipped = {name.lower() for name in skip_actions}
    sent_count = 0
    result = ReplayResult()
    clients: dict[str, AmiTestClient] = {}
    expected_so_far: dict[str, Counter[str]] = {}
    namers: dict[str, StreamNamer] = {}
    excused = list(excuses)
    try:
        for entry in trace.entries:
            conn = entry.connection
            if entry.direction == "note" and on_note is not None:
                await on_note(entry)
            elif entry.direction == "banner":
                clients[conn] = await AmiTestClient(host, port).connect()
                expected_so_far[conn] = Counter()
                namers[conn] = StreamNamer()
            elif entry.direction == "recv":
                name = event_name(entry.message)
                stream = namers[conn].stream(entry.message) if name else ""
                if name and not any(e.covers(stream, entry.message) for e in excused):
                    expected_so_far[conn][name] += 1
            elif entry.direction == "sent":
                if before_send is not None:
                    await before_send(sent_count, entry.message, clients[conn])
                sent_count += 1
                await _settle(clients[conn], expected_so_far[conn], settle_timeout)
                if entry.message.get("Action").lower() not in skipped:
                    message = rewrite(entry.message) if rewrite else entry.message
                    result.sent.setdefault(conn, []).append(message)
                    await _send(clients[conn], message, settle_timeout)
            elif entry.direction == "eof":
                with contextlib.suppress(TimeoutError):
                    await clients[conn].wait_closed(settle_timeout)
        for conn, client in clients.items():
            await _settle(client, expected_so_far[conn], settle_timeout)
    finally:
        for conn, client in clients.items():
            result.received[conn] = list(client.received)
            await client.close()
    return result


async def _send(client: AmiTestClient, message: AmiMessage, timeout: float) -> None:
    client.send_pairs(message.pairs)
    await _await_response(client, message.get("ActionID"), timeout)


async def _settle(client: AmiTestClient, wanted: Counter[str], timeout: float) -> None:
    def enough() -> bool:
        seen = Counter(event_name(m) for m in client.received)
        return all(seen[name] >= count for name, count in wanted.items())

    await client.wait_until(enough, timeout)


async def _await_response(client: AmiTestClient, action_id: str, timeout: float) -> None:
    if not action_id:
        return
    with contextlib.suppress(TimeoutError, ConnectionError):
        await client.wait_for(lambda m: m.has("Response") and m.get("ActionID") == action_id, timeout)


def compare(
    trace: Trace,
    result: ReplayResult,
    *,
    check_values: Iterable[str] = (),
    skip_actions: Iterable[str] = (),
    excuses: Iterable[Excuse] = (),
) -> list[str]:
    """Differences between the trace and the replay (an empty list: conformant)."""
    problems: list[str] = []
    skip = {name.lower() for name in skip_actions}
    skipped_ids = {
        e.message.get("ActionID")
        for e in trace.entries
        if e.direction == "sent" and e.message.get("Action").lower() in skip
    }
    for index, conn in enumerate(trace.connections()):
        expected = trace.received[index] if index < len(trace.received) else []
        expected = [m for m in expected if not (m.get("ActionID") and m.get("ActionID") in skipped_ids)]
        actual = result.received.get(conn, [])
        sent = {m.get("ActionID"): m.get("Action") for m in result.sent.get(conn, [])}
        problems += _compare_responses(conn, expected, actual, sent)
        problems += compare_streams(conn, expected, actual, check_values, excuses)
    return problems


def _responses(messages: list[AmiMessage]) -> dict[str, AmiMessage]:
    return {m.get("ActionID"): m for m in messages if m.has("Response") and not m.has("Event")}


def _compare_responses(
    conn: str, expected: list[AmiMessage], actual: list[AmiMessage], sent: dict[str, str]
) -> list[str]:
    problems = []
    got = _responses(actual)
    for action_id, want in _responses(expected).items():
        have = got.get(action_id)
        where = f"{conn} response to {sent.get(action_id, '?')} ({action_id})"
        if have is None:
            problems.append(f"{where}: missing")
            continue
        if have.get("Response") != want.get("Response"):
            problems.append(f"{where}: Response {have.get('Response')!r} != {want.get('Response')!r}")
        if sent.get(action_id) in VOLATILE_MESSAGES:
            continue
        if have.get("Message").rstrip("\n") != want.get("Message").rstrip("\n"):  # see encode()
            problems.append(f"{where}: Message {have.get('Message')!r} != {want.get('Message')!r}")
        if set(have.keys()) != set(want.keys()):
            problems.append(f"{where}: fields {sorted(set(have.keys()) ^ set(want.keys()))} differ")
    return problems
