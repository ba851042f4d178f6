"""Reconnect policy: bounded, jittered exponential backoff shared by the ARI and AMI adapters."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Delays between reconnect attempts.

    Attempt n (0-based) waits `min(max_delay, min_delay * factor**n)`, scaled by a random
    factor in `[1 - jitter, 1]` so that several controllers do not hammer Asterisk in step.
    `replaced_delay` is the pause after another process took our Stasis app: long enough
    not to fight it in a tight loop (defaults to `max_delay`).
    """

    min_delay: float = 0.5
    max_delay: float = 30.0
    factor: float = 2.0
    jitter: float = 0.2
    replaced_delay: float | None = None
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.min_delay < 0 or self.max_delay < self.min_delay:
            raise ValueError(f"need 0 <= min_delay <= max_delay, got {self.min_delay}, {self.max_delay}")
        if not 0 <= self.jitter < 1 or self.factor < 1:
            raise ValueError(f"need 0 <= jitter < 1 and factor >= 1, got {self.jitter}, {self.factor}")

    def delay(self, attempt: int) -> float:
        """Seconds to wait before reconnect attempt `attempt` (0 = the first retry)."""
        base = self.min_delay * self.factor ** min(max(attempt, 0), 64)
        return self._jittered(min(self.max_delay, base))

    def after_replaced(self) -> float:
        return self._jittered(self.max_delay if self.replaced_delay is None else self.replaced_delay)

    def _jittered(self, value: float) -> float:
        return value * (1 - self.jitter * self.rng.random())
