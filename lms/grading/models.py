"""What instructors record: rubric scores of a graded submission, sessions and attendance."""
from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.assessments.models import Submission
from lms.catalogue.models import RubricCriterion, RubricLevel
from lms.core.db import UTCDateTime, utcnow
from lms.enrolment.models import Enrolment, Intake
from lms.extensions import db


class RubricScore(db.Model):
    """The level an instructor chose for one criterion of a submission."""

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("rubric_level.id", ondelete="CASCADE"))

    submission: Mapped[Submission] = relationship()
    criterion: Mapped[RubricCriterion] = relationship()
    level: Mapped[RubricLevel] = relationship()

    __table_args__ = (UniqueConstraint("submission_id", "criterion_id"),)

    def __repr__(self) -> str:
        return f"<RubricScore submission={self.submission_id} criterion={self.criterion_id}>"


class IntakeSession(db.Model):
    """A face-to-face session of an intake, at which attendance is taken."""

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intake.id", ondelete="CASCADE"))
    held_on: Mapped[date]
    starts_at: Mapped[Optional[time]]  # the venue's wall clock (the intake's zone)
    place: Mapped[Optional[str]] = mapped_column(String(200))  # None: the intake's location
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    intake: Mapped[Intake] = relationship()
    attendance: Mapped[list["Attendance"]] = relationship(back_populates="session", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<IntakeSession {self.id} {self.held_on}>"

    @property
    def where(self) -> str | None:
        return self.place or self.intake.location


class Attendance(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("intake_session.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    is_present: Mapped[bool]

    session: Mapped[IntakeSession] = relationship(back_populates="attendance")
    enrolment: Mapped[Enrolment] = relationship()

    __table_args__ = (UniqueConstraint("session_id", "enrolment_id"),)

    def __repr__(self) -> str:
        return f"<Attendance session={self.session_id} enrolment={self.enrolment_id} {self.is_present}>"
