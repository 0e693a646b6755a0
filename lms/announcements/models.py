"""An announcement to an intake, and the record of each person it reached (so nobody is told twice)."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import UTCDateTime, utcnow
from lms.enrolment.models import Intake
from lms.extensions import db


class Announcement(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intake.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)  # rendered and cleaned once, when posted
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the delivery job had told every trainee holding a place then; None: not yet (a lost job is found again).
    delivered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    intake: Mapped[Intake] = relationship()
    author: Mapped[Optional[User]] = relationship()

    __table_args__ = (Index("ix_announcement_intake_posted", "intake_id", "posted_at"),)

    def __repr__(self) -> str:
        return f"<Announcement {self.id} intake={self.intake_id} {self.title!r}>"


class AnnouncementReceipt(db.Model):
    """One person told of one announcement; the primary key makes a second delivery run tell nobody again."""

    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<AnnouncementReceipt announcement={self.announcement_id} user={self.user_id}>"
