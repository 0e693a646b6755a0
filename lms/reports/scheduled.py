"""Running a report schedule: the quota report for each recipient's scope, rendered by the export
functions, stored under DATA_DIR, attached to one outbox mail per recipient, and the run row filled in.

A run is claimed by a conditional UPDATE (pending or failed -> started), which holds the row until the
transaction ends, so a second worker waits and then finds the run done; the mail and the run's outcome
commit together, so a run that fails sends nothing and is tried again by the engine. The failure itself is
written in a transaction of its own, so it stays visible while the retries wait.
"""
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import select, update

from lms.accounts.models import Role, User
from lms.core import clock
from lms.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, country_name
from lms.core.templating import format_moment
from lms.core.urls import external_url
from lms.extensions import db
from lms.notifications.operations import send_mail
from lms.programme.models import Country
from lms.reports.exports import report_csv, report_fingerprint, report_filename, report_pdf
from lms.reports.models import (NOTE_NO_RECIPIENTS, NOTE_PAUSED, NOTE_UNCHANGED, PROGRAMME_SCOPE, ReportSchedule,
                                ReportScheduleRun, RunStatus, WhenUnchanged)
from lms.reports.queries import QuotaReport, quota_report

FILE_TYPES = {"pdf": "application/pdf", "csv": "text/csv"}


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str
    country: Country | None  # whose report they get; None: the whole programme's


def _language(user: User | None) -> str:
    return user.language if user is not None and user.language in LANGUAGES else DEFAULT_LANGUAGE


def recipients(schedule: ReportSchedule) -> list[Recipient]:
    """Who gets this schedule's report now, each once: a country coordinator her own country's report only,
    everyone else the programme's. People are looked up at each run, so a new coordinator is included."""
    found: dict[str, Recipient] = {}

    def add(address: str, language: str, country: Country | None) -> None:
        found.setdefault(address.lower(), Recipient(address, language, country))

    if schedule.is_subscription:
        person = schedule.subscriber
        if person.is_active and person.role is Role.COUNTRY_COORDINATOR and person.country is not None:
            add(person.email, _language(person), person.country)
        return list(found.values())
    if schedule.to_programme_coordinators:
        for person in db.session.scalars(select(User).where(User.role == Role.PROGRAMME_COORDINATOR,
                                                            User.is_active.is_(True)).order_by(User.id)):
            add(person.email, _language(person), None)
    country_ids = [country.id for country in schedule.countries]
    if country_ids:
        for person in db.session.scalars(select(User).where(
                User.role == Role.COUNTRY_COORDINATOR, User.is_active.is_(True),
                User.country_id.in_(country_ids)).order_by(User.id)):
            add(person.email, _language(person), person.country)
    for address in schedule.extra_addresses or []:
        add(address, DEFAULT_LANGUAGE, None)
    return list(found.values())


def _scope_key(country: Country | None) -> str:
    return country.code if country else PROGRAMME_SCOPE


class _Reports:
    """Each scope's report counted once per language (its labels are in the language), its files written once."""

    def __init__(self, run: ReportScheduleRun, now: datetime):
        self.run, self.now = run, now
        self.reports: dict[tuple, QuotaReport] = {}
        self.files: dict[tuple, list[dict]] = {}

    def report(self, country: Country | None, language: str) -> QuotaReport:
        key = (_scope_key(country), language)
        if key not in self.reports:
            self.reports[key] = quota_report(self.run.schedule.programme, country, now=self.now)
        return self.reports[key]

    def attachments(self, country: Country | None, language: str) -> list[dict]:
        key = (_scope_key(country), language)
        if key not in self.files:
            report = self.report(country, language)
            folder = Path("reports") / f"schedule-{self.run.schedule_id}" / f"run-{self.run.id}" / language
            (Path(current_app.config["DATA_DIR"]) / folder).mkdir(parents=True, exist_ok=True)
            stored = []
            for extension in self.run.schedule.formats:
                content = report_pdf(report) if extension == "pdf" else report_csv(report)
                name = report_filename(report, extension)
                (Path(current_app.config["DATA_DIR"]) / folder / name).write_bytes(content)
                stored.append({"name": name, "path": str(folder / name), "type": FILE_TYPES[extension]})
            self.files[key] = stored
        return self.files[key]


def previous_run(run: ReportScheduleRun) -> ReportScheduleRun | None:
    """The schedule's last run that went out (sent or skipped), before this one."""
    return db.session.scalar(
        select(ReportScheduleRun)
        .where(ReportScheduleRun.schedule_id == run.schedule_id, ReportScheduleRun.id != run.id,
               ReportScheduleRun.status.in_((RunStatus.SENT, RunStatus.SKIPPED)))
        .order_by(ReportScheduleRun.finished_at.desc(), ReportScheduleRun.id.desc()).limit(1))


