"""Certificates: what was certified, frozen at issue, with the PDF kept as issued."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import UTCDateTime, utcnow
from lms.enrolment.models import Enrolment
from lms.extensions import db


class Certificate(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(24), unique=True)  # random, never derived from ids
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))  # None: on completion
    issue_reason: Mapped[Optional[str]] = mapped_column(Text)  # required when issued by hand

    # What the certificate says, copied at issue so later edits change nothing already given.
    name_latin: Mapped[str] = mapped_column(String(120))
    name_native: Mapped[Optional[str]] = mapped_column(String(120))
    course_title: Mapped[str] = mapped_column(String(200))
    course_title_zh: Mapped[str] = mapped_column(String(100))
    course_hours: Mapped[int]
    intake_starts_on: Mapped[date]
    intake_ends_on: Mapped[date]
    delivery_mode: Mapped[str] = mapped_column(String(20))
    location: Mapped[Optional[str]] = mapped_column(String(200))
    programme_title: Mapped[str] = mapped_column(String(200))
    programme_title_zh: Mapped[str] = mapped_column(String(100))
    completed_on: Mapped[date]

    # The PDF as issued, stored under PDF_DIR, with its SHA-256 so it can be re-verified.
    pdf_name: Mapped[Optional[str]] = mapped_column(String(80))
    pdf_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    mailed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # The signed Open Badges 3.0 credential as issued (its exact bytes, UTF-8 JSON) and their SHA-256.
    # Its BitstringStatusList index is the certificate's id - 1: unique, never reused.
    credential_json: Mapped[Optional[str]] = mapped_column(Text)
    credential_sha256: Mapped[Optional[str]] = mapped_column(String(64))

    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revocation_reason: Mapped[Optional[str]] = mapped_column(Text)
    superseded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("certificate.id", ondelete="SET NULL"))

    enrolment: Mapped[Enrolment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    issued_by: Mapped[Optional[User]] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[Optional[User]] = relationship(foreign_keys=[revoked_by_id])
    superseded_by: Mapped[Optional["Certificate"]] = relationship(remote_side=[id])

    __table_args__ = (
        # One current certificate per completion: issuing again can never make a second one.
        Index("uq_certificate_current_enrolment", "enrolment_id", unique=True,
              sqlite_where=text("superseded_at IS NULL"), postgresql_where=text("superseded_at IS NULL")),
        CheckConstraint("revoked_at IS NULL OR revocation_reason IS NOT NULL", name="revocation_has_reason"),
        CheckConstraint("issued_by_id IS NULL OR issue_reason IS NOT NULL", name="manual_issue_has_reason"),
    )

    def __repr__(self) -> str:
        return f"<Certificate {self.serial}>"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None

    @property
    def is_valid(self) -> bool:
        return not self.is_revoked and not self.is_superseded
