"""The waiting callers in queue order, kept sorted as they come and go.

Queue order is `QueuedCall.queue_key`: highest priority first, then earliest arrival, then
arrival sequence (unique per call, so no two keys are equal). The line is a list kept sorted
with `bisect`: adding or removing a caller costs a binary search plus a short memmove, so the
core never re-sorts the whole queue on an event.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator

from cc112_pbx.domain.acd.calls import QueuedCall


class WaitingLine:
    """Callers in queue order. Each call is in the line at most once."""

    __slots__ = ("_ids", "_line")

    def __init__(self) -> None:
        self._line: list[QueuedCall] = []
        self._ids: set[str] = set()

    def __len__(self) -> int:
        return len(self._line)

    def __bool__(self) -> bool:
        return bool(self._line)

    def __iter__(self) -> Iterator[QueuedCall]:
        return iter(self._line)

    def __contains__(self, call: QueuedCall) -> bool:
        return call.call_id in self._ids

    def add(self, call: QueuedCall) -> None:
        if call.call_id in self._ids:
            raise ValueError(f"call {call.call_id} is already waiting")
        insort(self._line, call, key=QueuedCall.queue_key)
        self._ids.add(call.call_id)

    def discard(self, call: QueuedCall) -> None:
        """Take the call out of the line; nothing happens if it is not waiting."""
        if call.call_id not in self._ids:
            return
        self._ids.remove(call.call_id)
        index = bisect_left(self._line, call.queue_key(), key=QueuedCall.queue_key)
        if index < len(self._line) and self._line[index] is call:
            del self._line[index]
        else:  # an unorderable key (a NaN arrival time): find it the slow way
            self._line.remove(call)

    def in_order(self) -> list[QueuedCall]:
        """A copy, safe to iterate while calls leave the line."""
        return list(self._line)
