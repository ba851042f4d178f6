"""Running counts for `/metrics`, kept from the notices (a `Notifier` listener: never blocks).

- answered calls, and how many within 10/15/20 s of arriving; calls ended by outcome;
- the offer latency: for each seat rung, the time from when the offer could first be made (the
  seat became free while the caller waited, or the caller arrived while the seat was free: the
  later of the two) to the ring. That is the controller's own delay, free seat to ring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

THRESHOLDS = (10, 15, 20)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class CallStats:
    def __init__(self, monotonic: Callable[[], float]) -> None:
        self.monotonic = monotonic
        self.answered = 0
        self.answered_within = dict.fromkeys(THRESHOLDS, 0)
        self.ended: dict[str, int] = {}
        self.latency_buckets = [0] * len(LATENCY_BUCKETS)
        self.latency_sum = 0.0
        self.latency_count = 0
        self._arrived: dict[str, float] = {}
        self._free_since: dict[str, float] = {}

    def __call__(self, notice: dict[str, Any]) -> None:
        kind, now = notice.get("kind"), self.monotonic()
        if kind == "call_arrived":
            self._arrived[notice["call_id"]] = now
        elif kind == "seat_state":
            if notice.get("new") == "available":
                self._free_since[notice["seat"]] = now
            else:
                self._free_since.pop(notice["seat"], None)
        elif kind == "seat_ringing":
            ready = max(self._arrived.get(notice["call_id"], now), self._free_since.pop(notice["seat"], now - 1e9))
            self.observe_latency(max(0.0, now - ready))
        elif kind == "call_connected":
            self.answered += 1
            waited = notice.get("waited")
            for t in THRESHOLDS:
                if waited is not None and waited <= t:
                    self.answered_within[t] += 1
        elif kind == "call_ended":
            outcome = str(notice.get("outcome") or "unknown")
            self.ended[outcome] = self.ended.get(outcome, 0) + 1
            self._arrived.pop(notice.get("call_id", ""), None)

    def observe_latency(self, seconds: float) -> None:
        self.latency_sum += seconds
        self.latency_count += 1
        for i, bound in enumerate(LATENCY_BUCKETS):
            if seconds <= bound:
                self.latency_buckets[i] += 1
