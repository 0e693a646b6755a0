"""Reminders and digests people expect, each sent once (SentNotice) and only to those who want it.

- Trainees: a quiz or assignment not yet submitted whose deadline (the intake's last day) is within
  three days; an intake of theirs that starts within a week.
- Instructors: a daily digest of the submissions waiting for their grade.
- Instructors and coordinators: a weekly digest of trainees at risk (lms/enrolment/at_risk.py), on
  Monday morning in the programme's zone: instructors and country coordinators by name with the reasons,
  programme coordinators a count by country. Nothing is sent to someone with nobody at risk.
"""
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts.models import Role, User
from lms.assessments.deadlines import extensions_by_work, terms_for
from lms.assessments.scoring import handed_in
from lms.catalogue.models import Assessment
from lms.core import clock
from lms.core.i18n import speaking_to
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.notifications.models import NoticeKind
from lms.notifications.operations import notify_once

DUE_WITHIN = timedelta(days=3)
STARTS_WITHIN = timedelta(days=7)
AT_RISK_DIGEST_FROM_HOUR = 7  # on Mondays, in the programme's zone; a missed hour is caught up later that day


def _home() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/"


def remind_work_due(today: date) -> int:
    """Each unsubmitted assessment of an active enrolment whose intake closes within three days: once."""
    enrolments = list(db.session.scalars(
        select(Enrolment).join(Enrolment.intake)
        .where(Enrolment.state == EnrolmentState.ACTIVE, Intake.ends_on >= today, Intake.ends_on <= today + DUE_WITHIN)
        .options(joinedload(Enrolment.intake).joinedload(Intake.course), joinedload(Enrolment.user))))
    if not enrolments:
        return 0
    ids = [enrolment.id for enrolment in enrolments]
    done = handed_in(ids)
    extensions = extensions_by_work(ids)
    by_course: dict[int, list[Assessment]] = {}
    told = 0
    for enrolment in enrolments:
        course_id = enrolment.intake.course_id
        if course_id not in by_course:
            by_course[course_id] = list(db.session.scalars(
                select(Assessment).where(Assessment.course_id == course_id).order_by(Assessment.position)))
        for assessment in by_course[course_id]:
            if (enrolment.id, assessment.id) in done:
                continue
            terms = terms_for(enrolment, assessment, extensions.get((enrolment.id, assessment.id)))
            due_on = terms.due_at.astimezone(enrolment.intake.zone).date()
            if due_on > today + DUE_WITHIN:  # an extension moved it beyond the reminder's window
                continue
            told += notify_once(
                enrolment.user, NoticeKind.WORK_DUE, f"enrolment:{enrolment.id}:assessment:{assessment.id}",
                _("%(title)s in %(course)s is due by %(day)s and you have not submitted it yet.",
                  title=assessment.title, course=enrolment.intake.course.title,
                  day=due_on.isoformat()),
                mail_subject=_("Due soon: %(title)s", title=assessment.title), link=_home())
    return told


def remind_intakes_starting(today: date) -> int:
    """Each approved place in an intake starting within a week: once."""
    enrolments = db.session.scalars(
        select(Enrolment).join(Enrolment.intake)
        .where(Enrolment.state == EnrolmentState.APPROVED, Intake.starts_on > today,
               Intake.starts_on <= today + STARTS_WITHIN)
        .options(joinedload(Enrolment.intake).joinedload(Intake.course), joinedload(Enrolment.user)))
    told = 0
    for enrolment in enrolments:
        intake = enrolment.intake
        told += notify_once(
            enrolment.user, NoticeKind.INTAKE_STARTING, f"enrolment:{enrolment.id}",
            _("%(course)s starts on %(day)s.", course=intake.course.title, day=intake.starts_on.isoformat()),
            mail_subject=_("Your course starts on %(day)s", day=intake.starts_on.isoformat()), link=_home())
    return told


