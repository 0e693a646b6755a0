"""A small programme with two of everything, so each role can be tried on its own objects and on
someone else's: two trainees of two countries, each in an intake with its own instructor."""
import secrets
from dataclasses import dataclass
from datetime import time, timedelta

from flask import current_app
from sqlalchemy import select

from lms.accounts.kept_forms import KeptForm

from lms.accounts.models import NameCorrection, Role, User
from lms.accounts.passwords import make_reset_token
from lms.accounts.token_operations import create_token
from lms.assessments.models import Attempt, Extension, Submission, SubmissionFile, SubmissionState
from lms.catalogue.models import AssessmentKind, Course
from lms.certificates.models import Certificate
from lms.certificates.serials import new_serial
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.grading.models import IntakeSession
from lms.notifications.operations import send_mail
from lms.programme.models import Country
from lms.reports.models import Frequency, WhenUnchanged
from lms.reports.operations import ScheduleSettings, create_schedule
from tests.factories import make_intake, make_programme, make_user

ACTORS = ("anonymous", "trainee", "other_trainee", "instructor", "other_instructor", "coordinator",
          "other_coordinator", "programme", "admin")


@dataclass
class World:
    users: dict[str, User | None]
    ids: dict[str, object]


def build_world() -> World:
    programme = make_programme()
    course = db.session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))
    users = {
        "anonymous": None,
        "trainee": make_user(Role.TRAINEE, country_code="TH", full_name="Owner Trainee"),
        "other_trainee": make_user(Role.TRAINEE, country_code="VN", full_name="Other Trainee"),
        "instructor": make_user(Role.INSTRUCTOR, full_name="Own Instructor"),
        "other_instructor": make_user(Role.INSTRUCTOR, full_name="Other Instructor"),
        "coordinator": make_user(Role.COUNTRY_COORDINATOR, country_code="TH"),
        "other_coordinator": make_user(Role.COUNTRY_COORDINATOR, country_code="VN"),
        "programme": make_user(Role.PROGRAMME_COORDINATOR),
        "admin": make_user(Role.ADMIN),
    }
    from lms.enrolment.models import DeliveryMode

    today = utcnow().date()
    intakes = []
    for instructor in (users["instructor"], users["other_instructor"]):
        intake = make_intake(programme, course, mode=DeliveryMode.BLENDED, instructors=[instructor])
        intake.starts_on, intake.ends_on, intake.attendance_threshold = today - timedelta(days=10), today + timedelta(days=50), 80
        intakes.append(intake)
    own = Enrolment(intake=intakes[0], user=users["trainee"], state=EnrolmentState.ACTIVE)
    other = Enrolment(intake=intakes[1], user=users["other_trainee"], state=EnrolmentState.ACTIVE)
    db.session.add_all([own, other])
    quiz = next(a for a in course.assessments if a.kind is AssessmentKind.QUIZ)
    assignment = next(a for a in course.assessments if a.kind is AssessmentKind.ASSIGNMENT)
    attempt = Attempt(enrolment=own, assessment=quiz, number=1, answers={}, option_order={}, submitted_at=utcnow(),
                      raw_score=50, score=50, results={})
    submission = Submission(enrolment=own, assessment=assignment, text="My plan", state=SubmissionState.SUBMITTED,
                            submitted_at=utcnow(), times_submitted=1)
    stored = secrets.token_hex(16)
    upload_dir = current_app.config["UPLOAD_DIR"]
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / stored).write_bytes(b"%PDF-1.4\n% plan\n")
    submission.files.append(SubmissionFile(original_name="plan.pdf", stored_name=stored, content_type="application/pdf",
                                           size=16, sha256="0" * 64))
    extension = Extension(enrolment=own, assessment=quiz, extra_attempts=1, reason="Power cut",
                          granted_by=users["instructor"])
    db.session.add_all([attempt, submission, extension, IntakeSession(intake=intakes[0], held_on=today, title="Day 1")])
    completed = Enrolment(intake=make_intake(programme, course), user=users["trainee"], state=EnrolmentState.COMPLETED,
                          completed_at=utcnow())
    db.session.add(completed)
    db.session.flush()
    certificate = Certificate(
        serial=new_serial(), enrolment=completed, user=users["trainee"], name_latin="Owner Trainee",
        course_title=course.title, course_title_zh=course.title_zh, course_hours=course.hours,
        intake_starts_on=completed.intake.starts_on, intake_ends_on=completed.intake.ends_on, delivery_mode="online",
        programme_title=programme.title, programme_title_zh=programme.title_zh, completed_on=today)
    db.session.add(certificate)
    mail = send_mail("someone@example.org", "Hello", "Body")
    token, _secret = create_token(users["coordinator"], "Monthly report")
    kept = KeptForm(token="kept-form-of-the-owner", user_id=users["trainee"].id, path="/profile",
                    fields=[["text", "An answer"]], files=[])
    db.session.add(kept)
    correction = NameCorrection(user=users["trainee"], full_name="Owner Trainee-Corrected", old_full_name="Owner Trainee",
                                reason="Misspelt")
    db.session.add(correction)
    schedule = _report_schedule(programme, users["programme"])
    pack = _offline_pack(course)
    db.session.flush()
    lesson = course.lessons[0]
    return World(users=users, ids={
        "enrolment_id": own.id, "intake_id": intakes[0].id, "lesson_id": lesson.id, "attempt_id": attempt.id,
        "submission_id": submission.id, "file_id": submission.files[0].id, "user_id": users["trainee"].id,
        "mail_id": mail.id, "token_id": token.id, "serial": certificate.serial, "status_list_name": "1", "slug": course.slug,
        "lesson_slug": lesson.slug, "token": make_reset_token(users["trainee"]), "quiz_id": quiz.id,
        "quiz_slug": quiz.slug, "pack_kind": "pdf",
        "assignment_id": assignment.id, "filename": "css/app.css", "kept_token": kept.token,
        "extension_id": extension.id,
        "schedule_id": schedule.id, "correction_id": correction.id, "pack_id": pack.id,
    })


def _offline_pack(course):
    """A stored offline pack of the course's version (its bytes do not matter here)."""
    from lms.catalogue.models import OfflinePack, PackKind
    from lms.catalogue.offline import stored_path

    pack = OfflinePack(version=course.current_version, language="en", kind=PackKind.PDF, size_bytes=9,
                       sha256="0" * 64, stored_name=f"world/{secrets.token_hex(8)}.pdf")
    db.session.add(pack)
    path = stored_path(pack)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7\n")
    return pack


def _report_schedule(programme, by):
    """A programme coordinators' report schedule, to the coordinators of Thailand."""
    thailand = db.session.scalar(select(Country).where(Country.code == "TH"))
    return create_schedule(programme, by, ScheduleSettings(
        name="Monthly report", frequency=Frequency.MONTHLY, day_of_month=1, weekday=None, time_of_day=time(8),
        formats=["pdf"], when_unchanged=WhenUnchanged.SEND, countries=[thailand]))
