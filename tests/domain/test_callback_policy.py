"""The callback policy and its decisions: who is called back, when, how often, and on which seat."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cc112_pbx.domain.call_end import CallOutcome
from cc112_pbx.domain.callbacks import (
    CallbackOutcome,
    CallbackPolicy,
    CallbackPolicyError,
    CallbackReason,
    CallbackStatus,
    DialTemplateError,
    Verdict,
    first_due,
    is_due,
    may_take_seat,
    next_step,
    preferred_seat,
    qualify,
    render_dial_string,
)

T0 = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)
POLICY = CallbackPolicy(first_delay=15, max_attempts=3, spacing=120, seat_cap=1)


def test_abandoned_caller_with_a_number_is_called_back_on_the_normalised_number():
    decision = qualify(CallOutcome.ABANDONED, "0812-3456-7890", POLICY)
    assert decision.verdict is Verdict.CALL_BACK
    assert decision.number == "+6281234567890" and decision.callback_reason is CallbackReason.ABANDONED


def test_a_number_the_caller_gave_is_preferred_over_the_one_the_network_sent():
    decision = qualify(CallOutcome.DROPPED, None, POLICY, callback_to="024 355 1234")
    assert (decision.verdict, decision.number) == (Verdict.CALL_BACK, "+62243551234")


@pytest.mark.parametrize(("number", "kind"), [(None, "none"), ("anonymous", "anonymous"), ("112", "unroutable")])
def test_sim_less_withheld_and_unroutable_callers_go_on_the_supervisor_list(number, kind):
    decision = qualify(CallOutcome.DROPPED, number, POLICY)
    assert decision.verdict is Verdict.NO_CALLBACK_LIST and decision.number is None
    assert decision.reason == f"no callable number ({kind})"
    assert decision.callback_reason is CallbackReason.DROPPED


def test_completed_calls_and_ghost_calls_are_not_called_back_unless_the_policy_says_so():
    assert qualify(CallOutcome.ANSWERED, "081234567890", POLICY).verdict is Verdict.NOT_NEEDED
    assert qualify(CallOutcome.ABANDONED, "081234567890", POLICY, ghost=True).reason == "ghost call"
    eager = CallbackPolicy(call_back_ghosts=True)
    assert qualify(CallOutcome.ABANDONED, "081234567890", eager, ghost=True).verdict is Verdict.CALL_BACK


def test_disabled_callbacks_still_put_no_callback_callers_on_the_list():
    off = CallbackPolicy(enabled=False)
    assert qualify(CallOutcome.ABANDONED, "081234567890", off).verdict is Verdict.NOT_NEEDED
    assert qualify(CallOutcome.ABANDONED, None, off).verdict is Verdict.NO_CALLBACK_LIST


def test_first_attempt_waits_the_configured_delay():
    due = first_due(T0, POLICY)
    assert due == T0 + dt.timedelta(seconds=15)
    assert not is_due("pending", due, due - dt.timedelta(seconds=1)) and is_due("pending", due, due)
    assert not is_due("in_progress", due, due)


def test_busy_and_no_answer_are_retried_with_spacing_and_stop_at_the_maximum():
    assert next_step("busy", 1, T0, POLICY) == (CallbackStatus.PENDING, T0 + dt.timedelta(seconds=120))
    assert next_step(CallbackOutcome.NO_ANSWER, 2, T0, POLICY)[0] is CallbackStatus.PENDING
    assert next_step("no_answer", 3, T0, POLICY) == (CallbackStatus.EXHAUSTED, None)
    assert next_step("connected", 1, T0, POLICY) == (CallbackStatus.DONE, None)
    assert next_step("cancelled", 1, T0, POLICY) == (CallbackStatus.CANCELLED, None)


@given(st.integers(1, 10), st.integers(1, 12), st.sampled_from(list(CallbackOutcome)))
def test_no_callback_ever_takes_more_attempts_than_the_maximum(max_attempts, made, outcome):
    policy = CallbackPolicy(max_attempts=max_attempts)
    status, due = next_step(outcome, made, T0, policy)
    if status is CallbackStatus.PENDING:
        assert made < max_attempts and due is not None and due > T0
    else:
        assert due is None


@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5))
def test_callbacks_never_hold_more_seats_than_the_cap_while_112_callers_wait(waiting, held, cap):
    allowed = may_take_seat(waiting, held, CallbackPolicy(seat_cap=cap))
    if waiting:
        assert allowed == (held + 1 <= cap)
    else:
        assert allowed


def test_the_seat_that_had_the_call_is_preferred_when_free():
    assert preferred_seat("seat02", ["seat01", "seat02"]) == "seat02"
    assert preferred_seat("seat02", ["seat03", "seat01"]) == "seat03"
    assert preferred_seat(None, ["seat01"]) == "seat01"
    assert preferred_seat("seat02", []) is None


def test_dial_string_is_rendered_from_the_trunk_template():
    assert POLICY.dial_string("+6281234567890") == "PJSIP/+6281234567890@telco"
    assert render_dial_string("Local/{number}@callback", "+62243551234") == "Local/+62243551234@callback"


@pytest.mark.parametrize("number", ["081234567890", "anonymous", "", "+62 812", "+6281234567890@evil"])
def test_only_a_normalised_callable_number_is_dialled(number):
    with pytest.raises(DialTemplateError, match="not a normalised callable number"):
        render_dial_string("PJSIP/{number}@telco", number)


@pytest.mark.parametrize(
    ("template", "message"),
    [("PJSIP/telco", "must contain {number}"), ("PJSIP/{number}@{trunk}", "only {number} may be in braces"),
     ("{number}", "TECH/resource"), ("PJSIP/{number} @telco", "TECH/resource")],
)
def test_a_template_without_the_number_placeholder_is_refused(template, message):
    with pytest.raises(DialTemplateError, match=message):
        render_dial_string(template, "+6281234567890")


def test_an_unworkable_policy_lists_every_problem():
    with pytest.raises(CallbackPolicyError) as refused:
        CallbackPolicy(first_delay=-1, spacing=0, max_attempts=-2, seat_cap=True, dial_template="x", caller_id=" ")
    assert refused.value.errors == (
        "first_delay: must be >= 0 (got -1)", "spacing: must be > 0 (got 0)",
        "max_attempts: must be a whole number >= 0 (got -2)", "seat_cap: must be a whole number >= 0 (got True)",
        "dial_template: must contain {number} (got 'x')", "caller_id: must not be empty",
    )


def test_policy_round_trips_through_a_mapping_for_the_versioned_queue_settings():
    assert CallbackPolicy.from_mapping(POLICY.to_mapping()) == POLICY
    with pytest.raises(CallbackPolicyError, match="retries: unknown setting"):
        CallbackPolicy.from_mapping({"retries": 2})
