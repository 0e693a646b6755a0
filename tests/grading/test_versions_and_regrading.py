"""Course content that never loses a trainee's work: an import that removes a quiz and corrects an answer
key keeps every attempt, score and audit row; the running intake keeps its version, a new intake gets
the new one; moving the running intake regrades exactly the affected attempts."""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from lms.accounts.models import Role
from lms.assessments import quizzes
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.audit.models import AuditEntry
from lms.catalogue.course_files import read_tree
from lms.catalogue.models import Course
from lms.catalogue.operations import import_courses
from lms.catalogue.plans import build_plan
from lms.core import clock
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.grading.completion import standing
from lms.grading.operations import grade_submission
from lms.grading.regrading import BELOW_PASS_MARK, move_intake, preview_move
from lms.notifications.models import Notification
from tests.catalogue.course_tree import write_course
from tests.conftest import post_form
from tests.factories import make_intake, make_user

DROP_QUIZ = """\
kind: quiz
title: Dropped later
weight: 10
pass_mark: 50
attempts: 1
questions:
  - id: t1
    type: true_false
    prompt: Is the sky blue?
    answer: true
"""


def _course(tmp_path):
    folder = write_course(tmp_path)
    (folder / "assessments" / "drop.yaml").write_text(DROP_QUIZ, encoding="utf-8")
    manifest = folder / "course.yaml"
    manifest.write_text(manifest.read_text().replace("      - essay.yaml\n", "      - essay.yaml\n      - drop.yaml\n"))
    import_courses(read_tree(tmp_path))
    return folder, db.session.scalar(select(Course).where(Course.slug == "test-course"))


def _running_intake(course):
    today = clock.today()
    intake = make_intake(course=course, instructors=[make_user(Role.INSTRUCTOR)])
    intake.starts_on, intake.ends_on = today - timedelta(days=10), today + timedelta(days=60)
    return intake


def _submit(enrolment, quiz, answers_by_key: dict):
    attempt = quizzes.start_attempt(enrolment, quiz)
    by_key = {question.key: question for question in quiz.questions}
    def shown(key, value):  # the file's option index as the position this (shuffled) attempt shows it at
        question = by_key[key]
        return str(quizzes.option_order(attempt, question).index(value)) if isinstance(value, int) else value

    form = MultiDict({f"q{by_key[key].id}": shown(key, value) for key, value in answers_by_key.items()})
    quizzes.record_answers(attempt, form, submit=True, by=enrolment.user)
    return attempt


def _by_slug(version, slug):
    return next(a for a in version.assessments if a.slug == slug)


