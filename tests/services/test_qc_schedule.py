"""The controller's weekly QC draw (issue 18) and the automatic signals, with fakes: no sockets, no sleeps."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from cc112_pbx.domain.qc import Week
from cc112_pbx.services.qc_service import run_weekly, signals

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@dataclass
class FakeQc:
    weeks: list[str] = field(default_factory=list)
    fail_first: bool = False

    grace: list = field(default_factory=list)

    def last_finished_week(self, grace: timedelta = timedelta(0)) -> Week:
        self.grace.append(grace)
        return Week.parse("2026-W48")

    async def sample_week(self, week: Week, *, actor: str, seed: int | None = None) -> dict:
        self.weeks.append(f"{week}:{actor}")
        if self.fail_first and len(self.weeks) == 1:
            raise ConnectionError("database down")
        return {"week": str(week), "created": len(self.weeks) == 1}


async def test_the_weekly_timer_draws_the_last_finished_week_then_looks_again_and_survives_a_failure():
    qc = FakeQc(fail_first=True)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await run_weekly(qc, interval=3600, sleep=sleep)  # type: ignore[arg-type]
    assert qc.weeks == ["2026-W48:scheduler"] * 3 and slept == [3600] * 3
    assert qc.grace == [timedelta(hours=1)] * 3  # the week's last calls are written before it is drawn


def entry(kind: str, seconds: float, call_id: str | None = "c1", **details):
    return SimpleNamespace(kind=kind, at=T0 + timedelta(seconds=seconds), call_id=call_id, details=details)


def test_signals_come_from_the_call_and_its_incident_timeline():
    call = SimpleNamespace(id="c1", arrived_at=T0, connected_at=T0 + timedelta(seconds=12),
                           ended_at=T0 + timedelta(seconds=192))
    timeline = [entry("arrived", 0), entry("offered_to_seat", 9), entry("offered_to_seat", 3, call_id="other"),
                entry("status_changed", 150, call_id=None, new="dispatched", old="verified")]
    assert signals(call, timeline, 10) == {"answer_s": 12.0, "answer_target_s": 10, "answered_within_target": False,
                                           "hold_s": 9.0, "ring_s": 3.0, "talk_s": 180.0, "dispatch_s": 150.0}


def test_without_dispatch_data_time_to_dispatch_is_none_and_a_dispatch_log_entry_counts():
    call = SimpleNamespace(id="c1", arrived_at=T0, connected_at=T0 + timedelta(seconds=4),
                           ended_at=T0 + timedelta(seconds=60))
    assert signals(call, [entry("offered_to_seat", 1)], 10)["dispatch_s"] is None
    dispatch_note = entry("note", 95, call_id=None, event="dispatch", status="created")  # as issue 17 writes it
    assert signals(call, [dispatch_note], 10)["dispatch_s"] == 95.0
    assert signals(call, [], 10)["answered_within_target"] is True
