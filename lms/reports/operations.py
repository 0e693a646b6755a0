"""The writes of the reports domain: report schedules (made, changed, paused, deleted, run now) and the
claiming of their due runs; each flushes and audits, the commit is the caller's."""
from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.audit.operations import record
from lms.core import clock
from lms.extensions import db
from lms.jobs.engine import queue
from lms.programme.models import Country, Programme
from lms.reports.models import Frequency, ReportSchedule, ReportScheduleRun, RunStatus, WhenUnchanged
from lms.reports.recurrence import next_run_after


@dataclass
class ScheduleSettings:
    """What the schedule form gives; recipients are ignored for a subscription (its subscriber gets it)."""
    name: str
    frequency: Frequency
    day_of_month: int | None
    weekday: int | None
    time_of_day: time
    formats: list[str]
    when_unchanged: WhenUnchanged
    to_programme_coordinators: bool = False
    countries: list[Country] = field(default_factory=list)
    extra_addresses: list[str] = field(default_factory=list)


def _snapshot(schedule: ReportSchedule) -> dict:
    """The schedule as the audit log keeps it."""
    return {
        "name": schedule.name, "frequency": schedule.frequency.value, "day_of_month": schedule.day_of_month,
        "weekday": schedule.weekday, "time_of_day": schedule.time_of_day.strftime("%H:%M"),
        "formats": schedule.formats, "when_unchanged": schedule.when_unchanged.value,
        "to_programme_coordinators": schedule.to_programme_coordinators,
        "countries": [country.code for country in schedule.countries],
        "extra_addresses": list(schedule.extra_addresses or []), "subscriber_id": schedule.subscriber_id,
        "is_paused": schedule.is_paused,
    }


def _apply(schedule: ReportSchedule, settings: ScheduleSettings) -> None:
    schedule.name = settings.name
    schedule.frequency = settings.frequency
    monthly = settings.frequency is Frequency.MONTHLY
    schedule.day_of_month = settings.day_of_month if monthly else None
    schedule.weekday = None if monthly else settings.weekday
    schedule.time_of_day = settings.time_of_day
    schedule.send_pdf, schedule.send_csv = "pdf" in settings.formats, "csv" in settings.formats
    schedule.when_unchanged = settings.when_unchanged
    if not schedule.is_subscription:
        schedule.to_programme_coordinators = settings.to_programme_coordinators
        schedule.countries = list(settings.countries)
        schedule.extra_addresses = list(settings.extra_addresses)
    _plan_next_run(schedule)


def _plan_next_run(schedule: ReportSchedule) -> None:
    schedule.next_run_at = None if schedule.is_paused else \
        next_run_after(schedule, clock.now(), clock.programme_zone())


def create_schedule(programme: Programme, by: User, settings: ScheduleSettings,
                    subscriber: User | None = None) -> ReportSchedule:
    """A programme schedule, or (subscriber given) that country coordinator's subscription to her country's report."""
    schedule = ReportSchedule(programme=programme, created_by=by, subscriber=subscriber, extra_addresses=[])
    _apply(schedule, settings)
    db.session.add(schedule)
    db.session.flush()
    record(by, "report_schedule.created", schedule, after=_snapshot(schedule))
    return schedule


def update_schedule(schedule: ReportSchedule, by: User, settings: ScheduleSettings) -> ReportSchedule:
    before = _snapshot(schedule)
    _apply(schedule, settings)
    db.session.flush()
    record(by, "report_schedule.changed", schedule, before=before, after=_snapshot(schedule))
    return schedule


def set_paused(schedule: ReportSchedule, by: User, paused: bool) -> ReportSchedule:
    """A paused schedule has no next run; resuming plans the next one from now (missed ones are not sent)."""
    if schedule.is_paused == paused:
        return schedule
    schedule.is_paused = paused
    _plan_next_run(schedule)
    db.session.flush()
    record(by, "report_schedule.paused" if paused else "report_schedule.resumed", schedule,
           before={"is_paused": not paused}, after={"is_paused": paused})
    return schedule


def delete_schedule(schedule: ReportSchedule, by: User) -> None:
    """The schedule and its run history go; mail already queued (and the files it attaches) stays."""
    record(by, "report_schedule.deleted", schedule, before=_snapshot(schedule))
    db.session.delete(schedule)
    db.session.flush()


def waiting_run(schedule: ReportSchedule) -> ReportScheduleRun | None:
    return db.session.scalar(select(ReportScheduleRun).where(
        ReportScheduleRun.schedule_id == schedule.id, ReportScheduleRun.status == RunStatus.PENDING).limit(1))


def request_run(schedule: ReportSchedule, by: User) -> ReportScheduleRun:
    """Run now: a run of its own, queued for the worker once the request commits. A run still waiting is
    returned instead, so pressing the button twice sends once."""
    from lms.reports.jobs import run_report_schedule

    run = waiting_run(schedule)
    if run is None:
        run = ReportScheduleRun(schedule=schedule, due_at=clock.now(), requested_by=by)
        db.session.add(run)
        db.session.flush()
        record(by, "report_schedule.run_requested", schedule, after={"run_id": run.id})
    queue(run_report_schedule, run.id)
    return run


def _locked_due(now: datetime) -> list[ReportSchedule]:
    query = (select(ReportSchedule).where(ReportSchedule.is_paused.is_(False), ReportSchedule.next_run_at <= now)
             .order_by(ReportSchedule.next_run_at, ReportSchedule.id))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # another worker's claim in progress: left to it
    return list(db.session.scalars(query))


def claim_due_runs(now: datetime | None = None) -> list[int]:
    """One run row for each schedule that is due, keyed by (schedule, due time) so a second claim of the same
    due time adds nothing; each schedule moves on to its next time after now (missed times are not sent one by
    one: the report is always the latest). The runs' jobs are queued once the caller commits."""
    from lms.reports.jobs import run_report_schedule

    now = now or clock.now()
    claimed = []
    for schedule in _locked_due(now):
        try:
            with db.session.begin_nested():
                run = ReportScheduleRun(schedule_id=schedule.id, due_at=schedule.next_run_at)
                db.session.add(run)
        except IntegrityError:  # claimed already for this due time
            run = None
        schedule.next_run_at = next_run_after(schedule, now, clock.programme_zone())
        if run is not None:
            queue(run_report_schedule, run.id)
            claimed.append(run.id)
    db.session.flush()
    return claimed
