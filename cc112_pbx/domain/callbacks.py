"""Calling back abandoned and dropped calls: the policy and every decision it drives, with no I/O.

Agent first: a seat is reserved and rung, and only when the call taker answers is the citizen
dialled through the trunk, so a citizen never picks up to silence. Callbacks must never
starve 112: one takes a seat only when no inbound caller waits, or while callbacks hold fewer
seats than the cap. Callers with no callable number (SIM-less, withheld, unroutable) go on the
supervisor's no-callback list instead. Standard library only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from cc112_pbx.domain.call_end import CallOutcome
from cc112_pbx.domain.caller import callback_number, classify_caller

NUMBER_PLACEHOLDER = "{number}"


class CallbackReason(StrEnum):
    ABANDONED = "abandoned"
    DROPPED = "dropped"
    INFORM_REPORTER = "inform_reporter"  # issue 17: tell the reporter the report was dispositioned


class CallbackOutcome(StrEnum):
    """How one attempt ended."""

    CONNECTED = "connected"  # the citizen answered and was bridged with the seat
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"  # the trunk or the seat leg failed; worth another try
    CANCELLED = "cancelled"  # stopped on purpose (the citizen called again, a supervisor)


class CallbackStatus(StrEnum):
    """Where a callback stands as a whole."""

    PENDING = "pending"  # waiting for its due time
    IN_PROGRESS = "in_progress"  # an attempt is running
    DONE = "done"  # the citizen was reached
    EXHAUSTED = "exhausted"  # every attempt failed
    SUPERVISOR = "supervisor"  # no callable number: on the supervisor's no-callback list
    CANCELLED = "cancelled"


OPEN_CALLBACK_STATUSES: frozenset[CallbackStatus] = frozenset({CallbackStatus.PENDING, CallbackStatus.IN_PROGRESS})
RETRY_OUTCOMES: frozenset[CallbackOutcome] = frozenset(
    {CallbackOutcome.NO_ANSWER, CallbackOutcome.BUSY, CallbackOutcome.FAILED}
)


class CallbackPolicyError(ValueError):
    """A policy that cannot work; `.errors` names each field and the reason."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = tuple(errors)
        super().__init__("invalid callback policy: " + "; ".join(errors))


class DialTemplateError(ValueError):
    pass


def template_errors(template: str) -> list[str]:
    """What is wrong with a trunk dial-string template (empty when it is usable)."""
    if not isinstance(template, str) or NUMBER_PLACEHOLDER not in template:
        return [f"must contain {NUMBER_PLACEHOLDER} (got {template!r})"]
    try:
        rendered = template.format(number="0")
    except (KeyError, IndexError, ValueError):
        return [f"only {NUMBER_PLACEHOLDER} may be in braces (got {template!r})"]
    if "/" not in rendered or any(c.isspace() for c in rendered):
        return [f"must look like TECH/resource, without spaces (got {template!r})"]
    return []


