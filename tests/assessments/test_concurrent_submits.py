"""Two windows submitting the same work at the same moment, each request on its own PostgreSQL connection:
exactly one submission succeeds and the other is told it was already submitted; every acknowledged
resubmission is counted; the job closing expired attempts and a late submit never both finish one attempt."""
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from config import TestConfig, _database_url
from lms import create_app
from lms.accounts.models import Role
from lms.assessments import quizzes
from lms.assessments.models import Attempt, Submission
from lms.catalogue.models import AssessmentKind, Course
from lms.catalogue.course_files import read_tree
from lms.catalogue.operations import import_courses
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.programme.operations import ensure_countries
from tests.assessments.test_quizzes import make_setup
from tests.conftest import COURSES_DIR, csrf_token, sign_in
from tests.databases import throwaway_database
from tests.factories import make_intake, make_programme, make_user

URL = _database_url("", "TEST_DATABASE_URL")
pytestmark = [pytest.mark.postgresql, pytest.mark.real_transactions,
              pytest.mark.skipif(not URL.startswith("postgresql"),
                                 reason="PostgreSQL only: run with TEST_DATABASE_URL, as .ci/run does")]
ROUNDS = 5


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    with throwaway_database(URL, "submits", tmp_path_factory.mktemp("submits")) as url:
        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = url
            UPLOAD_DIR = tmp_path_factory.mktemp("uploads")
        app = create_app(Config)
        with app.app_context():
            db.create_all()
            ensure_countries()
            import_courses(read_tree(COURSES_DIR))
            db.session.commit()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def at_once(app, trainee, posts) -> list:
    """Signs a client in per post, takes each form's token, then sends all of them at one barrier."""
    barrier, responses = threading.Barrier(len(posts)), [None] * len(posts)
    clients = []
    for url, data, form_url in posts:
        client = app.test_client()
        sign_in(client, trainee)
        clients.append((client, {**data, "csrf_token": csrf_token(client, form_url)}))

    def send(index: int) -> None:
        client, data = clients[index]
        barrier.wait(timeout=30)
        responses[index] = client.post(posts[index][0], data=data, follow_redirects=True)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_exactly_one_of_two_simultaneous_quiz_submits_succeeds(own_app):
    for _ in range(ROUNDS):
        with own_app.app_context():
            setup = make_setup(db.session)
            attempt = quizzes.start_attempt(setup.enrolment, setup.quiz)
            db.session.commit()
            attempt_id, trainee = attempt.id, SimpleNamespace(email=setup.trainee.email)
            statement_id = next(question.id for question in setup.quiz.questions if question.key == "q3")
            db.session.expunge_all()
        url = f"/study/attempts/{attempt_id}"
        answers = [{"action": "submit", f"q{statement_id}": value} for value in ("true", "false")]
        responses = at_once(own_app, trainee, [(url, data, url) for data in answers])

        pages = [response.get_data(as_text=True) for response in responses]
        assert all(response.status_code == 200 for response in responses)
        assert sum("Your attempt has been submitted." in page for page in pages) == 1, pages
        assert sum("already been submitted" in page for page in pages) == 1
        with own_app.app_context():
            stored = db.session.get(Attempt, attempt_id)
            winner = 0 if "Your attempt has been submitted." in pages[0] else 1
            assert stored.answers[str(statement_id)] is (answers[winner][f"q{statement_id}"] == "true")


def assignment_setup(allow_resubmission: bool):
    course = db.session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))
    assignment = next(a for a in course.assessments if a.kind is AssessmentKind.ASSIGNMENT)
    assignment.allow_resubmission = allow_resubmission
    intake = make_intake(make_programme(), course)
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=7), today + timedelta(days=30)
    trainee = make_user(Role.TRAINEE)
    enrolment = Enrolment(intake=intake, user=trainee, state=EnrolmentState.ACTIVE)
    db.session.add(enrolment)
    db.session.commit()
    url = f"/study/{enrolment.id}/assignments/{assignment.id}"
    signed_in, enrolment_id = SimpleNamespace(email=trainee.email), enrolment.id
    db.session.expunge_all()
    return signed_in, url, enrolment_id


