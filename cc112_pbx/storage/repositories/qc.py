"""Quality control (issue 18): rubric versions, weekly sample runs, samples, evaluations
(append-only: a correction is the next version) and call takers' responses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cc112_pbx.storage.models import Call, Recording
from cc112_pbx.storage.qc_models import (
    QcEvaluationRow,
    QcResponseRow,
    QcRubricVersionRow,
    QcSampleRow,
    QcSampleRunRow,
)
from cc112_pbx.storage.records import CallDirection, to_record
from cc112_pbx.storage.repositories.base import Repository, utcnow

_SAVE_TRIES = 10


@dataclass(frozen=True, slots=True)
class QcRubricVersion:
    version: int
    elements: list[dict[str, Any]]
    author: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class QcSampleRun:
    id: int
    week: str
    seed: int
    per_taker: int
    min_talk_s: float
    drawn_at: dt.datetime
    drawn_by: str
    report: dict[str, Any]


@dataclass(frozen=True, slots=True)
class QcSample:
    id: int
    run_id: int
    week: str
    seat_id: str
    call_id: str
    recording_id: int | None
    status: str
    created_at: dt.datetime
    replaces_id: int | None
    swap_reason: str | None
    swapped_by: str | None
    swapped_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class QcEvaluation:
    id: int
    sample_id: int
    version: int
    supersedes_id: int | None
    rubric_version: int
    week: str
    seat_id: str
    evaluator: str
    scores: dict[str, Any]
    comment: str
    earned: float
    possible: float
    compliance: float | None
    signals: dict[str, Any]
    submitted_at: dt.datetime


@dataclass(frozen=True, slots=True)
class QcResponse:
    id: int
    evaluation_id: int
    kind: str
    comment: str
    author: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class QcCandidateCall:
    """An answered inbound call with a kept recording (what the weekly draw chooses from)."""

    call_id: str
    seat_id: str
    recording_id: int
    connected_at: dt.datetime
    ended_at: dt.datetime


class SampleRunExists(Exception):
    """The week was drawn already (another run won the race): nothing was written."""


class EvaluationVersionTaken(Exception):
    """Another evaluation of the sample was stored first with that version."""


class QcRepository(Repository):
    # --- rubric ----------------------------------------------------------------------------------
    async def current_rubric(self) -> QcRubricVersion | None:
        query = sa.select(QcRubricVersionRow).order_by(QcRubricVersionRow.version.desc()).limit(1)
        async with self._transaction() as session:
            row = await session.scalar(query)
            return to_record(QcRubricVersion, row) if row is not None else None

    async def rubric(self, version: int) -> QcRubricVersion | None:
        async with self._transaction() as session:
            row = await session.get(QcRubricVersionRow, version)
            return to_record(QcRubricVersion, row) if row is not None else None

    async def rubric_history(self, limit: int = 20) -> list[QcRubricVersion]:
        query = sa.select(QcRubricVersionRow).order_by(QcRubricVersionRow.version.desc()).limit(limit)
        async with self._transaction() as session:
            return [to_record(QcRubricVersion, r) for r in (await session.scalars(query)).all()]

    async def save_rubric(self, elements: Sequence[Mapping[str, Any]], author: str,
                          at: dt.datetime | None = None) -> QcRubricVersion:
        at = at or utcnow()
        for attempt in range(_SAVE_TRIES):
            try:
                async with self._transaction() as session:
                    latest = await session.scalar(sa.select(sa.func.max(QcRubricVersionRow.version)))
                    row = QcRubricVersionRow(version=(latest or 0) + 1, elements=[dict(e) for e in elements],
                                             author=author, created_at=at)
                    session.add(row)
                return to_record(QcRubricVersion, row)
            except sa.exc.IntegrityError:
                if attempt == _SAVE_TRIES - 1:
                    raise
        raise AssertionError("unreachable")

    # --- candidates --------------------------------------------------------------------------------
    async def candidate_calls(self, start: dt.datetime, end: dt.datetime) -> list[QcCandidateCall]:
        """Inbound calls answered at a seat in [start, end), ended, with a recording not deleted."""
        query = (
            sa.select(Call.id, Call.seat_id, sa.func.min(Recording.id), Call.connected_at, Call.ended_at)
            .join(Recording, Recording.call_id == Call.id)
            .where(Call.direction == CallDirection.INBOUND, Call.seat_id.is_not(None),
                   Call.connected_at.is_not(None), Call.ended_at.is_not(None),
                   Call.connected_at >= start, Call.connected_at < end, Recording.deleted_at.is_(None))
            .group_by(Call.id, Call.seat_id, Call.connected_at, Call.ended_at)
            .order_by(Call.id)
        )
        async with self._transaction() as session:
            rows = (await session.execute(query)).all()
        return [QcCandidateCall(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    # --- runs and samples ----------------------------------------------------------------------------
    async def run_for_week(self, week: str) -> QcSampleRun | None:
        async with self._transaction() as session:
            row = await session.scalar(sa.select(QcSampleRunRow).where(QcSampleRunRow.week == week))
            return to_record(QcSampleRun, row) if row is not None else None

    async def runs(self, limit: int = 52) -> list[QcSampleRun]:
        query = sa.select(QcSampleRunRow).order_by(QcSampleRunRow.week.desc()).limit(limit)
        async with self._transaction() as session:
            return [to_record(QcSampleRun, r) for r in (await session.scalars(query)).all()]

    async def store_run(self, *, week: str, seed: int, per_taker: int, min_talk_s: float, drawn_at: dt.datetime,
                        drawn_by: str, report: Mapping[str, Any],
                        samples: Sequence[tuple[str, str, int | None]]) -> tuple[QcSampleRun, list[QcSample]]:
        """The week's run and its samples (seat, call, recording) in one transaction; raises
        `SampleRunExists` when the week was drawn already."""
        try:
            async with self._transaction() as session:
                if await session.scalar(sa.select(QcSampleRunRow.id).where(QcSampleRunRow.week == week)):
                    raise SampleRunExists(week)
                run = QcSampleRunRow(week=week, seed=seed, per_taker=per_taker, min_talk_s=min_talk_s,
                                     drawn_at=drawn_at, drawn_by=drawn_by, report=dict(report))
                session.add(run)
                await session.flush()
                rows = [QcSampleRow(run_id=run.id, week=week, seat_id=seat, call_id=call, recording_id=recording,
                                    status="pending", created_at=drawn_at) for seat, call, recording in samples]
                session.add_all(rows)
        except sa.exc.IntegrityError as exc:
            raise SampleRunExists(week) from exc
        return to_record(QcSampleRun, run), [to_record(QcSample, r) for r in rows]

    async def samples(self, *, week: str | None = None, seat_id: str | None = None,
                      include_swapped: bool = True) -> list[QcSample]:
        query = sa.select(QcSampleRow).order_by(QcSampleRow.week, QcSampleRow.seat_id, QcSampleRow.id)
        if week is not None:
            query = query.where(QcSampleRow.week == week)
        if seat_id is not None:
            query = query.where(QcSampleRow.seat_id == seat_id)
        if not include_swapped:
            query = query.where(QcSampleRow.status != "swapped")
        async with self._transaction() as session:
            return [to_record(QcSample, r) for r in (await session.scalars(query)).all()]

    async def sample(self, sample_id: int) -> QcSample | None:
        async with self._transaction() as session:
            row = await session.get(QcSampleRow, sample_id)
            return to_record(QcSample, row) if row is not None else None

    async def swap_sample(self, sample_id: int, *, reason: str, actor: str, at: dt.datetime,
                          replacement: tuple[str, int | None] | None) -> tuple[QcSample, QcSample | None]:
        """Mark the sample swapped (reason, who, when) and add its replacement (call, recording), if any."""
        async with self._transaction() as session:
            row = await self._get_or_raise(session, QcSampleRow, sample_id, "QC sample")
            assert isinstance(row, QcSampleRow)
            row.status, row.swap_reason, row.swapped_by, row.swapped_at = "swapped", reason, actor, at
            new = None
            if replacement is not None:
                new = QcSampleRow(run_id=row.run_id, week=row.week, seat_id=row.seat_id, call_id=replacement[0],
                                  recording_id=replacement[1], status="pending", created_at=at, replaces_id=row.id)
                session.add(new)
        return to_record(QcSample, row), (to_record(QcSample, new) if new is not None else None)

    async def referenced(self, recording_ids: Sequence[int]) -> set[int]:
        """`QcSampleReferences` for the retention policy: the same as `referenced_recordings`."""
        return await self.referenced_recordings(recording_ids)

    async def referenced_recordings(self, recording_ids: Sequence[int]) -> set[int]:
        """Recordings of samples not swapped out (the retention policy keeps them)."""
        if not recording_ids:
            return set()
        query = sa.select(QcSampleRow.recording_id).where(QcSampleRow.recording_id.in_(list(recording_ids)),
                                                          QcSampleRow.status != "swapped")
        async with self._transaction() as session:
            return {r for r in (await session.scalars(query)).all() if r is not None}

    # --- evaluations ----------------------------------------------------------------------------------
    async def add_evaluation(self, *, sample_id: int, version: int, supersedes_id: int | None,
                             rubric_version: int, week: str, seat_id: str, evaluator: str,
                             scores: Mapping[str, Any], comment: str, earned: float, possible: float,
                             compliance: float | None, signals: Mapping[str, Any],
                             submitted_at: dt.datetime) -> QcEvaluation:
        """Append one evaluation; raises `EvaluationVersionTaken` when that version exists already."""
        row = QcEvaluationRow(sample_id=sample_id, version=version, supersedes_id=supersedes_id,
                              rubric_version=rubric_version, week=week, seat_id=seat_id, evaluator=evaluator,
                              scores=dict(scores), comment=comment, earned=earned, possible=possible,
                              compliance=compliance, signals=dict(signals), submitted_at=submitted_at)
        try:
            async with self._transaction() as session:
                session.add(row)
        except sa.exc.IntegrityError as exc:
            raise EvaluationVersionTaken(f"sample {sample_id} version {version}") from exc
        return to_record(QcEvaluation, row)

    async def evaluation(self, evaluation_id: int) -> QcEvaluation | None:
        async with self._transaction() as session:
            row = await session.get(QcEvaluationRow, evaluation_id)
            return to_record(QcEvaluation, row) if row is not None else None

    async def evaluations_of_sample(self, sample_id: int) -> list[QcEvaluation]:
        """Every version, oldest first."""
        query = sa.select(QcEvaluationRow).where(QcEvaluationRow.sample_id == sample_id).order_by(
            QcEvaluationRow.version)
        async with self._transaction() as session:
            return [to_record(QcEvaluation, r) for r in (await session.scalars(query)).all()]

    async def evaluations(self, *, weeks: Sequence[str] | None = None, seat_id: str | None = None,
                          current_only: bool = True) -> list[QcEvaluation]:
        """Evaluations (by default only the newest version of each sample), oldest first."""
        query = sa.select(QcEvaluationRow).order_by(QcEvaluationRow.week, QcEvaluationRow.id)
        if weeks is not None:
            query = query.where(QcEvaluationRow.week.in_(list(weeks)))
        if seat_id is not None:
            query = query.where(QcEvaluationRow.seat_id == seat_id)
        if current_only:
            newer = sa.orm.aliased(QcEvaluationRow)
            query = query.where(~sa.exists().where(newer.sample_id == QcEvaluationRow.sample_id,
                                                   newer.version > QcEvaluationRow.version))
        async with self._transaction() as session:
            return [to_record(QcEvaluation, r) for r in (await session.scalars(query)).all()]

    # --- responses ---------------------------------------------------------------------------------------
    async def add_response(self, evaluation_id: int, *, kind: str, comment: str, author: str,
                           at: dt.datetime) -> QcResponse:
        row = QcResponseRow(evaluation_id=evaluation_id, kind=kind, comment=comment, author=author, at=at)
        async with self._transaction() as session:
            session.add(row)
        return to_record(QcResponse, row)

    async def responses(self, evaluation_ids: Sequence[int]) -> list[QcResponse]:
        if not evaluation_ids:
            return []
        query = (sa.select(QcResponseRow).where(QcResponseRow.evaluation_id.in_(list(evaluation_ids)))
                 .order_by(QcResponseRow.at, QcResponseRow.id))
        async with self._transaction() as session:
            return [to_record(QcResponse, r) for r in (await session.scalars(query)).all()]
