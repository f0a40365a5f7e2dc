"""Lead tables: leads, their recipients, consent, routing, status history, outbox, API tokens, counts.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _lead_id(nullable: bool, ondelete: str, table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("lead_id", sa.Integer(), nullable=nullable),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f(f"fk_{table}_lead_id_leads"), ondelete=ondelete
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("company_name", sa.String(length=255), nullable=True),
        sa.Column("contact_name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("employees", sa.Float(), nullable=True),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("target_regions", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("qualification_reasons", sa.JSON(), nullable=False),
        sa.Column("cluster", sa.String(length=32), nullable=False),
        sa.Column("cc_clusters", sa.JSON(), nullable=False),
        sa.Column("routing_reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
    )
    for column in ("created_at", "conversation_id", "cluster", "status"):
        op.create_index(op.f(f"ix_leads_{column}"), "leads", [column])

    op.create_table(
        "lead_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        *_lead_id(nullable=False, ondelete="CASCADE", table="lead_recipients"),
        sa.Column("cluster", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_recipients")),
        sa.UniqueConstraint("lead_id", "cluster", name=op.f("uq_lead_recipients_lead_id_cluster")),
    )
    op.create_index(op.f("ix_lead_recipients_lead_id"), "lead_recipients", ["lead_id"])
    op.create_index(op.f("ix_lead_recipients_cluster"), "lead_recipients", ["cluster"])

    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        *_lead_id(nullable=True, ondelete="CASCADE", table="consent_records"),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("notice_version", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(op.f("ix_consent_records_lead_id"), "consent_records", ["lead_id"])
    op.create_index(op.f("ix_consent_records_conversation_id"), "consent_records", ["conversation_id"])

    op.create_table(
        "routing_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        *_lead_id(nullable=False, ondelete="CASCADE", table="routing_decisions"),
        sa.Column("cluster", sa.String(length=32), nullable=False),
        sa.Column("cc_clusters", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=255), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_decisions")),
    )
    op.create_index(op.f("ix_routing_decisions_lead_id"), "routing_decisions", ["lead_id"])

    op.create_table(
        "lead_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        *_lead_id(nullable=False, ondelete="CASCADE", table="lead_status_changes"),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=255), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_status_changes")),
    )
    op.create_index(op.f("ix_lead_status_changes_lead_id"), "lead_status_changes", ["lead_id"])

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        *_lead_id(nullable=True, ondelete="SET NULL", table="outbox_messages"),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=1024), nullable=False),
        sa.Column("cluster", sa.String(length=32), nullable=True),
        sa.Column("subject", sa.String(length=512), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    for column in ("lead_id", "status", "next_attempt_at"):
        op.create_index(op.f(f"ix_outbox_messages_{column}"), "outbox_messages", [column])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("cluster", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )

    op.create_table(
        "anonymous_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_counts")),
        sa.UniqueConstraint("day", "language", "event", name=op.f("uq_anonymous_counts_day_language_event")),
    )


def downgrade() -> None:
    # Dependent tables first; dropping a table drops its indexes.
    for table in (
        "anonymous_counts",
        "api_tokens",
        "outbox_messages",
        "lead_status_changes",
        "routing_decisions",
        "consent_records",
        "lead_recipients",
        "leads",
    ):
        op.drop_table(table)
