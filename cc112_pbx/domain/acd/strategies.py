"""Which free seat gets the next call: small strategy objects with no I/O.

Each strategy sees only the seats that may take the call right now (`Candidate`s, never
empty) and returns the chosen seat id. `choose` is called exactly when the core offers the
call to the returned seat, so a strategy with memory (round-robin) may record its choice.
Ties always fall back to the configured seat order, so decisions are deterministic.

A strategy without memory may also have `rank(candidate) -> tuple`, with `choose` returning
the candidate of smallest rank (the built-in ones derive `choose` from `rank`, so the two
cannot disagree). The core then keeps its free seats sorted by rank as they come and go and
takes the first one, instead of building every candidate and calling `choose` per offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cc112_pbx.domain.acd.config import STRATEGY_NAMES


@dataclass(frozen=True, slots=True)
class Candidate:
    seat_id: str
    position: int  # configured order, 0-based
    idle_since: float  # when the seat last finished a call, or logged in
    answered: int  # calls this seat answered since the core started


class Strategy(Protocol):
    name: str

    def choose(self, candidates: Sequence[Candidate], now: float) -> str: ...


class LongestIdle:
    """The seat that has been without a call the longest (the default)."""

    name = "longest_idle"

    @staticmethod
    def rank(candidate: Candidate) -> tuple[float, int]:
        return (candidate.idle_since, candidate.position)

    def choose(self, candidates: Sequence[Candidate], now: float) -> str:
        _require(candidates)
        return min(candidates, key=self.rank).seat_id


class RoundRobin:
    """Seats in configured order, each turn starting after the seat chosen last time."""

    name = "round_robin"

    def __init__(self) -> None:
        self._last_position: int | None = None

    def choose(self, candidates: Sequence[Candidate], now: float) -> str:
        _require(candidates)
        ordered = sorted(candidates, key=lambda c: c.position)
        chosen = ordered[0]
        if self._last_position is not None:
            later = [c for c in ordered if c.position > self._last_position]
            if later:
                chosen = later[0]
        self._last_position = chosen.position
        return chosen.seat_id


class FewestCalls:
    """The seat that answered the fewest calls; ties go to the longest idle."""

    name = "fewest_calls"

    @staticmethod
    def rank(candidate: Candidate) -> tuple[int, float, int]:
        return (candidate.answered, candidate.idle_since, candidate.position)

    def choose(self, candidates: Sequence[Candidate], now: float) -> str:
        _require(candidates)
        return min(candidates, key=self.rank).seat_id


_STRATEGIES: dict[str, type[LongestIdle] | type[RoundRobin] | type[FewestCalls]] = {
    LongestIdle.name: LongestIdle,
    RoundRobin.name: RoundRobin,
    FewestCalls.name: FewestCalls,
}


def make_strategy(name: str) -> Strategy:
    """A fresh strategy by its configured name; ValueError names the known ones."""
    try:
        return _STRATEGIES[name]()
    except KeyError:
        raise ValueError(f"unknown ACD strategy {name!r}; known: {', '.join(STRATEGY_NAMES)}") from None


def _require(candidates: Sequence[Candidate]) -> None:
    if not candidates:
        raise ValueError("a strategy needs at least one candidate seat")
