"""A unique row written twice at the same moment answers 409 with a message, never a server error."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.catalogue.models import Course
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.learning import operations
from lms.learning.models import LessonProgress
from tests.factories import make_intake, make_user


@pytest.fixture
def enrolment(db_session):
    course = db_session.scalar(select(Course).where(Course.slug == "telecom-regulation-policy"))
    intake = make_intake(course=course)
    intake.starts_on, intake.ends_on = utcnow().date() - timedelta(days=7), utcnow().date() + timedelta(days=60)
    enrolment = Enrolment(intake=intake, user=make_user(Role.TRAINEE), state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    db_session.flush()
    return enrolment


def test_a_row_written_twice_at_once_is_refused_with_409_and_nothing_kept(signed_in_client, db_session, enrolment,
                                                                          monkeypatch):
    lesson = enrolment.intake.version.lessons[0]
    client = signed_in_client(enrolment.user)
    url = f"/study/{enrolment.id}/lessons/{lesson.id}"

    def unguarded(enrolment, lesson):  # as if another tab had added her row between our look and our write
        db.session.add(LessonProgress(enrolment=enrolment, lesson=lesson))
        db.session.flush()
        progress = LessonProgress(enrolment=enrolment, lesson=lesson)
        db.session.add(progress)
        return progress

    monkeypatch.setattr(operations, "_progress", unguarded)
    response = client.get(url)
    assert response.status_code == 409
    assert "changed at the same moment by another request" in response.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get(url).status_code == 200  # the session was rolled back and works again
    assert len(db_session.scalars(select(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id)).all()) == 1


def test_the_api_says_conflict_in_json(app):
    with app.test_request_context("/api/v1/quota"):
        from sqlalchemy.exc import IntegrityError

        handler = app.error_handler_spec[None][None][IntegrityError]
        response, status = handler(IntegrityError("INSERT", {}, Exception("duplicate key")))
        assert status == 409 and response.get_json()["error"]["code"] == "conflict"
