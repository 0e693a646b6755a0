"""A trainee's work on assessments: quiz attempts and assignment submissions with their files."""
import enum
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.catalogue.models import Assessment
from lms.core.db import Exact, UTCDateTime, enum_column, utcnow
from lms.enrolment.models import Enrolment
from lms.extensions import db


class Attempt(db.Model):
    """One try at a quiz. Answers are saved as the trainee goes, so a closed browser loses nothing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1 for the first attempt
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # None: no time limit
    # The option order shown to this trainee: {question_id: [original option index, ...]}.
    option_order: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    # Saved answers: {question_id: answer}; choices are stored as original option indices.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    is_late: Mapped[bool] = mapped_column(default=False)
    # Closed by the server at the deadline with the answers saved until then.
    closed_by_server: Mapped[bool] = mapped_column(default=False)
    raw_score: Mapped[Optional[Decimal]] = mapped_column(Exact)  # percentage before the late policy
    score: Mapped[Optional[Decimal]] = mapped_column(Exact)  # percentage after the late policy
    # Per question after grading: {question_id: {"fraction": 0..1, "feedback": str}}.
    results: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    override_score: Mapped[Optional[Decimal]] = mapped_column(Exact)
    override_reason: Mapped[Optional[str]] = mapped_column(Text)
    override_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    enrolment: Mapped[Enrolment] = relationship()
    assessment: Mapped[Assessment] = relationship()
    override_by: Mapped[Optional[User]] = relationship()

    __table_args__ = (
        UniqueConstraint("enrolment_id", "assessment_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_percentage"),
        CheckConstraint("override_score IS NULL OR override_score BETWEEN 0 AND 100", name="override_percentage"),
        CheckConstraint("override_score IS NULL OR override_reason IS NOT NULL", name="override_has_reason"),
    )

    def __repr__(self) -> str:
        return f"<Attempt {self.id} enrolment={self.enrolment_id} #{self.number}>"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def final_score(self) -> Decimal | None:
        """The score that counts: an instructor's override, else the graded score."""
        return self.override_score if self.override_score is not None else self.score


class SubmissionState(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # graded and returned to the trainee


class Submission(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    state: Mapped[SubmissionState] = mapped_column(enum_column(SubmissionState), default=SubmissionState.DRAFT)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    times_submitted: Mapped[int] = mapped_column(default=0)
    score: Mapped[Optional[Decimal]] = mapped_column(Exact)  # percentage from the rubric
    feedback: Mapped[Optional[str]] = mapped_column(Text)
    graded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    graded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship()
    assessment: Mapped[Assessment] = relationship()
    graded_by: Mapped[Optional[User]] = relationship()
    files: Mapped[list["SubmissionFile"]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionFile.id"
    )

    __table_args__ = (
        UniqueConstraint("enrolment_id", "assessment_id"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_percentage"),
        CheckConstraint("state = 'draft' OR submitted_at IS NOT NULL", name="submitted_has_date"),
        Index("ix_submission_queue", "state", "submitted_at"),
    )

    def __init__(self, **fields):
        fields.setdefault("state", SubmissionState.DRAFT)
        fields.setdefault("text", "")
        fields.setdefault("times_submitted", 0)
        super().__init__(**fields)

    def __repr__(self) -> str:
        return f"<Submission {self.id} enrolment={self.enrolment_id} {self.state.value}>"


class SubmissionFile(db.Model):
    """An uploaded file, stored outside the web root under a generated name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    original_name: Mapped[str] = mapped_column(String(255))  # shown to people, never used as a path
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="files")

    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    def __repr__(self) -> str:
        return f"<SubmissionFile {self.id} {self.original_name!r}>"


class Extension(db.Model):
    """More time or more quiz attempts an intake's instructor gave one trainee at one assessment, with why.

    Withdrawing one removes this row (the audit log keeps what it said); the trainee's work is never touched.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # None: the intake's own deadline
    extra_attempts: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    assessment: Mapped[Assessment] = relationship()
    granted_by: Mapped[Optional[User]] = relationship()

    __table_args__ = (
        UniqueConstraint("enrolment_id", "assessment_id"),
        CheckConstraint("extra_attempts >= 0", name="extra_attempts_not_negative"),
        CheckConstraint("due_at IS NOT NULL OR extra_attempts > 0", name="extends_something"),
    )

    def __init__(self, **fields):
        fields.setdefault("extra_attempts", 0)
        super().__init__(**fields)

    def __repr__(self) -> str:
        return f"<Extension {self.id} enrolment={self.enrolment_id} assessment={self.assessment_id}>"
