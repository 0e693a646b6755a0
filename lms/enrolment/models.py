"""Intakes (one run of a course) and enrolments with their state history."""
import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, CheckConstraint, ForeignKey, Index, String, Table, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lms.accounts.models import User
from lms.catalogue.models import Course, CourseVersion
from lms.core import clock
from lms.core.db import Exact, UTCDateTime, enum_column, utcnow
from lms.extensions import db
from lms.programme.models import Programme


class DeliveryMode(enum.Enum):
    ONLINE = "online"
    FACE_TO_FACE = "face_to_face"
    BLENDED = "blended"

    @property
    def label(self) -> str:
        return {
            DeliveryMode.ONLINE: _l("Online"),
            DeliveryMode.FACE_TO_FACE: _l("Face to face"),
            DeliveryMode.BLENDED: _l("Blended"),
        }[self]


intake_instructor = Table(
    "intake_instructor",
    db.metadata,
    Column("intake_id", ForeignKey("intake.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Intake(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="RESTRICT"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="RESTRICT"))
    # The content its trainees study and are graded on; it changes only by move_intake_to_version.
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[DeliveryMode] = mapped_column(enum_column(DeliveryMode))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    capacity: Mapped[int]
    location: Mapped[Optional[str]] = mapped_column(String(200))
    time_zone: Mapped[Optional[str]] = mapped_column(String(64))  # the venue's, face to face; None: the programme's
    attendance_threshold: Mapped[int] = mapped_column(default=0)  # percent of sessions, face to face

    programme: Mapped[Programme] = relationship()
    course: Mapped[Course] = relationship()
    version: Mapped[CourseVersion] = relationship()
    instructors: Mapped[list[User]] = relationship(secondary=intake_instructor, back_populates="taught_intakes")
    enrolments: Mapped[list["Enrolment"]] = relationship(back_populates="intake", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("attendance_threshold BETWEEN 0 AND 100", name="attendance_percentage"),
        CheckConstraint("mode = 'online' OR location IS NOT NULL", name="classroom_has_location"),
    )

    def __init__(self, **fields):
        # Pinned at once, so its content can be read before the first flush (see _pin_intakes).
        if fields.get("course") is not None and "version" not in fields:
            fields["version"] = fields["course"].current_version
        super().__init__(**fields)

    def __repr__(self) -> str:
        return f"<Intake {self.id} {self.title!r}>"

    @property
    def takes_attendance(self) -> bool:
        return self.mode is not DeliveryMode.ONLINE and self.attendance_threshold > 0

    def accepts_requests_on(self, day: date) -> bool:
        """Trainees may ask to join until the intake starts."""
        return day <= self.starts_on

    def accepts_decisions_on(self, day: date) -> bool:
        """Coordinators may still place people until the intake ends."""
        return day <= self.ends_on

    @property
    def zone(self) -> ZoneInfo:
        """Where the intake's calendar runs: the venue's zone face to face, the programme's online."""
        return ZoneInfo(self.time_zone) if self.time_zone else clock.programme_zone()

    @property
    def closes_at(self) -> datetime:
        """The end of the intake's last day in its own zone (as UTC): the deadline for assignments."""
        from datetime import time, timezone

        return datetime.combine(self.ends_on, time(23, 59, 59), tzinfo=self.zone).astimezone(timezone.utc)


@event.listens_for(Session, "before_flush")
def _pin_intakes(session, flush_context, instances) -> None:
    """A new intake, or one given another course, is pinned to that course's newest version."""
    for intake in list(session.new) + list(session.dirty):
        if isinstance(intake, Intake) and intake.course is not None and (
                intake.version is None or intake.version.course_id != intake.course.id):
            intake.version = intake.course.current_version


class EnrolmentState(enum.Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]  # built once: lists and the gradebook ask for it on every row


_STATE_LABELS = {
    EnrolmentState.REQUESTED: _l("Requested"),
    EnrolmentState.APPROVED: _l("Approved"),
    EnrolmentState.WAITLISTED: _l("Waitlisted"),
    EnrolmentState.REJECTED: _l("Rejected"),
    EnrolmentState.ACTIVE: _l("Active"),
    EnrolmentState.COMPLETED: _l("Completed"),
    EnrolmentState.WITHDRAWN: _l("Withdrawn"),
    EnrolmentState.FAILED: _l("Failed"),
}


# States that hold one of the country's quota slots.
QUOTA_STATES = (EnrolmentState.APPROVED, EnrolmentState.ACTIVE, EnrolmentState.COMPLETED)

ALLOWED_TRANSITIONS: dict[EnrolmentState, tuple[EnrolmentState, ...]] = {
    EnrolmentState.REQUESTED: (
        EnrolmentState.APPROVED, EnrolmentState.WAITLISTED, EnrolmentState.REJECTED, EnrolmentState.WITHDRAWN,
    ),
    EnrolmentState.WAITLISTED: (EnrolmentState.APPROVED, EnrolmentState.REJECTED, EnrolmentState.WITHDRAWN),
    EnrolmentState.APPROVED: (EnrolmentState.ACTIVE, EnrolmentState.WITHDRAWN),
    EnrolmentState.ACTIVE: (EnrolmentState.COMPLETED, EnrolmentState.FAILED, EnrolmentState.WITHDRAWN),
    EnrolmentState.REJECTED: (),
    EnrolmentState.COMPLETED: (),
    EnrolmentState.WITHDRAWN: (),
    EnrolmentState.FAILED: (),
}


class InvalidTransition(Exception):
    """An enrolment was asked to move to a state its current state does not lead to."""


class Enrolment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intake.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    state: Mapped[EnrolmentState] = mapped_column(enum_column(EnrolmentState), default=EnrolmentState.REQUESTED)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decision_reason: Mapped[Optional[str]] = mapped_column(Text)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    final_grade: Mapped[Optional[Decimal]] = mapped_column(Exact)
    # Set when a coordinator put the person forward, rather than the person asking.
    nominated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Set when a programme coordinator approved beyond the country's allocation.
    quota_override_reason: Mapped[Optional[str]] = mapped_column(Text)

    intake: Mapped[Intake] = relationship(back_populates="enrolments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])
    nominated_by: Mapped[Optional[User]] = relationship(foreign_keys=[nominated_by_id])
    events: Mapped[list["EnrolmentEvent"]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", order_by="EnrolmentEvent.id"
    )

    __table_args__ = (
        UniqueConstraint("intake_id", "user_id"),
        CheckConstraint("state != 'completed' OR completed_at IS NOT NULL", name="completion_has_date"),
        Index("ix_enrolment_state", "state"),
    )

    def __init__(self, **fields):
        fields.setdefault("state", EnrolmentState.REQUESTED)
        super().__init__(**fields)

    def __repr__(self) -> str:
        return f"<Enrolment {self.id} user={self.user_id} intake={self.intake_id} {self.state.value}>"

    def is_visible_to(self, user: User) -> bool:
        """The trainee, the intake's instructors and coordinators of the trainee's country."""
        if user.id == self.user_id:
            return True
        if user.teaches(self.intake):
            return True
        return user.can_manage_country(self.user.country_id)

    @property
    def can_study(self) -> bool:
        return self.state in (EnrolmentState.APPROVED, EnrolmentState.ACTIVE, EnrolmentState.COMPLETED,
                              EnrolmentState.FAILED)

    @property
    def can_work(self) -> bool:
        """Assessments may be taken and submitted only while the enrolment is active."""
        return self.state is EnrolmentState.ACTIVE

    @property
    def holds_quota_slot(self) -> bool:
        return self.state in QUOTA_STATES

    def can_move_to(self, state: EnrolmentState) -> bool:
        return state in ALLOWED_TRANSITIONS[self.state]

    def move_to(self, state: EnrolmentState, by: User | None, reason: str | None = None,
                at: datetime | None = None) -> "EnrolmentEvent":
        """Change state, keeping the history; raises InvalidTransition if the state does not allow it."""
        if not self.can_move_to(state):
            raise InvalidTransition(f"an enrolment cannot go from {self.state.value} to {state.value}")
        at = at or utcnow()
        event = EnrolmentEvent(from_state=self.state, to_state=state, at=at, by=by, reason=reason)
        self.events.append(event)
        if state in (EnrolmentState.APPROVED, EnrolmentState.WAITLISTED, EnrolmentState.REJECTED):
            self.decided_at, self.decided_by, self.decision_reason = at, by, reason
        if state is EnrolmentState.COMPLETED:
            self.completed_at = at
        self.state = state
        return event


class EnrolmentEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    from_state: Mapped[Optional[EnrolmentState]] = mapped_column(enum_column(EnrolmentState, "from_state"))
    to_state: Mapped[EnrolmentState] = mapped_column(enum_column(EnrolmentState, "to_state"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[Optional[str]] = mapped_column(Text)

    enrolment: Mapped[Enrolment] = relationship(back_populates="events")
    by: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"<EnrolmentEvent {self.from_state} -> {self.to_state.value}>"
