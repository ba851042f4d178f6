"""Queue configuration as the ACD core reads it at every decision.

Built from `settings.queue` and `settings.seats` with `QueueConfig.from_settings`; admins'
live changes arrive as a `Reconfigured(config)` event and take effect on the next decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

STRATEGY_NAMES: tuple[str, ...] = ("longest_idle", "round_robin", "fewest_calls")


class ConfigError(ValueError):
    """A queue configuration that cannot work; `.errors` names each field and the reason."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("invalid queue configuration: " + "; ".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class SeatConfig:
    """One call-taker position. `overflow` seats are volunteer positions (see QueueConfig)."""

    seat_id: str
    overflow: bool = False


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """How the queue behaves. Times are seconds.

    - `strategy`: which free seat gets the next call: "longest_idle" (default), "round_robin",
      "fewest_calls".
    - `ring_timeout`: how long one offer rings before it counts as missed.
    - `wrapup_time`: after a call, how long the seat is left alone (0 = free at once).
    - `auto_pause_after_missed`: pause a seat after this many unanswered offers in a row (0 = never).
    - `overflow_after`: a caller waiting this long may also be offered to overflow seats.
      0 means overflow seats are ordinary seats (never leave a seat unused on an emergency line).
    - `seats`: the positions, in their configured order (round-robin and ties follow it).
    """

    seats: tuple[SeatConfig, ...] = ()
    strategy: str = "longest_idle"
    ring_timeout: float = 15.0
    wrapup_time: float = 10.0
    auto_pause_after_missed: int = 3
    overflow_after: float = 60.0
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        errors = _validate(self)
        if errors:
            raise ConfigError(errors)
        object.__setattr__(self, "seats", tuple(self.seats))
        object.__setattr__(self, "_index", {s.seat_id: i for i, s in enumerate(self.seats)})

    @classmethod
    def from_settings(cls, queue: Any, seats: Iterable[Any]) -> QueueConfig:
        """Build from `settings.queue` and `settings.seats` (SeatSettings: `.id`, `.overflow`)."""
        return cls(
            seats=tuple(SeatConfig(seat_id=s.id, overflow=bool(s.overflow)) for s in seats),
            strategy=queue.strategy,
            ring_timeout=float(queue.ring_timeout),
            wrapup_time=float(queue.wrapup_time),
            auto_pause_after_missed=int(queue.auto_pause_after_missed),
            overflow_after=float(queue.overflow_after),
        )

    def has_seat(self, seat_id: str) -> bool:
        return seat_id in self._index

    def position(self, seat_id: str) -> int:
        """The seat's place in the configured order (0-based); unknown seats sort last."""
        return self._index.get(seat_id, len(self.seats))

    def is_overflow(self, seat_id: str) -> bool:
        index = self._index.get(seat_id)
        return index is not None and self.seats[index].overflow


def _validate(config: QueueConfig) -> list[str]:
    errors: list[str] = []
    if config.strategy not in STRATEGY_NAMES:
        errors.append(f"strategy: {config.strategy!r} is not one of {', '.join(STRATEGY_NAMES)}")
    if not config.ring_timeout > 0:
        errors.append(f"ring_timeout: must be > 0 seconds, got {config.ring_timeout!r}")
    if not config.wrapup_time >= 0:
        errors.append(f"wrapup_time: must be >= 0 seconds, got {config.wrapup_time!r}")
    if isinstance(config.auto_pause_after_missed, bool) or not config.auto_pause_after_missed >= 0:
        errors.append(
            f"auto_pause_after_missed: must be an integer >= 0, got {config.auto_pause_after_missed!r}"
        )
    if not config.overflow_after >= 0:
        errors.append(f"overflow_after: must be >= 0 seconds, got {config.overflow_after!r}")
    seen: set[str] = set()
    for seat in config.seats:
        if not isinstance(seat, SeatConfig):
            errors.append(f"seats: {seat!r} is not a SeatConfig")
            continue
        if not seat.seat_id:
            errors.append("seats: a seat has an empty id")
        elif seat.seat_id in seen:
            errors.append(f"seats: duplicate seat id {seat.seat_id!r}")
        seen.add(seat.seat_id)
    return errors