def test_exactly_one_of_two_windows_submitting_a_submit_once_assignment_is_accepted(own_app):
    for _ in range(ROUNDS):
        with own_app.app_context():
            trainee, url, enrolment_id = assignment_setup(allow_resubmission=False)
        texts = ["Window one: fibre first.", "Window two: satellite first."]
        responses = at_once(own_app, trainee, [(url, {"text": text, "submit": "1"}, url) for text in texts])

        accepted = [index for index, response in enumerate(responses) if response.status_code == 200
                    and "Your work has been submitted for grading." in response.get_data(as_text=True)]
        refused = [index for index, response in enumerate(responses) if response.status_code == 409
                   and "can be submitted only once" in response.get_data(as_text=True)]
        assert len(accepted) == 1 and len(refused) == 1, [r.status_code for r in responses]
        with own_app.app_context():
            stored = db.session.scalar(select(Submission).where(Submission.enrolment_id == enrolment_id))
            assert stored.times_submitted == 1 and stored.text == texts[accepted[0]]  # never a mix of both
            assert texts[refused[0]] in responses[refused[0]].get_data(as_text=True)  # shown back to keep


def test_every_acknowledged_resubmission_is_counted(own_app):
    with own_app.app_context():
        trainee, url, enrolment_id = assignment_setup(allow_resubmission=True)
    acknowledged = 0
    for round_number in range(ROUNDS):
        posts = [(url, {"text": f"Round {round_number} window {window}", "submit": "1"}, url) for window in range(3)]
        acknowledged += sum("Your work has been submitted for grading." in response.get_data(as_text=True)
                            for response in at_once(own_app, trainee, posts))
    with own_app.app_context():
        stored = db.session.scalar(select(Submission).where(Submission.enrolment_id == enrolment_id))
        assert stored.times_submitted == acknowledged == 3 * ROUNDS


def test_two_tabs_opening_a_lesson_for_the_first_time_share_one_progress_row(own_app):
    from lms.learning.models import LessonProgress

    for _ in range(ROUNDS):
        with own_app.app_context():
            trainee, _url, enrolment_id = assignment_setup(allow_resubmission=True)
            enrolment = db.session.get(Enrolment, enrolment_id)
            lesson_id = enrolment.intake.version.lessons[0].id
        url = f"/study/{enrolment_id}/lessons/{lesson_id}"
        barrier, statuses = threading.Barrier(2), [None, None]
        clients = []
        for _tab in range(2):
            client = own_app.test_client()
            sign_in(client, trainee)
            clients.append(client)

        def open_lesson(index: int) -> None:
            barrier.wait(timeout=30)
            statuses[index] = clients[index].get(url).status_code

        threads = [threading.Thread(target=open_lesson, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert statuses == [200, 200]
        with own_app.app_context():
            rows = db.session.scalars(select(LessonProgress).where(LessonProgress.enrolment_id == enrolment_id)).all()
            assert [row.lesson_id for row in rows] == [lesson_id]


def test_the_closing_job_and_a_late_submit_at_one_moment_finish_the_attempt_once(own_app):
    for _ in range(ROUNDS):
        with own_app.app_context():
            setup = make_setup(db.session, time_limit=10, late_policy="accept")
            attempt = quizzes.start_attempt(setup.enrolment, setup.quiz)
            attempt.deadline_at = utcnow() - timedelta(minutes=2)  # time and grace are up
            db.session.commit()
            attempt_id, trainee = attempt.id, SimpleNamespace(email=setup.trainee.email)
            statement_id = next(question.id for question in setup.quiz.questions if question.key == "q3")
            db.session.expunge_all()
        url = f"/study/attempts/{attempt_id}"
        client = own_app.test_client()
        sign_in(client, trainee)
        data = {"action": "submit", f"q{statement_id}": "false", "csrf_token": csrf_token(client, "/courses")}
        barrier, results = threading.Barrier(2), {}

        def run_job() -> None:
            with own_app.app_context():
                barrier.wait(timeout=30)
                results["closed"] = [closed.id for closed in quizzes.close_expired_attempts()]
                db.session.commit()

        def post() -> None:
            barrier.wait(timeout=30)
            results["page"] = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)

        threads = [threading.Thread(target=run_job), threading.Thread(target=post)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        with own_app.app_context():
            stored = db.session.get(Attempt, attempt_id)
            assert stored.is_submitted
            if attempt_id in results["closed"]:  # the job first: closed with what was saved, the post refused
                assert stored.closed_by_server and not stored.answers and "already been submitted" in results["page"]
            else:  # the post first: her late answers kept, the job leaves it alone
                assert not stored.closed_by_server and stored.is_late and stored.answers == {str(statement_id): False}
                assert "arrived after the deadline" in results["page"]
