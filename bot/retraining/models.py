"""Retraining's tables: admins' verdicts on unrecognised messages, and the runs that train on them.

Created and changed only by the Alembic migrations in `migrations/`, with the lead tables (base: `bot.orm`).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.orm import Base, utcnow
from bot.portal.models import User


class TrainingAnnotation(Base):
    """An admin's verdict on a message the assistant did not understand (bot.retraining).

    One per normalised text: the same message written twice is judged once. `label` is an
    intent (`faq/<topic>` included) or "ignore"; `text` is stored masked, as it is written
    to the training data.
    """

    __tablename__ = "training_annotations"

    id = Column(Integer, primary_key=True)
    text_key = Column(String(64), nullable=False, unique=True)  # sha256 of the normalised text
    text = Column(Text, nullable=False)
    language = Column(String(2), nullable=False)
    label = Column(String(64), nullable=False)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    user = relationship(User)


class TrainingRun(Base):
    """One retraining: validate, train, evaluate against the active model, maybe activate."""

    __tablename__ = "training_runs"

    id = Column(Integer, primary_key=True)
    status = Column(String(16), nullable=False, default="queued")  # see bot.retraining.runs.STATUSES
    phase = Column(String(64), nullable=False, default="")  # what it is doing now, for the progress bar
    progress = Column(Float, nullable=False, default=0.0)  # 0..1
    started_by = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    finished_at = Column(DateTime(timezone=True))
    model_path = Column(Text)
    evaluation = Column(JSON)  # {"candidate": {lang: scores}, "active": {lang: scores}, "worse": [lang]}
    log_tail = Column(Text, nullable=False, default="")
    error = Column(Text)
    activated_at = Column(DateTime(timezone=True))
    activated_by = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    overridden = Column(Boolean, nullable=False, default=False)  # activated although worse somewhere
