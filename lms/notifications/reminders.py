"""Reminders and digests people expect, each sent once (SentNotice) and only to those who want it.

- Trainees: a quiz or assignment not yet submitted whose deadline (the intake's last day) is within
  three days; an intake of theirs that starts within a week.
- Instructors: a daily digest of the submissions waiting for their grade.
"""
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.assessments.deadlines import terms_for
from lms.assessments.models import Attempt, Extension, Submission, SubmissionState
from lms.catalogue.models import Assessment
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.notifications.models import NoticeKind
from lms.notifications.operations import notify_once

DUE_WITHIN = timedelta(days=3)
STARTS_WITHIN = timedelta(days=7)


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
    done = set(db.session.execute(select(Attempt.enrolment_id, Attempt.assessment_id).where(
        Attempt.enrolment_id.in_(ids), Attempt.submitted_at.is_not(None))).tuples())
    done |= set(db.session.execute(select(Submission.enrolment_id, Submission.assessment_id).where(
        Submission.enrolment_id.in_(ids), Submission.state != SubmissionState.DRAFT)).tuples())
    extensions = {(extension.enrolment_id, extension.assessment_id): extension for extension in db.session.scalars(
        select(Extension).where(Extension.enrolment_id.in_(ids)))}
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
