"""In-memory fakes of the QC service's ports (`QcDataStore`: qc, calls, incidents, timeline,
api_users, audit), for unit tests of `QcService` with no database and no sockets."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, make_dataclass
from datetime import datetime
from typing import Any

_KINDS: dict[tuple[str, ...], type] = {}


def row(**values: Any) -> Any:
    """A stored record as the repositories hand them out: a dataclass (`plain()` reads its fields)."""
    names = tuple(values)
    if names not in _KINDS:
        _KINDS[names] = make_dataclass("Record", [(name, Any) for name in names])
    return _KINDS[names](**values)


@dataclass
class FakeQcRepository:
    rubrics: list[Any] = field(default_factory=list)
    candidates: list[Any] = field(default_factory=list)
    run_rows: dict[str, Any] = field(default_factory=dict)
    sample_rows: dict[int, Any] = field(default_factory=dict)
    evaluation_rows: dict[int, Any] = field(default_factory=dict)
    response_rows: list[Any] = field(default_factory=list)
    store_run_delay: float = 0.0  # lets two draws overlap (a yield to the loop, not a sleep of real time)
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)

    async def current_rubric(self) -> Any | None:
        return self.rubrics[-1] if self.rubrics else None

    async def rubric(self, version: int) -> Any | None:
        return next((r for r in self.rubrics if r.version == version), None)

    async def rubric_history(self, limit: int = 20) -> list[Any]:
        return list(reversed(self.rubrics))[:limit]

    async def save_rubric(self, elements, author, at=None) -> Any:
        self.rubrics.append(row(version=len(self.rubrics) + 1, elements=[dict(e) for e in elements], author=author,
                                created_at=at))
        return self.rubrics[-1]

    async def candidate_calls(self, start: datetime, end: datetime) -> list[Any]:
        self.windows.append((start, end))
        return [c for c in self.candidates if start <= c.connected_at < end]

    async def run_for_week(self, week: str) -> Any | None:
        return self.run_rows.get(week)

    async def runs(self, limit: int = 52) -> list[Any]:
        return list(self.run_rows.values())[:limit]

    async def store_run(self, *, week, seed, per_taker, min_talk_s, drawn_at, drawn_by, report, samples):
        for _ in range(int(self.store_run_delay)):
            await asyncio.sleep(0)
        if week in self.run_rows:
            raise LookupError(f"SampleRunExists: {week}")
        run = row(id=len(self.run_rows) + 1, week=week, seed=seed, per_taker=per_taker, min_talk_s=min_talk_s,
                  drawn_at=drawn_at, drawn_by=drawn_by, report=dict(report))
        self.run_rows[week] = run
        made = []
        for seat, call, recording in samples:
            sample = row(id=len(self.sample_rows) + 1, run_id=run.id, week=week, seat_id=seat, call_id=call,
                         recording_id=recording, status="pending", created_at=drawn_at, replaces_id=None,
                         swap_reason=None, swapped_by=None, swapped_at=None)
            self.sample_rows[sample.id] = sample
            made.append(sample)
        return run, made

    async def samples(self, *, week=None, seat_id=None, include_swapped=True) -> list[Any]:
        return [s for s in self.sample_rows.values() if (week is None or s.week == week)
                and (seat_id is None or s.seat_id == seat_id) and (include_swapped or s.status != "swapped")]

    async def sample(self, sample_id: int) -> Any | None:
        return self.sample_rows.get(sample_id)

    async def swap_sample(self, sample_id, *, reason, actor, at, replacement):
        old = self.sample_rows[sample_id]
        old.__dict__.update(status="swapped", swap_reason=reason, swapped_by=actor, swapped_at=at)
        new = None
        if replacement is not None:
            new = row(**{**old.__dict__, "id": len(self.sample_rows) + 1, "call_id": replacement[0],
                         "recording_id": replacement[1], "status": "pending", "replaces_id": old.id,
                         "swap_reason": None, "swapped_by": None, "swapped_at": None})
            self.sample_rows[new.id] = new
        return old, new

    async def referenced_recordings(self, recording_ids) -> set[int]:
        return {s.recording_id for s in self.sample_rows.values() if s.recording_id in set(recording_ids)}

    async def add_evaluation(self, **values: Any) -> Any:
        if any(e.sample_id == values["sample_id"] and e.version == values["version"]
               for e in self.evaluation_rows.values()):
            raise LookupError("EvaluationVersionTaken")
        evaluation = row(id=len(self.evaluation_rows) + 1, **values)
        self.evaluation_rows[evaluation.id] = evaluation
        return evaluation

    async def evaluation(self, evaluation_id: int) -> Any | None:
        return self.evaluation_rows.get(evaluation_id)

    async def evaluations_of_sample(self, sample_id: int) -> list[Any]:
        return sorted((e for e in self.evaluation_rows.values() if e.sample_id == sample_id), key=lambda e: e.version)

    async def evaluations(self, *, weeks=None, seat_id=None, current_only=True) -> list[Any]:
        rows = [e for e in self.evaluation_rows.values() if (weeks is None or e.week in weeks)
                and (seat_id is None or e.seat_id == seat_id)]
        if current_only:
            rows = [e for e in rows if not any(o.sample_id == e.sample_id and o.version > e.version for o in rows)]
        return rows

    async def add_response(self, evaluation_id, *, kind, comment, author, at) -> Any:
        self.response_rows.append(row(id=len(self.response_rows) + 1, evaluation_id=evaluation_id, kind=kind,
                                      comment=comment, author=author, at=at))
        return self.response_rows[-1]

    async def responses(self, evaluation_ids) -> list[Any]:
        return [r for r in self.response_rows if r.evaluation_id in set(evaluation_ids)]


@dataclass
class FakeQcCalls:
    calls: dict[str, Any] = field(default_factory=dict)

    async def get(self, call_id: str) -> Any | None:
        return self.calls.get(call_id)


@dataclass
class FakeQcTimeline:
    entries: dict[int, list[Any]] = field(default_factory=dict)

    async def for_incident(self, incident_id: int) -> list[Any]:
        return self.entries.get(incident_id, [])


@dataclass
class FakeQcIncidents:
    async def get(self, incident_id: int) -> Any | None:
        return None


@dataclass
class FakeUsers:
    users: list[Any] = field(default_factory=list)

    async def all(self) -> list[Any]:
        return self.users


@dataclass
class FakeQcAudit:
    entries: list[dict[str, Any]] = field(default_factory=list)

    async def record(self, actor, action, details=None, at=None) -> None:
        self.entries.append({"actor": actor, "action": action, "details": dict(details or {}), "at": at})


@dataclass
class FakeQcStore:
    qc: FakeQcRepository = field(default_factory=FakeQcRepository)
    calls: FakeQcCalls = field(default_factory=FakeQcCalls)
    incidents: FakeQcIncidents = field(default_factory=FakeQcIncidents)
    timeline: FakeQcTimeline = field(default_factory=FakeQcTimeline)
    api_users: FakeUsers = field(default_factory=FakeUsers)
    audit: FakeQcAudit = field(default_factory=FakeQcAudit)


__all__ = ["FakeQcStore", "row"]
