"""Completed enrolments, certificates and sample names for the certificate tests."""
from datetime import date, datetime, timezone

from lms.accounts.models import Role
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.models import AssessmentKind
from lms.certificates.models import Certificate
from lms.certificates.operations import issue_on_completion
from lms.certificates.serials import new_serial
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.learning.models import LessonProgress
from tests.factories import make_user

# A sample name in each script a trainee's name may be written in.
SAMPLE_NAMES = {
    "thai": ("Somchai Wongsawat", "สมชาย วงศ์สวัสดิ์", "TH"),
    "khmer": ("Sok Dara", "សុខ ដារា", "KH"),
    "lao": ("Bounmy Phommachanh", "ບຸນມີ ພົມມະຈັນ", "LA"),
    "burmese": ("Aung Kyaw Win", "အောင်ကျော်ဝင်း", "MM"),
    "chinese": ("Tan Wei Ming", "陈伟明", "MY"),
    "vietnamese": ("Nguyen Thi Minh Anh", "Nguyễn Thị Minh Anh", "VN"),
}


def enrol(intake, *, state: EnrolmentState = EnrolmentState.COMPLETED, country_code: str = "TH",
          full_name: str = "Somchai Wongsawat", native_name: str | None = "สมชาย วงศ์สวัสดิ์") -> Enrolment:
    trainee = make_user(Role.TRAINEE, country_code=country_code, full_name=full_name, native_name=native_name)
    enrolment = Enrolment(intake=intake, user=trainee, state=state,
                          completed_at=utcnow() if state is EnrolmentState.COMPLETED else None)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def certified(intake, **kwargs) -> Certificate:
    """A completed enrolment with its certificate, rendered and stored by its job after the commit."""
    certificate = issue_on_completion(enrol(intake, **kwargs))
    committed_and_produced()
    return certificate


def committed_and_produced() -> None:
    """Commits, then runs the queued jobs as a worker would (the certificates' PDFs and mail)."""
    from tests.job_runner import run_queued_jobs

    db.session.commit()
    run_queued_jobs()
    db.session.expire_all()


def unsaved_certificate(**fields) -> Certificate:
    """A certificate that is never stored, for rendering tests."""
    values = dict(
        serial=new_serial(), issued_at=datetime(2027, 4, 2, 9, 30, tzinfo=timezone.utc),
        name_latin="Somchai Wongsawat", name_native="สมชาย วงศ์สวัสดิ์",
        course_title="Universal Service for Rural and Remote Areas", course_title_zh="农村和偏远地区普遍服务",
        course_hours=40, intake_starts_on=date(2027, 1, 4), intake_ends_on=date(2027, 3, 26),
        delivery_mode="face_to_face", location="Bangkok, Thailand",
        programme_title="ASEAN-China Training Programme for Telecom Managers and Technicians",
        programme_title_zh="中国—东盟电信管理与技术人员培训项目", completed_on=date(2027, 3, 20),
    )
    values.update(fields)
    return Certificate(**values)


def ready_to_complete(enrolment: Enrolment) -> Enrolment:
    """Every required lesson of an active enrolment done and every assessment scored 100."""
    course = enrolment.intake.course
    for lesson in course.lessons:
        db.session.add(LessonProgress(enrolment=enrolment, lesson=lesson, completed_at=utcnow()))
    for assessment in course.assessments:
        if assessment.kind is AssessmentKind.QUIZ:
            db.session.add(Attempt(enrolment=enrolment, assessment=assessment, number=1, score=100,
                                   submitted_at=utcnow()))
        else:
            db.session.add(Submission(enrolment=enrolment, assessment=assessment, state=SubmissionState.RETURNED,
                                      submitted_at=utcnow(), times_submitted=1, score=100, feedback="Fine"))
    db.session.flush()
    return enrolment