def render_dial_string(template: str, number: str) -> str:
    """The dial string for `number`, which must already be a normalised callable number (E.164)."""
    errors = template_errors(template)
    if errors:
        raise DialTemplateError(f"dial template {errors[0]}")
    if callback_number(number) != number:
        raise DialTemplateError(f"{number!r} is not a normalised callable number (E.164 such as +6281234567890)")
    return template.format(number=number)


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    """The callback policy. Times are seconds.

    - `first_delay`: after the call ended, before the first attempt (the citizen may call again).
    - `max_attempts`: attempts before the callback is exhausted (0: never call back).
    - `spacing`: between the end of one failed attempt and the next.
    - `ring_timeout`: how long the citizen's phone rings on one attempt.
    - `dial_template`: the trunk dial string, `{number}` replaced by the E.164 number.
    - `caller_id`: the number the citizen sees.
    - `seat_cap`: seats callbacks may hold while inbound callers wait.
    - `call_back_ghosts`: also call back calls tagged ghost (short, no conversation).
    """

    enabled: bool = True
    first_delay: float = 10.0
    max_attempts: int = 3
    spacing: float = 120.0
    ring_timeout: float = 30.0
    dial_template: str = "PJSIP/{number}@telco"
    caller_id: str = "112"
    seat_cap: int = 1
    agent_first: bool = True
    call_back_ghosts: bool = False

    def __post_init__(self) -> None:
        errors = _policy_errors(self)
        if errors:
            raise CallbackPolicyError(errors)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> CallbackPolicy:
        """From a stored (versioned queue settings) or API mapping; unknown keys are errors."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise CallbackPolicyError([f"{name}: unknown setting" for name in unknown])
        return cls(**values)

    @classmethod
    def from_settings(cls, callback: Any, trunk: Any) -> CallbackPolicy:
        """From `settings.callback` and `settings.trunk` (its `outbound_dial` is the template)."""
        return cls(
            enabled=callback.enabled, first_delay=float(callback.first_delay),
            max_attempts=callback.max_attempts, spacing=float(callback.retry_interval),
            ring_timeout=float(callback.ring_timeout), dial_template=trunk.outbound_dial,
            caller_id=callback.caller_id, seat_cap=callback.seat_cap, agent_first=callback.agent_first,
            call_back_ghosts=callback.call_back_ghosts,
        )

    def to_mapping(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def dial_string(self, number: str) -> str:
        return render_dial_string(self.dial_template, number)


def _policy_errors(policy: CallbackPolicy) -> list[str]:
    errors = []
    for name in ("enabled", "agent_first", "call_back_ghosts"):
        if not isinstance(getattr(policy, name), bool):
            errors.append(f"{name}: must be true or false")
    for name, low, strict in (("first_delay", 0, False), ("spacing", 0, True), ("ring_timeout", 0, True)):
        value = getattr(policy, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            errors.append(f"{name}: must be a number of seconds")
        elif value < low or (strict and value == low):
            errors.append(f"{name}: must be {'>' if strict else '>='} {low} (got {value!r})")
    for name in ("max_attempts", "seat_cap"):
        value = getattr(policy, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.append(f"{name}: must be a whole number >= 0 (got {value!r})")
    errors += [f"dial_template: {e}" for e in template_errors(policy.dial_template)]
    if not isinstance(policy.caller_id, str) or not policy.caller_id.strip():
        errors.append("caller_id: must not be empty")
    return errors


class Verdict(StrEnum):
    CALL_BACK = "call_back"
    NO_CALLBACK_LIST = "no_callback_list"  # a supervisor must decide (no number to dial)
    NOT_NEEDED = "not_needed"


@dataclass(frozen=True, slots=True)
class Qualification:
    verdict: Verdict
    reason: str
    number: str | None = None  # E.164, when `verdict` is CALL_BACK
    callback_reason: CallbackReason | None = None


def qualify(end: CallOutcome, caller_number: str | None, policy: CallbackPolicy, *,
            ghost: bool = False, callback_to: str | None = None) -> Qualification:
    """Whether an ended call is called back. `callback_to` is a number the caller gave (preferred)."""
    if end not in (CallOutcome.ABANDONED, CallOutcome.DROPPED):
        return Qualification(Verdict.NOT_NEEDED, "the call completed")
    reason = CallbackReason(end.value)
    if ghost and not policy.call_back_ghosts:
        return Qualification(Verdict.NOT_NEEDED, "ghost call", callback_reason=reason)
    number = callback_number(callback_to) or callback_number(caller_number)
    if number is None:
        kind = classify_caller(caller_number)
        return Qualification(Verdict.NO_CALLBACK_LIST, f"no callable number ({kind.value})", callback_reason=reason)
    if not policy.enabled or policy.max_attempts == 0:
        return Qualification(Verdict.NOT_NEEDED, "callbacks are disabled", callback_reason=reason)
    return Qualification(Verdict.CALL_BACK, f"{reason.value} call", number, reason)


def first_due(ended_at: datetime, policy: CallbackPolicy) -> datetime:
    return ended_at + timedelta(seconds=policy.first_delay)


def next_step(outcome: CallbackOutcome | str, attempts_made: int, attempt_ended_at: datetime,
              policy: CallbackPolicy) -> tuple[CallbackStatus, datetime | None]:
    """After an attempt: the callback's new status and, when it stays pending, when the next is due."""
    outcome = CallbackOutcome(outcome)
    if outcome is CallbackOutcome.CONNECTED:
        return CallbackStatus.DONE, None
    if outcome is CallbackOutcome.CANCELLED:
        return CallbackStatus.CANCELLED, None
    if attempts_made >= policy.max_attempts:
        return CallbackStatus.EXHAUSTED, None
    return CallbackStatus.PENDING, attempt_ended_at + timedelta(seconds=policy.spacing)


def is_due(status: CallbackStatus | str, due_at: datetime, now: datetime) -> bool:
    return CallbackStatus(status) is CallbackStatus.PENDING and due_at <= now


def may_take_seat(inbound_waiting: int, seats_held_by_callbacks: int, policy: CallbackPolicy) -> bool:
    """Whether one more callback may take a seat now: always when no inbound caller waits,
    otherwise only while callbacks hold fewer seats than the cap."""
    return inbound_waiting <= 0 or seats_held_by_callbacks < policy.seat_cap


def preferred_seat(previous_seat: str | None, free_seats: Sequence[str]) -> str | None:
    """The seat that had the call if it is free (it knows the case), else the first free seat in
    the order the ACD gave; None when no seat is free."""
    if previous_seat is not None and previous_seat in free_seats:
        return previous_seat
    return free_seats[0] if free_seats else None
