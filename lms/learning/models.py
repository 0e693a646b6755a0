"""A trainee's progress through the lessons of an intake."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalogue.models import Lesson
from lms.core.db import UTCDateTime, utcnow
from lms.enrolment.models import Enrolment
from lms.extensions import db


class LessonProgress(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    last_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship()
    lesson: Mapped[Lesson] = relationship()

    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_id"),)

    def __repr__(self) -> str:
        return f"<LessonProgress enrolment={self.enrolment_id} lesson={self.lesson_id}>"

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None