def _figures_line(report: QuotaReport) -> str:
    summary = report.summary
    return _("Certified: %(certified)d of %(allocation)d (%(percentage)s%%); status: %(status)s.",
             certified=summary.certified, allocation=summary.allocation, percentage=f"{summary.percentage:g}",
             status=summary.status.label)


def _mail(schedule: ReportSchedule, recipient: Recipient, report: QuotaReport, since: datetime | None,
          attachments: list[dict]) -> None:
    """One mail, in the recipient's language: the report attached, or the note that nothing changed."""
    scope = country_name(recipient.country) if recipient.country else _("all countries")
    day = format_moment(report.generated_at, clock.programme_zone())
    if attachments:
        subject = _("Quota report for %(scope)s, %(day)s", scope=scope, day=report.as_of.isoformat())
        body = _("The quota report of %(programme)s for %(scope)s, as of %(day)s, is attached.",
                 programme=report.programme.title, scope=scope, day=day)
    else:
        subject = _("Quota report for %(scope)s: nothing changed", scope=scope)
        body = _("Nothing has changed in the figures for %(scope)s since the report of %(since)s, so no report "
                 "is attached this time.", scope=scope, since=format_moment(since, clock.programme_zone()))
    body += "\n\n" + _figures_line(report) + "\n\n" + _(
        "You receive this from the schedule \"%(name)s\". The report on screen: %(link)s",
        name=schedule.name, link=external_url("reports.show_quota_report", **(
            {"country": recipient.country.code} if recipient.country else {})))
    send_mail(recipient.address, subject, body, attachments=attachments)


def deliver(run: ReportScheduleRun, now: datetime) -> None:
    """Renders, stores and mails the run's reports; fills in the run (the caller commits)."""
    schedule = run.schedule
    people = recipients(schedule)
    if not people:
        run.status, run.recipients_count, run.fingerprints, run.files = RunStatus.SKIPPED, 0, {}, []
        run.note = NOTE_NO_RECIPIENTS
        return
    reports = _Reports(run, now)
    previous = previous_run(run)
    earlier = (previous.fingerprints or {}) if previous else {}
    fingerprints: dict[str, str] = {}  # assigned whole at the end: a JSON column does not see changes in place
    unchanged: set[str] = set()
    for recipient in people:
        with force_locale(recipient.language):
            report = reports.report(recipient.country, recipient.language)
            key = _scope_key(recipient.country)
            fingerprints.setdefault(key, report_fingerprint(report))
            if schedule.when_unchanged is WhenUnchanged.SKIP and earlier.get(key) == fingerprints[key]:
                unchanged.add(key)
                _mail(schedule, recipient, report, previous.finished_at, [])
            else:
                _mail(schedule, recipient, report, None, reports.attachments(recipient.country, recipient.language))
    run.fingerprints = fingerprints
    run.files = [item["path"] for stored in reports.files.values() for item in stored]
    run.recipients_count = len(people)
    run.status = RunStatus.SENT if set(fingerprints) - unchanged else RunStatus.SKIPPED
    run.note = NOTE_UNCHANGED + ",".join(sorted(unchanged)) if unchanged else None


def _claim(run_id: int, now: datetime) -> bool:
    """Takes the run for this worker, unless it went out already; the row stays held until the commit."""
    claimed = db.session.execute(
        update(ReportScheduleRun)
        .where(ReportScheduleRun.id == run_id, ReportScheduleRun.status.in_((RunStatus.PENDING, RunStatus.FAILED)))
        .values(started_at=now, status=RunStatus.PENDING)
        .execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def run_schedule(run_id: int) -> RunStatus | None:
    """Runs one claimed run; None when there is nothing to do (done already, or its schedule deleted)."""
    now = clock.now()
    if not _claim(run_id, now):
        db.session.rollback()
        return None
    run = db.session.get(ReportScheduleRun, run_id)
    db.session.refresh(run)
    try:
        if run.schedule.is_paused and run.requested_by_id is None:
            run.status, run.note, run.recipients_count = RunStatus.SKIPPED, NOTE_PAUSED, 0
        else:
            deliver(run, now)
        run.finished_at, run.error = clock.now(), None
        run.attempts += 1
        db.session.flush()
    except Exception as error:
        db.session.rollback()
        _record_failure(run_id, now, error)
        raise
    return run.status


def _record_failure(run_id: int, started_at: datetime, error: Exception) -> None:
    db.session.execute(
        update(ReportScheduleRun).where(ReportScheduleRun.id == run_id)
        .values(status=RunStatus.FAILED, started_at=started_at, finished_at=clock.now(),
                attempts=ReportScheduleRun.attempts + 1, error=f"{type(error).__name__}: {error}"[:2000])
        .execution_options(synchronize_session=False))
    db.session.commit()