def send_grading_digests(today: date) -> int:
    """Each instructor with submissions waiting for a grade: one digest a day."""
    from lms.grading.queries import queue_sizes

    intakes = list(db.session.scalars(select(Intake).where(Intake.starts_on <= today).options(
        joinedload(Intake.course), joinedload(Intake.instructors))).unique())
    waiting = queue_sizes([intake.id for intake in intakes])
    by_instructor: dict = {}
    for intake in intakes:
        if waiting.get(intake.id):
            for instructor in intake.instructors:
                by_instructor.setdefault(instructor, []).append((intake, waiting[intake.id]))
    told = 0
    for instructor, rows in by_instructor.items():
        lines = "\n".join(_("- %(intake)s (%(course)s): %(num)d waiting", intake=intake.title,
                            course=intake.course.title, num=count) for intake, count in rows)
        told += notify_once(instructor, NoticeKind.GRADING_DIGEST, f"day:{today.isoformat()}",
                            _("Work waiting for your grade:\n%(lines)s", lines=lines),
                            mail_subject=_("Work waiting for your grade"), link=_home())
    return told


def _at_risk_lines(people) -> str:
    return "\n".join(_("- %(name)s (%(country)s), %(intake)s: %(reasons)s", name=item.enrolment.user.full_name,
                        country=item.enrolment.user.country.code if item.enrolment.user.country else "-",
                        intake=item.enrolment.intake.title, reasons=" ".join(risk.text for risk in item.risks))
                     for item in people)


def send_at_risk_digests(now: datetime) -> int:
    """Each instructor and coordinator with trainees at risk: one digest on Monday from 07:00 (programme's zone),
    once a week."""
    from lms.enrolment.at_risk import everyone_at_risk

    local = now.astimezone(clock.programme_zone())
    if local.weekday() != 0 or local.hour < AT_RISK_DIGEST_FROM_HOUR:
        return 0
    people = everyone_at_risk(now)
    if not people:
        return 0
    year, week, _day = local.isocalendar()
    key = f"week:{year}-W{week:02d}"
    staff = list(db.session.scalars(select(User).where(
        User.is_active.is_(True), User.role.in_((Role.COUNTRY_COORDINATOR, Role.PROGRAMME_COORDINATOR)))
        .order_by(User.id)))
    by_instructor: dict[User, list] = {}
    for item in people:
        for instructor in item.enrolment.intake.instructors:
            if instructor.is_active:
                by_instructor.setdefault(instructor, []).append(item)
    by_country: dict[int | None, list] = {}
    for item in people:
        by_country.setdefault(item.enrolment.user.country_id, []).append(item)
    told = 0
    for instructor, mine in by_instructor.items():
        with speaking_to(instructor):
            told += notify_once(instructor, NoticeKind.AT_RISK_DIGEST, key,
                                _("Trainees of your intakes at risk this week:\n%(lines)s", lines=_at_risk_lines(mine)),
                                mail_subject=_("Trainees at risk: %(num)d", num=len(mine)), link=_home())
    link = _home() + "enrolments?state=active&risk=at_risk"
    for person in staff:
        with speaking_to(person):
            if person.role is Role.COUNTRY_COORDINATOR:
                mine = by_country.get(person.country_id, [])
                if not mine:
                    continue
                message = _("Trainees of your country at risk this week:\n%(lines)s", lines=_at_risk_lines(mine))
            else:
                mine = people
                counts = sorted(((items[0].enrolment.user.country.name if items[0].enrolment.user.country else "-",
                                  len(items)) for items in by_country.values()))
                message = _("Trainees at risk this week, by country:\n%(lines)s",
                            lines="\n".join(f"- {name}: {count}" for name, count in counts))
            told += notify_once(person, NoticeKind.AT_RISK_DIGEST, key, message,
                                mail_subject=_("Trainees at risk: %(num)d", num=len(mine)), link=link)
    return told
