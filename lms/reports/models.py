"""The reports' version, and the quota report's schedules with their runs."""
import enum
from datetime import datetime, time
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, String, Table, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import UTCDateTime, enum_column, utcnow
from lms.extensions import db
from lms.programme.models import Country, Programme


class ReportVersion(db.Model):
    """A single row (id 1). Rendered reports are kept per process under this number (lms/reports/freshness.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Frequency(enum.Enum):
    MONTHLY = "monthly"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return {Frequency.MONTHLY: _l("Monthly"), Frequency.WEEKLY: _l("Weekly")}[self]


class WhenUnchanged(enum.Enum):
    """What a run does when the figures are the same as at the schedule's previous run."""
    SEND = "send"  # the report goes out anyway
    SKIP = "skip"  # a short note instead of the report: nothing changed since then

    @property
    def label(self) -> str:
        return {WhenUnchanged.SEND: _l("Send the report anyway"),
                WhenUnchanged.SKIP: _l("Skip it and send a one-line note that nothing changed")}[self]


class RunStatus(enum.Enum):
    PENDING = "pending"  # claimed for its due time, waiting for the worker
    SENT = "sent"
    SKIPPED = "skipped"  # nothing changed (a note went out), or nobody to send to
    FAILED = "failed"  # kept with its error; the engine retries it

    @property
    def label(self) -> str:
        return {RunStatus.PENDING: _l("waiting for the worker"), RunStatus.SENT: _l("sent"),
                RunStatus.SKIPPED: _l("skipped"), RunStatus.FAILED: _l("failed")}[self]


# What a run's note says, kept as a code and worded in the reader's language when shown.
NOTE_NO_RECIPIENTS = "no_recipients"
NOTE_UNCHANGED = "unchanged:"  # followed by the scopes whose figures had not changed, "all" or country codes
NOTE_PAUSED = "paused"
PROGRAMME_SCOPE = "all"


report_schedule_country = Table(
    "report_schedule_country", db.metadata,
    Column("schedule_id", ForeignKey("report_schedule.id", ondelete="CASCADE"), primary_key=True),
    Column("country_id", ForeignKey("country.id", ondelete="CASCADE"), primary_key=True),
)


class ReportSchedule(db.Model):
    """The quota report mailed on a calendar: a programme coordinator's schedule, or a country
    coordinator's subscription to her own country's report (subscriber set: she is its only recipient)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    subscriber_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency), default=Frequency.MONTHLY)
    day_of_month: Mapped[Optional[int]]  # 1-31; a month without that day runs on its last day
    weekday: Mapped[Optional[int]]  # 0 Monday - 6 Sunday
    time_of_day: Mapped[time] = mapped_column(Time)  # in the programme's zone
    send_pdf: Mapped[bool] = mapped_column(default=True)
    send_csv: Mapped[bool] = mapped_column(default=False)
    when_unchanged: Mapped[WhenUnchanged] = mapped_column(enum_column(WhenUnchanged), default=WhenUnchanged.SEND)
    to_programme_coordinators: Mapped[bool] = mapped_column(default=False)
    extra_addresses: Mapped[list] = mapped_column(JSON, default=list)  # they get the whole programme's report
    is_paused: Mapped[bool] = mapped_column(default=False)
    next_run_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # None while paused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    programme: Mapped[Programme] = relationship()
    subscriber: Mapped[Optional[User]] = relationship(foreign_keys=[subscriber_id])
    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])
    countries: Mapped[list[Country]] = relationship(secondary=report_schedule_country, order_by=Country.name)
    runs: Mapped[list["ReportScheduleRun"]] = relationship(back_populates="schedule", cascade="all, delete-orphan",
                                                           passive_deletes=True)

    __table_args__ = (Index("ix_report_schedule_due", "is_paused", "next_run_at"),)

    @property
    def is_subscription(self) -> bool:
        return self.subscriber_id is not None

    @property
    def formats(self) -> list[str]:
        return [name for name, wanted in (("pdf", self.send_pdf), ("csv", self.send_csv)) if wanted]

    def __repr__(self) -> str:
        return f"<ReportSchedule {self.id} {self.frequency.value} next={self.next_run_at}>"


class ReportScheduleRun(db.Model):
    """One run of a schedule for one due time: the unique (schedule, due time) is the run's key, so a
    second worker or a second tick claims nothing; the row says how it went."""

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("report_schedule.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))  # run now
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus), default=RunStatus.PENDING)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    recipients_count: Mapped[int] = mapped_column(default=0)
    note: Mapped[Optional[str]] = mapped_column(Text)
    error: Mapped[Optional[str]] = mapped_column(Text)
    fingerprints: Mapped[Optional[dict]] = mapped_column(JSON)  # {scope: hash of the figures}, for "unchanged"
    files: Mapped[Optional[list]] = mapped_column(JSON)  # paths under DATA_DIR of the files it attached

    schedule: Mapped[ReportSchedule] = relationship(back_populates="runs")
    requested_by: Mapped[Optional[User]] = relationship()

    __table_args__ = (UniqueConstraint("schedule_id", "due_at"), Index("ix_report_schedule_run_status", "status"))

    @property
    def note_text(self) -> str | None:
        if not self.note:
            return None
        if self.note == NOTE_NO_RECIPIENTS:
            return str(_l("Nobody to send to: no active person matches the recipients now."))
        if self.note == NOTE_PAUSED:
            return str(_l("The schedule was paused before the run started."))
        scopes = [str(_l("all countries")) if code == PROGRAMME_SCOPE else code
                  for code in self.note.removeprefix(NOTE_UNCHANGED).split(",")]
        return str(_l("Nothing had changed since the previous run for %(scopes)s: a short note went out instead "
                      "of the report.", scopes=", ".join(scopes)))

    def __repr__(self) -> str:
        return f"<ReportScheduleRun {self.id} schedule={self.schedule_id} {self.status.value}>"
