"""Exact grades: for any scores and weights, the gradebook page, its CSV, the completion rule and the quota
report agree on who passed, and agree with plain fraction arithmetic on the kept scores."""
import csv
import io
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lms.accounts.models import Role
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.course_files import read_tree
from lms.catalogue.models import Course
from lms.catalogue.operations import import_courses
from lms.core import clock
from lms.core.db import utcnow
from lms.core.grades import kept, shown
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.grading.completion import evaluate_completion
from lms.learning.models import LessonProgress
from lms.reports.queries import quota_report
from tests.catalogue.course_tree import write_course
from tests.factories import make_intake, make_programme, make_user

scores = st.decimals(min_value=0, max_value=100, places=6, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2, allow_nan=False, allow_infinity=False)


def test_the_gradebook_its_csv_completion_and_the_quota_report_agree(tmp_path, db_session, signed_in_client):
    write_course(tmp_path, "exact-course")
    import_courses(read_tree(tmp_path))
    course = db.session.scalar(select(Course).where(Course.slug == "exact-course"))
    quiz, essay = (next(a for a in course.assessments if a.slug == slug) for slug in ("check", "essay"))
    programme = make_programme()
    instructor = make_user(Role.INSTRUCTOR)
    intake = make_intake(programme, course, instructors=[instructor])
    intake.starts_on, intake.ends_on = clock.today() - timedelta(days=5), clock.today() + timedelta(days=50)
    db.session.flush()
    client = signed_in_client(instructor)

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(quiz_score=scores, essay_score=scores, quiz_weight=weights, essay_weight=weights,
           pass_mark=st.integers(min_value=0, max_value=100))
    # On the boundary: 59.995 shows as 60 but is below 60; exactly 60 passes.
    @example(Decimal("59.995"), Decimal("59.995"), Decimal(60), Decimal(40), 60)
    @example(Decimal("50"), Decimal("75"), Decimal(60), Decimal(40), 60)
    @example(Decimal("66.666667"), Decimal("33.333333"), Decimal("0.01"), Decimal("0.02"), 44)
    def agree(quiz_score, essay_score, quiz_weight, essay_weight, pass_mark):
        savepoint = db.session.begin_nested()
        try:
            quiz.weight, essay.weight, intake.version.pass_mark = quiz_weight, essay_weight, pass_mark
            enrolment = Enrolment(intake=intake, user=make_user(full_name="Exact Trainee"),
                                  state=EnrolmentState.ACTIVE)
            db.session.add(enrolment)
            db.session.flush()
            for lesson in intake.version.lessons:
                db.session.add(LessonProgress(enrolment=enrolment, lesson=lesson, completed_at=utcnow()))
            db.session.add(Attempt(enrolment=enrolment, assessment=quiz, number=1, answers={}, option_order={},
                                   submitted_at=utcnow(), raw_score=quiz_score, score=quiz_score))
            db.session.add(Submission(enrolment=enrolment, assessment=essay, text="x", state=SubmissionState.RETURNED,
                                      submitted_at=utcnow(), times_submitted=1, score=essay_score))
            db.session.flush()

            grade = (Fraction(quiz_weight) * Fraction(kept(quiz_score)) + Fraction(essay_weight)
                     * Fraction(kept(essay_score))) / (Fraction(quiz_weight) + Fraction(essay_weight))
            passes = grade >= pass_mark  # the oracle: exact fractions, nothing rounded

            completed = evaluate_completion(enrolment)
            db.session.flush()
            assert completed is passes

            page = client.get(f"/teach/intakes/{intake.id}/gradebook").get_data(as_text=True)
            row = page[page.index("Exact Trainee"):]
            row = row[: row.index("</tr>")]
            assert f"<strong>{shown(grade.numerator / Decimal(grade.denominator))}</strong>" in row
            assert ("pass" in row.replace("pass mark", "")) is passes

            text = client.get(f"/teach/intakes/{intake.id}/gradebook.csv").get_data(as_text=True).lstrip("\ufeff")
            line = next(r for r in csv.DictReader(io.StringIO(text)) if r["Trainee"] == "Exact Trainee")
            assert line["Weighted grade"] == shown(grade.numerator / Decimal(grade.denominator))
            assert (line["Result"] == "pass") is passes

            summary = quota_report(programme).summary
            assert summary.completed == (1 if passes else 0)
            assert summary.certified == (1 if passes else 0)
        finally:
            savepoint.rollback()

    agree()
