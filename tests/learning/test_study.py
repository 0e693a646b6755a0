"""Studying: the intake page with progress, lessons, marking done, resuming, completion."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.catalogue.models import Course
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.learning.models import LessonProgress
from tests.conftest import csrf_token
from tests.factories import make_intake, make_user


@pytest.fixture
def enrolment(db_session):
    course = db_session.scalar(select(Course).where(Course.slug == "telecom-regulation-policy"))
    intake = make_intake(course=course)
    intake.starts_on = utcnow().date() - timedelta(days=7)
    intake.ends_on = utcnow().date() + timedelta(days=60)
    # Active, as the calendar made it when the intake started (tests/enrolment/test_lifecycle.py).
    enrolment = Enrolment(intake=intake, user=make_user(Role.TRAINEE), state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    db_session.flush()
    return enrolment


def mark_done(client, enrolment, lesson):
    url = f"/study/{enrolment.id}/lessons/{lesson.id}"
    return client.post(url + "/done", data={"csrf_token": csrf_token(client, url)})


def test_the_intake_page_lists_modules_lessons_and_assessments(signed_in_client, enrolment):
    client = signed_in_client(enrolment.user)
    page = client.get(f"/study/{enrolment.id}").get_data(as_text=True)
    course = enrolment.intake.course
    for module in course.modules:
        assert module.title in page
        for lesson in module.lessons:
            assert lesson.title in page
        for assessment in module.assessments:
            assert assessment.title in page
    assert f"0/{len(course.lessons)}" in page


def test_marking_a_lesson_done_moves_on_and_counts(signed_in_client, db_session, enrolment):
    client = signed_in_client(enrolment.user)
    first, second = enrolment.intake.course.lessons[:2]
    response = mark_done(client, enrolment, first)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/study/{enrolment.id}/lessons/{second.id}")
    progress = db_session.scalars(select(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id)).all()
    assert [(p.lesson_id, p.is_done) for p in progress] == [(first.id, True)]
    assert f"1/{len(enrolment.intake.course.lessons)}" in client.get(f"/study/{enrolment.id}").get_data(as_text=True)
    # Marking it again changes nothing.
    mark_done(client, enrolment, first)
    assert len(db_session.scalars(select(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id)).all()) == 1


def test_after_a_modules_last_lesson_come_its_assessments_then_the_next_module(signed_in_client, enrolment):
    client = signed_in_client(enrolment.user)
    first_module, second_module = enrolment.intake.version.modules[:2]
    last = first_module.lessons[-1]
    assert first_module.assessments, "the course's first module has a quiz"
    page = client.get(f"/study/{enrolment.id}/lessons/{last.id}").get_data(as_text=True)
    nav = page.split('aria-label="Lessons"')[1]
    work = first_module.assessments[0]
    assert work.title in nav and nav.index(work.title) < nav.index(second_module.lessons[0].title)
    assert "Then the next module:" in nav
    response = mark_done(client, enrolment, last)
    kind = "quizzes" if work.kind.value == "quiz" else "assignments"
    assert response.headers["Location"].endswith(f"/study/{enrolment.id}/{kind}/{work.id}")
    # The assessment page leads back to the study page, not the public catalogue.
    assessment_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="/study/{enrolment.id}"' in assessment_page
    # Within a module, the next lesson comes next, as before.
    page = client.get(f"/study/{enrolment.id}/lessons/{first_module.lessons[0].id}").get_data(as_text=True)
    assert work.title not in page.split('aria-label="Lessons"')[1]


def test_resume_offers_the_lesson_last_opened_and_not_done(signed_in_client, enrolment):
    client = signed_in_client(enrolment.user)
    lessons = enrolment.intake.course.lessons
    mark_done(client, enrolment, lessons[0])
    client.get(f"/study/{enrolment.id}/lessons/{lessons[3].id}")
    page = client.get(f"/study/{enrolment.id}").get_data(as_text=True)
    assert f"Continue: {lessons[3].title}" in page


def test_a_lesson_of_another_course_is_not_found(signed_in_client, db_session, enrolment):
    client = signed_in_client(enrolment.user)
    other = db_session.scalar(select(Course).where(Course.slug == "broadband-infrastructure-planning")).lessons[0]
    assert client.get(f"/study/{enrolment.id}/lessons/{other.id}").status_code == 404


def test_nobody_else_can_open_the_study_pages(signed_in_client, instructor_client, enrolment):
    lesson = enrolment.intake.course.lessons[0]
    for intruder in (make_user(Role.TRAINEE), make_user(Role.TRAINEE, country_code="VN")):
        client = signed_in_client(intruder)
        assert client.get(f"/study/{enrolment.id}").status_code == 404
        assert client.get(f"/study/{enrolment.id}/lessons/{lesson.id}").status_code == 404
    assert instructor_client.get(f"/study/{enrolment.id}").status_code == 403


def test_requested_or_rejected_enrolments_cannot_study(signed_in_client, enrolment):
    enrolment.state = EnrolmentState.REQUESTED
    client = signed_in_client(enrolment.user)
    assert client.get(f"/study/{enrolment.id}").status_code == 404


def test_lessons_cannot_be_marked_done_before_the_intake_starts(signed_in_client, db_session, enrolment):
    enrolment.intake.starts_on = utcnow().date() + timedelta(days=3)
    enrolment.state = EnrolmentState.APPROVED
    db_session.flush()
    client = signed_in_client(enrolment.user)
    lesson = enrolment.intake.course.lessons[0]
    assert "Your place is confirmed" in client.get(f"/study/{enrolment.id}").get_data(as_text=True)
    response = mark_done(client, enrolment, lesson)
    assert response.status_code == 302
    assert db_session.scalars(select(LessonProgress).where(LessonProgress.completed_at.is_not(None),
                                                           LessonProgress.enrolment_id == enrolment.id)).all() == []


def test_mark_done_needs_csrf(signed_in_client, enrolment):
    client = signed_in_client(enrolment.user)
    lesson = enrolment.intake.course.lessons[0]
    assert client.post(f"/study/{enrolment.id}/lessons/{lesson.id}/done").status_code == 400