def test_an_import_keeps_all_work_and_moving_the_intake_regrades_exactly_the_affected_attempts(
        tmp_path, db_session, signed_in_client):
    folder, course = _course(tmp_path)
    v1 = course.current_version
    check, essay, drop = (_by_slug(v1, slug) for slug in ("check", "essay", "drop"))
    intake = _running_intake(course)
    then_user, now_user = make_user(full_name="Right Then"), make_user(full_name="Right Now")
    right_then = Enrolment(intake=intake, user=then_user, state=EnrolmentState.ACTIVE)
    right_now = Enrolment(intake=intake, user=now_user, state=EnrolmentState.ACTIVE)
    db.session.add_all([right_then, right_now])
    db.session.flush()
    # q1 is right for both; q2's key is 2.5 now and 3 after the correction.
    a1 = _submit(right_then, check, {"q1": 0, "q2": "2.5"})
    a2 = _submit(right_now, check, {"q1": 0, "q2": "3"})
    d1 = _submit(right_then, drop, {"t1": "true"})
    assert (a1.score, a2.score, d1.score) == (100, 50, 100)
    submission = Submission(enrolment=right_then, assessment=essay, text="Essay", state=SubmissionState.SUBMITTED,
                            submitted_at=utcnow(), times_submitted=1)
    db.session.add(submission)
    db.session.flush()
    weak = next(level for level in essay.rubric[0].levels if level.label == "Weak")
    grade_submission(submission, intake.instructors[0], {essay.rubric[0].id: weak.id}, "Thin.")
    # Certified on version 1: (60 x 100 + 40 x 20 + 10 x 100) / 110 = 70.9, above the pass mark of 60.
    right_then.move_to(EnrolmentState.COMPLETED, by=None, reason="test")
    audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))

    # The files drop a quiz and correct an answer key.
    (folder / "assessments" / "drop.yaml").unlink()
    manifest = folder / "course.yaml"
    manifest.write_text(manifest.read_text().replace("      - drop.yaml\n", ""))
    quiz_file = folder / "assessments" / "check.yaml"
    quiz_file.write_text(quiz_file.read_text().replace("answer: 2.5", "answer: 3"))
    plan = build_plan(read_tree(tmp_path))
    lines = "\n".join(plan.lines())
    assert "test-course: version 1 → 2" in lines
    assert "module 1 quiz “check”, question q2: answer key changes; 2 submitted attempts would be regraded" in lines
    assert "retired  quiz “drop”: no longer in the files; 1 attempt or submission kept" in lines
    admin = make_user(Role.ADMIN)
    import_courses(read_tree(tmp_path), by=admin)
    db.session.expire_all()

    # Every attempt, score and audit row is still there, and the running intake sees version 1.
    assert [(a.id, a.assessment_id, a.score) for a in db.session.scalars(select(Attempt).order_by(Attempt.id))] == [
        (a1.id, check.id, 100), (a2.id, check.id, 50), (d1.id, drop.id, 100)]
    assert db.session.get(Submission, submission.id).score == 20
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) > audit_before
    assert course.version == 2 and intake.version.number == 1
    assert {a.slug for a in intake.version.assessments} == {"check", "essay", "drop"}
    assert standing(right_then).weighted_grade > 60
    imported = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "course.imported",
                                                           AuditEntry.object_id == course.id)).all()
    assert [entry.after["version"] for entry in imported] == [1, 2] and imported[-1].actor_id == admin.id
    # A new intake studies version 2: no dropped quiz, the corrected key.
    later = make_intake(course=course)
    db.session.flush()
    assert later.version.number == 2 and {a.slug for a in later.version.assessments} == {"check", "essay"}
    assert next(q for q in _by_slug(later.version, "check").questions if q.key == "q2").spec["answer"] == 3

    # The coordinator's preview: exactly the two attempts at the corrected quiz.
    v2 = course.current_version
    preview = preview_move(intake, v2)
    assert sorted((r.enrolment.user.full_name, r.before, r.after) for r in preview.regrades) == [
        ("Right Now", 50, 100), ("Right Then", 100, 50)]
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    client = signed_in_client(coordinator)
    page = client.get(f"/intakes/{intake.id}/version").get_data(as_text=True)
    assert "question q2: answer key changes" in page and "Right Then" in page and "Right Now" in page

    response = post_form(client, f"/intakes/{intake.id}/version", {"version": "2"})
    assert response.status_code == 302
    db.session.expire_all()
    assert intake.version.number == 2
    attempts = {a.id: a for a in db.session.scalars(select(Attempt))}
    assert (attempts[a1.id].score, attempts[a2.id].score) == (50, 100)
    assert attempts[a1.id].assessment_id == _by_slug(v2, "check").id
    assert attempts[d1.id].assessment_id == drop.id and attempts[d1.id].score == 100  # kept, not counted
    regraded = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "grade.regraded")).all()
    assert sorted((e.object_id, e.before["score"], e.after["score"]) for e in regraded) == [
        (a1.id, 100, 50), (a2.id, 50, 100)]
    assert all(e.actor_id == coordinator.id for e in regraded)
    # The essay moved with its rubric choice, not regraded (its rubric did not change).
    moved = db.session.get(Submission, submission.id)
    assert moved.assessment_id == _by_slug(v2, "essay").id and moved.score == 20
    # Both trainees are told; completion is evaluated again.
    for enrolment in (right_then, right_now):
        messages = db.session.scalars(select(Notification.message).where(Notification.user_id == enrolment.user_id))
        assert any("graded again" in message for message in messages)
    # Right Then now has (60 x 50 + 40 x 20) / 100 = 38: listed for a coordinator, never revoked.
    assert right_then.state is EnrolmentState.COMPLETED
    assert standing(right_then).weighted_grade == Decimal(38)
    listed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == BELOW_PASS_MARK)).all()
    assert [entry.object_id for entry in listed] == [right_then.id]
    assert "Certified trainees now below the pass mark" in client.get(
        f"/intakes/{intake.id}/version").get_data(as_text=True)


def test_an_intake_that_has_not_started_moves_to_the_new_version_at_once(tmp_path, db_session):
    folder, course = _course(tmp_path)
    upcoming = make_intake(course=course)
    upcoming.starts_on, upcoming.ends_on = clock.today() + timedelta(days=5), clock.today() + timedelta(days=50)
    past = make_intake(course=course)
    past.starts_on, past.ends_on = date(2025, 1, 6), date(2025, 3, 28)
    db.session.flush()
    quiz_file = folder / "assessments" / "check.yaml"
    quiz_file.write_text(quiz_file.read_text().replace("answer: 2.5", "answer: 3"))
    import_courses(read_tree(tmp_path))
    db.session.expire_all()
    assert upcoming.version.number == 2 and past.version.number == 1


def test_a_move_is_refused_to_an_older_version_and_for_an_ended_intake(tmp_path, db_session):
    from lms.grading.regrading import MoveRefused, check_move
    import pytest

    folder, course = _course(tmp_path)
    intake = _running_intake(course)
    with pytest.raises(MoveRefused):
        check_move(intake, course.current_version)  # not newer
    quiz_file = folder / "assessments" / "check.yaml"
    quiz_file.write_text(quiz_file.read_text().replace("answer: 2.5", "answer: 3"))
    import_courses(read_tree(tmp_path))
    intake.starts_on, intake.ends_on = date(2025, 1, 6), date(2025, 3, 28)
    with pytest.raises(MoveRefused):
        move_intake(intake, course.current_version, make_user(Role.PROGRAMME_COORDINATOR))
