"""The quality-control tables (issue 18), beside `models.py` on the same `Base`.

- qc_rubric_versions: every change of the rubric is a new version (like the queue configuration).
- qc_sample_runs: one draw per ISO week (unique `week`): its seed, who drew it, the shortfall.
- qc_samples: the calls drawn; a swapped sample keeps its row (status "swapped", reason, who).
- qc_evaluations: append-only; a correction is a new row with the next `version` of the same sample.
- qc_responses: a call taker's acknowledgement or dispute of an evaluation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cc112_pbx.storage.models import Base


class QcRubricVersionRow(Base):
    __tablename__ = "qc_rubric_versions"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    elements: Mapped[list[Any]] = mapped_column(sa.JSON)
    author: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[dt.datetime]


class QcSampleRunRow(Base):
    __tablename__ = "qc_sample_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(sa.String(8), unique=True)
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    per_taker: Mapped[int]
    min_talk_s: Mapped[float] = mapped_column(sa.Float)
    drawn_at: Mapped[dt.datetime]
    drawn_by: Mapped[str] = mapped_column(sa.String(128))
    report: Mapped[dict[str, Any]]  # available per seat, shortfall per seat, excluded seats


class QcSampleRow(Base):
    __tablename__ = "qc_samples"
    __table_args__ = (sa.UniqueConstraint("week", "call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("qc_sample_runs.id"), index=True)
    week: Mapped[str] = mapped_column(sa.String(8), index=True)
    seat_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    call_id: Mapped[str] = mapped_column(sa.ForeignKey("calls.id"))
    recording_id: Mapped[int | None] = mapped_column(sa.ForeignKey("recordings.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))  # "pending", "swapped"
    created_at: Mapped[dt.datetime]
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("qc_samples.id"))
    swap_reason: Mapped[str | None] = mapped_column(sa.String(500))
    swapped_by: Mapped[str | None] = mapped_column(sa.String(128))
    swapped_at: Mapped[dt.datetime | None]


class QcEvaluationRow(Base):
    __tablename__ = "qc_evaluations"
    __table_args__ = (sa.UniqueConstraint("sample_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(sa.ForeignKey("qc_samples.id"), index=True)
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("qc_evaluations.id"))
    rubric_version: Mapped[int]
    week: Mapped[str] = mapped_column(sa.String(8), index=True)
    seat_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    evaluator: Mapped[str] = mapped_column(sa.String(128))
    scores: Mapped[dict[str, Any]]  # key -> {"score": yes|no|na, "comment": ...}
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    earned: Mapped[float] = mapped_column(sa.Float)
    possible: Mapped[float] = mapped_column(sa.Float)
    compliance: Mapped[float | None] = mapped_column(sa.Float)
    signals: Mapped[dict[str, Any]]  # answer_s, hold_s, dispatch_s (None when unknown)
    submitted_at: Mapped[dt.datetime]


class QcResponseRow(Base):
    __tablename__ = "qc_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("qc_evaluations.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # "acknowledged", "disputed"
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    author: Mapped[str] = mapped_column(sa.String(128))
    at: Mapped[dt.datetime]
