"""Quality control (issue 18): the rubric, weekly samples, evaluations, responses; the qc_evaluator role.

- qc_rubric_versions: the rubric, one row per version (author, time), like queue_config_versions.
- qc_sample_runs: one draw per ISO week (unique `week`), with its seed and shortfall report.
- qc_samples: the calls drawn (unique per week and call); swapped ones keep their row and reason.
- qc_evaluations: append-only; a correction is the next `version` of the same sample (unique).
- qc_responses: call takers' acknowledgements and disputes.
(The qc_evaluator role itself is allowed by 0007, which rebuilds api_users.role once for every new role.)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "qc_rubric_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("elements", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_qc_rubric_versions")),
    )
    op.create_table(
        "qc_sample_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("per_taker", sa.Integer(), nullable=False),
        sa.Column("min_talk_s", sa.Float(), nullable=False),
        _time("drawn_at"),
        sa.Column("drawn_by", sa.String(128), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_sample_runs")),
        sa.UniqueConstraint("week", name=op.f("uq_qc_sample_runs_week")),
    )
    op.create_table(
        "qc_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("seat_id", sa.String(32), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        _time("created_at"),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("swap_reason", sa.String(500), nullable=True),
        sa.Column("swapped_by", sa.String(128), nullable=True),
        _time("swapped_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_samples")),
        sa.ForeignKeyConstraint(["run_id"], ["qc_sample_runs.id"], name=op.f("fk_qc_samples_run_id_qc_sample_runs")),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_qc_samples_call_id_calls")),
        sa.ForeignKeyConstraint(["recording_id"], ["recordings.id"],
                                name=op.f("fk_qc_samples_recording_id_recordings")),
        sa.ForeignKeyConstraint(["replaces_id"], ["qc_samples.id"], name=op.f("fk_qc_samples_replaces_id_qc_samples")),
        sa.UniqueConstraint("week", "call_id", name=op.f("uq_qc_samples_week_call_id")),
    )
    for column in ("run_id", "week", "seat_id", "recording_id"):
        op.create_index(op.f(f"ix_qc_samples_{column}"), "qc_samples", [column], unique=False)
    op.create_table(
        "qc_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("rubric_version", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("seat_id", sa.String(32), nullable=False),
        sa.Column("evaluator", sa.String(128), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("earned", sa.Float(), nullable=False),
        sa.Column("possible", sa.Float(), nullable=False),
        sa.Column("compliance", sa.Float(), nullable=True),
        sa.Column("signals", sa.JSON(), nullable=False),
        _time("submitted_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_evaluations")),
        sa.ForeignKeyConstraint(["sample_id"], ["qc_samples.id"], name=op.f("fk_qc_evaluations_sample_id_qc_samples")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["qc_evaluations.id"],
                                name=op.f("fk_qc_evaluations_supersedes_id_qc_evaluations")),
        sa.UniqueConstraint("sample_id", "version", name=op.f("uq_qc_evaluations_sample_id_version")),
    )
    for column in ("sample_id", "week", "seat_id"):
        op.create_index(op.f(f"ix_qc_evaluations_{column}"), "qc_evaluations", [column], unique=False)
    op.create_table(
        "qc_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        _time("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_responses")),
        sa.ForeignKeyConstraint(["evaluation_id"], ["qc_evaluations.id"],
                                name=op.f("fk_qc_responses_evaluation_id_qc_evaluations")),
    )
    op.create_index(op.f("ix_qc_responses_evaluation_id"), "qc_responses", ["evaluation_id"], unique=False)


def downgrade() -> None:
    op.drop_table("qc_responses")
    op.drop_table("qc_evaluations")
    op.drop_table("qc_samples")
    op.drop_table("qc_sample_runs")
    op.drop_table("qc_rubric_versions")
