"""In-app notifications and the outbox of every e-mail the platform sends."""
import enum
from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import UTCDateTime, enum_column, utcnow
from lms.extensions import db


class Notification(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    def __repr__(self) -> str:
        return f"<Notification {self.id} user={self.user_id}>"


class MailStatus(enum.Enum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a worker (claimed_by, claimed_at)
    SENT = "sent"
    FAILED = "failed"  # refused for good, or out of attempts: shown to admins, who may send it again

    @property
    def label(self) -> str:
        return {MailStatus.PENDING: _l("waiting"), MailStatus.SENDING: _l("being sent"), MailStatus.SENT: _l("sent"),
                MailStatus.FAILED: _l("failed")}[self]


class OutboxMail(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    error: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[Optional[str]] = mapped_column(String(64))
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Files to attach, stored under DATA_DIR: [{"name": ..., "path": relative path, "type": "application/pdf"}].
    attachments: Mapped[Optional[list]] = mapped_column(JSON)

    __table_args__ = (Index("ix_outbox_mail_status_due", "status", "next_attempt_at"),)

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} to={self.to_address} {self.status.value}>"


class NoticeKind(enum.Enum):
    """The kinds of notice a person may switch off on their profile."""

    NEW_REQUEST = "new_request"  # coordinators: a trainee asks for a place
    WORK_DUE = "work_due"  # trainees: a quiz or assignment due within three days
    INTAKE_STARTING = "intake_starting"  # trainees: an intake of theirs starts within a week
    GRADING_DIGEST = "grading_digest"  # instructors: daily, the work waiting for a grade
    AT_RISK_DIGEST = "at_risk_digest"  # instructors and coordinators: weekly, trainees at risk

    @property
    def label(self) -> str:
        return {
            NoticeKind.NEW_REQUEST: _l("A trainee of my country asks for a place"),
            NoticeKind.WORK_DUE: _l("A quiz or assignment of mine is due within three days"),
            NoticeKind.INTAKE_STARTING: _l("An intake of mine starts within a week"),
            NoticeKind.GRADING_DIGEST: _l("Daily digest of the work waiting for my grade"),
            NoticeKind.AT_RISK_DIGEST: _l("Weekly digest of trainees at risk"),
        }[self]


class NoticeSetting(db.Model):
    """A kind of notice a person switched off (no row: on)."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind), primary_key=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<NoticeSetting user={self.user_id} {self.kind.value} {self.is_enabled}>"


class SentNotice(db.Model):
    """A reminder or digest that was sent: the unique key makes a second run send nothing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    key: Mapped[str] = mapped_column(String(100))  # what it was about, e.g. "enrolment:12:assessment:3"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "kind", "key"),)

    def __repr__(self) -> str:
        return f"<SentNotice user={self.user_id} {self.kind.value} {self.key}>"
