"""Quizzes for trainees: starting, saving, resuming, submitting, time limits, results and access."""
import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from lms.accounts.models import Role
from lms.assessments import quizzes
from lms.assessments.jobs import close_expired_quiz_attempts
from lms.assessments.models import Attempt
from lms.assessments.scoring import quiz_scores
from lms.catalogue.models import (AnswerDisplay, Area, Assessment, AssessmentKind, Course, CourseVersion, GradingMethod, Lesson, Module, Question,
                                  QuestionType, Subject)
from lms.core.db import utcnow
from lms.core.grades import shown
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from tests.conftest import post_form
from tests.factories import make_intake, make_user
from tests.job_runner import run_queued_jobs

_slugs = count(1)

# Every correct answer of the marker quiz is a string found nowhere else, so a page that leaks one is caught.
SINGLE_RIGHT = "Quokka-single-right-marker"
MULTI_RIGHT = ["Pangolin-multi-right-marker", "Okapi-multi-right-marker"]
NUMERIC_ANSWER = "7331.25"
SHORT_ANSWERS = ["Axolotl short answer marker", "Narwhal-accepted-marker"]
FEEDBACK = ["Feedback-marker-one", "Feedback-marker-two", "Feedback-marker-three", "Feedback-marker-four",
            "Feedback-marker-five"]
LEAK_MARKERS = [SINGLE_RIGHT, *MULTI_RIGHT, NUMERIC_ANSWER, *SHORT_ANSWERS, *FEEDBACK]

MARKER_QUESTIONS = [
    dict(key="q1", type=QuestionType.SINGLE, points=1, prompt="Pick the right animal.", feedback=FEEDBACK[0],
         spec={"options": [{"text": "Wombat distractor", "correct": False},
                           {"text": SINGLE_RIGHT, "correct": True},
                           {"text": "Dingo distractor", "correct": False}]}),
    dict(key="q2", type=QuestionType.MULTIPLE, points=2, prompt="Pick every right animal.", feedback=FEEDBACK[1],
         spec={"options": [{"text": MULTI_RIGHT[0], "correct": True},
                           {"text": "Emu distractor", "correct": False},
                           {"text": MULTI_RIGHT[1], "correct": True},
                           {"text": "Koala distractor", "correct": False}]}),
    dict(key="q3", type=QuestionType.TRUE_FALSE, points=1, prompt="Every cable is wireless.", feedback=FEEDBACK[2],
         spec={"answer": False}),
    dict(key="q4", type=QuestionType.NUMERIC, points=2, prompt="How many metres?", feedback=FEEDBACK[3],
         spec={"answer": float(NUMERIC_ANSWER), "tolerance": 0.5}),
    dict(key="q5", type=QuestionType.SHORT, points=2, prompt="Name the mechanism.", feedback=FEEDBACK[4],
         spec={"answers": SHORT_ANSWERS}),
]


def true_false_questions(how_many: int = 4) -> list[dict]:
    return [dict(key=f"t{number}", type=QuestionType.TRUE_FALSE, points=1, prompt=f"Statement {number}.",
                 feedback="", spec={"answer": True}) for number in range(1, how_many + 1)]


def make_course(*, with_required_lesson: bool = True, pass_mark: int = 60) -> tuple[Course, Module]:
    slug = f"quiz-test-course-{next(_slugs)}"
    course = Course(slug=slug, title="Quiz test course", title_zh="测验课程", version=1, subject=Subject.TECHNOLOGY,
                    area=Area.INFRASTRUCTURE, hours=2, pass_mark=pass_mark, summary="For tests.", objectives=[],
                    content_hash="0" * 64)
    version = CourseVersion(course=course, number=1, content_hash="0" * 64, pass_mark=pass_mark)
    module = Module(course=course, version=version, slug="only", title="Only module", position=1)
    db.session.add(course)
    db.session.flush()
    if with_required_lesson:
        # An unfinished required lesson keeps the course from completing while quizzes are taken.
        module.lessons.append(Lesson(course_id=course.id, version=version, slug="reading", title="Reading", position=1, minutes=5,
                                     is_required=True, body_markdown="Text", body_html="<p>Text</p>"))
    return course, module


def make_quiz(module: Module, questions: list[dict] = MARKER_QUESTIONS, *, attempts: int = 0,
              time_limit: int = 0, grading: GradingMethod = GradingMethod.HIGHEST, late_policy: str = "zero",
              shuffle: bool = False, title: str = "Marker quiz") -> Assessment:
    quiz = Assessment(course=module.course, version=module.version, module=module, slug=f"quiz-{next(_slugs)}", kind=AssessmentKind.QUIZ,
                      title=title, position=len(module.assessments) + 1, weight=10, pass_mark=60,
                      attempts_allowed=attempts, time_limit_minutes=time_limit, grading_method=grading,
                      late_policy=late_policy, shuffle_options=shuffle)
    for position, fields in enumerate(questions, start=1):
        quiz.questions.append(Question(position=position, **fields))
    module.assessments.append(quiz)
    return quiz


@dataclass
class Setup:
    trainee: object
    enrolment: Enrolment
    quiz: Assessment

    @property
    def quiz_url(self) -> str:
        return f"/study/{self.enrolment.id}/quizzes/{self.quiz.id}"

    @property
    def start_url(self) -> str:
        return self.quiz_url + "/start"

    def question(self, key: str) -> Question:
        return next(question for question in self.quiz.questions if question.key == key)


def make_setup(db_session, *, state: EnrolmentState = EnrolmentState.ACTIVE, with_required_lesson: bool = True,
               instructors=(), **quiz_options) -> Setup:
    course, module = make_course(with_required_lesson=with_required_lesson)
    make_quiz(module, **quiz_options)
    db_session.flush()
    quiz = module.assessments[-1]
    trainee = make_user(Role.TRAINEE)
    enrolment = Enrolment(intake=make_intake(course=course, instructors=list(instructors)), user=trainee, state=state)
    db_session.add(enrolment)
    db_session.flush()
    return Setup(trainee, enrolment, quiz)


@pytest.fixture
def setup(db_session) -> Setup:
    return make_setup(db_session)


def start(client, setup: Setup):
    response = post_form(client, setup.start_url, {}, form_url=setup.quiz_url)
    assert response.status_code == 302
    return response


def only_attempt(db_session, setup: Setup) -> Attempt:
    return db_session.scalars(select(Attempt).where(Attempt.enrolment_id == setup.enrolment.id)).one()


def option_value(page: str, name: str, text: str) -> str:
    """The value the attempt page gives the option showing `text`."""
    match = re.search(rf'name="{name}" value="([^"]+)"(?: checked)?> {re.escape(html.escape(text))}</label>', page)
    assert match, f"no option {text!r} for {name}"
    return match.group(1)


def right_answers(page: str, setup: Setup) -> dict:
    """A full-marks answer sheet, read from the positions the page shows."""
    q = {key: f"q{setup.question(key).id}" for key in ("q1", "q2", "q3", "q4", "q5")}
    return {
        q["q1"]: option_value(page, q["q1"], SINGLE_RIGHT),
        q["q2"]: [option_value(page, q["q2"], text) for text in MULTI_RIGHT],
        q["q3"]: "false",
        q["q4"]: "7331.6",
        q["q5"]: "  narwhal accepted MARKER. ",
    }


def post_attempt(client, attempt_id: int, data: dict, action: str = "save"):
    # Any signed-in page carries the session's CSRF token; an expired attempt's own page only redirects.
    return post_form(client, f"/study/attempts/{attempt_id}", {**data, "action": action}, form_url="/courses")


def flashed(response_page: str) -> str:
    return " ".join(re.findall(r'<div class="alert[^"]*" role="status">(.*?)</div>', response_page, re.S))


# The life cycle

def test_a_trainee_starts_saves_resumes_in_a_new_browser_submits_and_sees_the_result(signed_in_client, db_session,
                                                                                     setup):
    client = signed_in_client(setup.trainee)
    intro = client.get(setup.quiz_url).get_data(as_text=True)
    assert "Marker quiz" in intro and "Start a new attempt" in intro
    assert "You have not attempted this quiz yet." in intro

    response = start(client, setup)
    attempt = only_attempt(db_session, setup)
    assert response.headers["Location"] == f"/study/attempts/{attempt.id}"
    assert attempt.number == 1 and attempt.deadline_at is None and attempt.option_order == {}

    page = client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
    answers = right_answers(page, setup)
    q4, q5 = f"q{setup.question('q4').id}", f"q{setup.question('q5').id}"
    response = post_attempt(client, attempt.id, {key: value for key, value in answers.items() if key != q4})
    assert response.status_code == 302 and response.headers["Location"] == f"/study/attempts/{attempt.id}"
    db_session.refresh(attempt)
    assert not attempt.is_submitted
    assert attempt.answers[str(setup.question("q1").id)] == 1  # the original index, not the shown position
    assert attempt.answers[str(setup.question("q2").id)] == [0, 2]
    assert attempt.answers[str(setup.question("q3").id)] is False
    assert str(setup.question("q4").id) not in attempt.answers

    # The browser is closed; a new one signs in again and finds the answers where they were left.
    other_browser = signed_in_client(setup.trainee)
    intro = other_browser.get(setup.quiz_url).get_data(as_text=True)
    assert "Resume attempt 1" in intro
    response = post_form(other_browser, setup.start_url, {}, form_url=setup.quiz_url)
    assert response.headers["Location"] == f"/study/attempts/{attempt.id}"  # resumed, not a second attempt
    page = other_browser.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
    q1 = f"q{setup.question('q1').id}"
    assert f'name="{q1}" value="{answers[q1]}" checked> {SINGLE_RIGHT}' in page
    assert 'value="false" checked>' in page
    assert f'name="{q5}" value="  narwhal accepted MARKER. "' in page
    response = post_attempt(other_browser, attempt.id, answers, action="submit")
    assert response.headers["Location"] == f"/study/attempts/{attempt.id}/result"
    result = other_browser.get(response.headers["Location"]).get_data(as_text=True)

    assert quizzes.attempts_of(setup.enrolment, setup.quiz) == [attempt]
    db_session.refresh(attempt)
    assert attempt.is_submitted and not attempt.is_late and not attempt.closed_by_server
    assert attempt.raw_score == attempt.score == 100.0
    assert set(attempt.results) == {str(question.id) for question in setup.quiz.questions}
    assert all(entry["fraction"] == 1.0 and entry["feedback"] for entry in attempt.results.values())
    assert "Your attempt has been submitted." in flashed(result)
    assert "Your score: 100%" in result

    intro = client.get(setup.quiz_url).get_data(as_text=True)
    assert f"/study/attempts/{attempt.id}/result" in intro
    assert "The score that counts: 100%" in intro
    assert "Start a new attempt" in intro  # unlimited attempts


def test_partial_answers_are_weighted_by_points(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    page = client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
    q = {key: f"q{setup.question(key).id}" for key in ("q1", "q2", "q3", "q4", "q5")}
    post_attempt(client, attempt.id, {
        q["q1"]: option_value(page, q["q1"], SINGLE_RIGHT),  # 1 of 1
        q["q2"]: [option_value(page, q["q2"], MULTI_RIGHT[0])],  # half of 2
        q["q3"]: "true",  # 0 of 1
        q["q4"]: "7,000",  # 0 of 2
        q["q5"]: SHORT_ANSWERS[0].upper(),  # 2 of 2
    }, action="submit")
    db_session.refresh(attempt)
    assert attempt.raw_score == attempt.score == 50.0  # (1 + 1 + 0 + 0 + 2) / 8
    assert attempt.answers[str(setup.question("q4").id)] == 7000  # the number it was read as
    result = client.get(f"/study/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Partly right" in result and "Wrong" in result and "Right" in result
    assert "7000" in result


def test_a_submission_that_completes_the_course_completes_the_enrolment(signed_in_client, db_session):
    setup = make_setup(db_session, with_required_lesson=False)
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    page = client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
    post_attempt(client, attempt.id, right_answers(page, setup), action="submit")
    db_session.refresh(setup.enrolment)
    assert setup.enrolment.state is EnrolmentState.COMPLETED
    assert setup.enrolment.final_grade == 100.0


# Attempts and grading methods

def test_attempts_are_limited(signed_in_client, db_session):
    setup = make_setup(db_session, attempts=2)
    client = signed_in_client(setup.trainee)
    for number in (1, 2):
        start(client, setup)
        attempt = db_session.scalar(select(Attempt).where(Attempt.enrolment_id == setup.enrolment.id,
                                                          Attempt.number == number))
        post_attempt(client, attempt.id, {}, action="submit")
    intro = client.get(setup.quiz_url).get_data(as_text=True)
    assert "2 of 2 used" in intro
    assert "Start a new attempt" not in intro
    response = start(client, setup)
    assert response.headers["Location"] == setup.quiz_url
    page = client.get(setup.quiz_url).get_data(as_text=True)
    assert "You have used all 2 attempt(s) allowed at this quiz." in page
    assert len(quizzes.attempts_of(setup.enrolment, setup.quiz)) == 2


def submit_direct(setup: Setup, right_statements: int) -> Attempt:
    """An attempt at a four-statement true/false quiz, answered right `right_statements` times."""
    attempt = quizzes.start_attempt(setup.enrolment, setup.quiz)
    form = MultiDict({f"q{question.id}": "true" if index < right_statements else "false"
                      for index, question in enumerate(setup.quiz.questions)})
    quizzes.record_answers(attempt, form, submit=True, by=setup.trainee)
    return attempt


@pytest.mark.parametrize("method,expected", [
    (GradingMethod.HIGHEST, "100"), (GradingMethod.LAST, "25"), (GradingMethod.AVERAGE, "58.33"),
])
def test_the_grading_method_picks_the_score_that_counts(signed_in_client, db_session, method, expected):
    setup = make_setup(db_session, questions=true_false_questions(), grading=method, attempts=3)
    scores = [submit_direct(setup, right).score for right in (2, 4, 1)]
    assert scores == [50.0, 100.0, 25.0]
    attempts = quizzes.attempts_of(setup.enrolment, setup.quiz)
    # Kept exact (the average of three is a third of a sum), shown rounded once.
    assert shown(quizzes.counting_score(setup.quiz, attempts)) == expected
    assert {key: shown(value) for key, value in quiz_scores([setup.enrolment.id]).items()} == {
        (setup.enrolment.id, setup.quiz.id): expected}
    db_session.flush()
    client = signed_in_client(setup.trainee)
    assert f"The score that counts: {expected}%" in client.get(setup.quiz_url).get_data(as_text=True)


# Shuffling

def test_each_attempt_stores_its_option_order_and_answers_map_back(signed_in_client, db_session, monkeypatch):
    setup = make_setup(db_session, shuffle=True)
    monkeypatch.setattr(quizzes.random, "sample", lambda population, k: list(reversed(population)))
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    single, multiple = setup.question("q1"), setup.question("q2")
    assert attempt.option_order == {str(single.id): [2, 1, 0], str(multiple.id): [3, 2, 1, 0]}

    attempt.option_order = {str(single.id): [1, 2, 0], str(multiple.id): [2, 0, 3, 1]}
    db_session.flush()
    page = client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
    shown = re.findall(rf'name="q{single.id}" value="(\d)"> ([^<]+)</label>', page)
    assert shown == [("0", SINGLE_RIGHT), ("1", "Dingo distractor"), ("2", "Wombat distractor")]
    assert option_value(page, f"q{multiple.id}", MULTI_RIGHT[1]) == "0"
    assert option_value(page, f"q{multiple.id}", MULTI_RIGHT[0]) == "1"

    post_attempt(client, attempt.id, {f"q{single.id}": "0", f"q{multiple.id}": ["0", "1"]})
    db_session.refresh(attempt)
    assert attempt.answers == {str(single.id): 1, str(multiple.id): [0, 2]}
    page = client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
    assert f'name="q{single.id}" value="0" checked> {SINGLE_RIGHT}' in page

    post_attempt(client, attempt.id, {f"q{single.id}": "0", f"q{multiple.id}": ["0", "1"]}, action="submit")
    db_session.refresh(attempt)
    assert attempt.results[str(single.id)]["fraction"] == 1.0
    assert attempt.results[str(multiple.id)]["fraction"] == 1.0


def test_a_quiz_that_does_not_shuffle_shows_the_file_order(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    page = client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
    single = setup.question("q1")
    assert re.findall(rf'name="q{single.id}" value="(\d)"> ([^<]+)</label>', page) == [
        ("0", "Wombat distractor"), ("1", SINGLE_RIGHT), ("2", "Dingo distractor")]


# Time limits

def test_the_attempt_page_states_the_deadline_in_the_trainees_own_time(signed_in_client, db_session, monkeypatch):
    from datetime import datetime, timezone
    from lms.core import clock

    setup = make_setup(db_session, time_limit=20)
    setup.trainee.time_zone = "Asia/Phnom_Penh"
    db_session.flush()
    monkeypatch.setattr(clock, "now", lambda: datetime(2027, 1, 30, 7, 35, tzinfo=timezone.utc))
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    assert attempt.deadline_at == datetime(2027, 1, 30, 7, 55, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: datetime(2027, 1, 30, 7, 43, tzinfo=timezone.utc))
    page = client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
    assert "Submit by 14:55 Phnom Penh time; you have about 12 minutes." in page


def expire(db_session, attempt: Attempt, seconds_ago: int) -> None:
    attempt.started_at = utcnow() - timedelta(minutes=10, seconds=seconds_ago)
    attempt.deadline_at = utcnow() - timedelta(seconds=seconds_ago)
    db_session.flush()


@pytest.mark.parametrize("policy,expected_score", [("accept", 100.0), ("zero", 0.0), ("penalty-20", 80.0)])
def test_a_late_submission_is_kept_and_graded_by_the_late_policy(signed_in_client, db_session, policy, expected_score):
    setup = make_setup(db_session, time_limit=10, late_policy=policy)
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    answers = right_answers(client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True), setup)
    expire(db_session, attempt, seconds_ago=31 + 60)
    response = post_attempt(client, attempt.id, answers, action="submit")
    assert response.headers["Location"] == f"/study/attempts/{attempt.id}/result"
    db_session.refresh(attempt)
    assert attempt.is_submitted and attempt.is_late and not attempt.closed_by_server
    assert attempt.raw_score == 100.0 and attempt.score == expected_score
    assert attempt.answers[str(setup.question("q4").id)] == 7331.6  # the number it was read as
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "arrived after the time limit" in result
    assert f"from 100% to {expected_score:g}%" in result


def test_a_submission_within_the_grace_period_is_on_time(signed_in_client, db_session):
    setup = make_setup(db_session, time_limit=10, late_policy="zero")
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    answers = right_answers(client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True), setup)
    expire(db_session, attempt, seconds_ago=20)
    post_attempt(client, attempt.id, answers, action="submit")
    db_session.refresh(attempt)
    assert attempt.is_submitted and not attempt.is_late and attempt.score == 100.0


def test_saving_after_the_time_limit_is_a_late_submission_not_a_loss(signed_in_client, db_session):
    setup = make_setup(db_session, time_limit=10, late_policy="penalty-50")
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    answers = right_answers(client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True), setup)
    expire(db_session, attempt, seconds_ago=120)
    response = post_attempt(client, attempt.id, answers, action="save")
    assert response.headers["Location"] == f"/study/attempts/{attempt.id}/result"
    db_session.refresh(attempt)
    assert attempt.is_late and attempt.raw_score == 100.0 and attempt.score == 50.0


MORNING = datetime(2027, 2, 1, 2, 0, tzinfo=timezone.utc)  # inside make_intake's dates, the quiz due in March


def run_closing_job() -> list[str]:
    """The minute's job, queued by the scheduler and run by a worker."""
    close_expired_quiz_attempts()
    return run_queued_jobs()


def test_an_expired_attempt_is_closed_by_the_job_with_the_saved_answers_and_scored_once(signed_in_client, db_session,
                                                                                        monkeypatch):
    setup = make_setup(db_session, time_limit=10, late_policy="zero", attempts=2)
    graded = []
    grade = quizzes.grade_attempt
    monkeypatch.setattr(quizzes, "grade_attempt", lambda attempt: (graded.append(attempt.id), grade(attempt)))
    with time_machine.travel(MORNING, tick=False) as traveller:
        client = signed_in_client(setup.trainee)
        start(client, setup)
        attempt = only_attempt(db_session, setup)
        page = client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
        single = f"q{setup.question('q1').id}"
        post_attempt(client, attempt.id, {single: option_value(page, single, SINGLE_RIGHT)})

        traveller.move_to(MORNING + timedelta(minutes=10, seconds=20))  # time is up, the grace is not
        run_closing_job()
        db_session.refresh(attempt)
        assert not attempt.is_submitted  # a submission still on its way would be on time

        traveller.move_to(MORNING + timedelta(minutes=11))
        assert run_closing_job() == ["close_expired_quiz_attempts"]
        db_session.refresh(attempt)
        assert attempt.closed_by_server and not attempt.is_late
        assert attempt.submitted_at == attempt.deadline_at == MORNING + timedelta(minutes=10)
        assert attempt.raw_score == attempt.score == 12.5  # the single-choice point of 8, saved in time

        traveller.move_to(MORNING + timedelta(minutes=12))  # the next minute's run finds nothing to do
        run_closing_job()
        assert quizzes.close_expired_attempts() == []
        db_session.refresh(attempt)
        assert attempt.submitted_at == MORNING + timedelta(minutes=10) and attempt.score == 12.5
        assert graded == [attempt.id]

        result = client.get(f"/study/attempts/{attempt.id}/result").get_data(as_text=True)
        assert "closed at its deadline with the answers you had saved" in result
        intro = client.get(setup.quiz_url).get_data(as_text=True)
        assert "closed at the time limit" in intro and "See the result of attempt 1" in intro

        # Posting the old page afterwards changes nothing, and says so.
        response = post_attempt(client, attempt.id, {single: "0"}, action="submit")
        assert response.headers["Location"] == f"/study/attempts/{attempt.id}/result"
        assert "already been submitted" in flashed(client.get(response.headers["Location"]).get_data(as_text=True))
        db_session.refresh(attempt)
        assert attempt.score == 12.5 and graded == [attempt.id]


def test_opening_an_attempt_after_its_time_writes_nothing_and_shows_it_closed(signed_in_client, db_session):
    setup = make_setup(db_session, time_limit=10, attempts=2)
    with time_machine.travel(MORNING, tick=False) as traveller:
        client = signed_in_client(setup.trainee)
        start(client, setup)
        attempt = only_attempt(db_session, setup)
        traveller.move_to(MORNING + timedelta(minutes=15))
        for url in (f"/study/attempts/{attempt.id}", f"/study/attempts/{attempt.id}/confirm",
                    f"/study/attempts/{attempt.id}/result"):
            response = client.get(url)
            assert response.headers["Location"] == setup.quiz_url
            intro = client.get(setup.quiz_url).get_data(as_text=True)
            assert "Time was up, so this attempt was closed at its deadline" in flashed(intro)
            assert "closed at the time limit" in intro and "In progress" not in intro
            assert "Resume" not in intro and "Start a new attempt" in intro and "1 of 2 used" in intro
        db_session.expire_all()
        stored = db_session.get(Attempt, attempt.id)
        assert not stored.is_submitted and not stored.closed_by_server and stored.score is None  # the job's to close


def test_starting_again_closes_an_expired_attempt_and_keeps_the_closing_when_no_attempt_is_left(signed_in_client,
                                                                                                db_session):
    setup = make_setup(db_session, time_limit=10, attempts=2)
    client = signed_in_client(setup.trainee)
    start(client, setup)
    first = only_attempt(db_session, setup)
    expire(db_session, first, seconds_ago=60)
    response = start(client, setup)
    db_session.refresh(first)
    assert first.closed_by_server
    second = quizzes.open_attempt(quizzes.attempts_of(setup.enrolment, setup.quiz))
    assert second.number == 2 and response.headers["Location"] == f"/study/attempts/{second.id}"
    expire(db_session, second, seconds_ago=60)
    intro = client.get(setup.quiz_url).get_data(as_text=True)
    assert "Resume" not in intro and "You have used all 2 attempt(s)" in intro
    db_session.refresh(second)
    assert not second.is_submitted  # the page only shows it closed

    response = start(client, setup)  # an old page's button: refused, and the expired attempt closed on the way
    assert response.headers["Location"] == setup.quiz_url
    assert "You have used all 2 attempt(s)" in flashed(client.get(setup.quiz_url).get_data(as_text=True))
    db_session.refresh(second)
    assert second.closed_by_server and second.submitted_at == second.deadline_at
    assert len(quizzes.attempts_of(setup.enrolment, setup.quiz)) == 2


# Access

def test_other_people_cannot_reach_an_attempt_or_quiz_by_changing_ids(signed_in_client, db_session):
    instructor = make_user(Role.INSTRUCTOR)
    setup = make_setup(db_session, instructors=[instructor])
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    other = make_setup(db_session)  # another trainee, with their own enrolment in the same kind of course
    pages = [setup.quiz_url, f"/study/attempts/{attempt.id}", f"/study/attempts/{attempt.id}/result"]
    for person in (other.trainee, instructor):
        browser = signed_in_client(person)
        for url in pages:
            assert browser.get(url).status_code == 404, (person, url)
        assert post_form(browser, setup.start_url, {}, form_url="/courses").status_code == 404
        assert post_attempt(browser, attempt.id, {}, action="submit").status_code == 404
    db_session.refresh(attempt)
    assert not attempt.is_submitted
    assert quizzes.attempts_of(setup.enrolment, setup.quiz) == [attempt]


def test_a_quiz_must_belong_to_the_enrolment_course(signed_in_client, db_session, setup):
    other = make_setup(db_session)
    assignment = db_session.scalar(select(Assessment).where(Assessment.kind == AssessmentKind.ASSIGNMENT).limit(1))
    client = signed_in_client(setup.trainee)
    for assessment_id in (other.quiz.id, assignment.id, 999999):
        assert client.get(f"/study/{setup.enrolment.id}/quizzes/{assessment_id}").status_code == 404
    assert client.get(f"/study/999999/quizzes/{setup.quiz.id}").status_code == 404
    assert client.get("/study/attempts/999999").status_code == 404


def test_visitors_are_sent_to_sign_in(client, setup):
    response = client.get(setup.quiz_url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_enrolment_that_is_not_active_cannot_start(signed_in_client, db_session):
    setup = make_setup(db_session, state=EnrolmentState.APPROVED)  # its intake has not started yet
    client = signed_in_client(setup.trainee)
    intro = client.get(setup.quiz_url).get_data(as_text=True)
    assert "Quizzes can be taken only while your enrolment is active" in intro
    assert "Start a new attempt" not in intro
    response = start(client, setup)
    assert response.headers["Location"] == setup.quiz_url
    assert "Quizzes can be taken only while your enrolment is active" in flashed(
        client.get(setup.quiz_url).get_data(as_text=True))
    assert quizzes.attempts_of(setup.enrolment, setup.quiz) == []


def test_an_open_attempt_cannot_change_once_the_enrolment_is_no_longer_active(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    setup.enrolment.state = EnrolmentState.FAILED
    db_session.flush()
    response = post_attempt(client, attempt.id, {f"q{setup.question('q4').id}": "1"}, action="submit")
    assert response.headers["Location"] == setup.quiz_url
    db_session.refresh(attempt)
    assert not attempt.is_submitted and attempt.answers == {}


def test_posts_without_the_csrf_token_are_refused(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    assert client.post(setup.start_url).status_code == 400
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    response = client.post(f"/study/attempts/{attempt.id}", data={"action": "submit"})
    assert response.status_code == 400
    db_session.refresh(attempt)
    assert not attempt.is_submitted


# Correct answers stay on the server until the attempt is submitted

def test_no_correct_answer_reaches_the_browser_before_submission(signed_in_client, db_session, setup):
    setup.quiz.answers_shown = AnswerDisplay.AFTER_EACH_ATTEMPT  # so that the result page shows them
    client = signed_in_client(setup.trainee)
    intro = client.get(setup.quiz_url).get_data(as_text=True)
    for marker in LEAK_MARKERS:
        assert marker not in intro, marker
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    start_response = post_form(client, setup.start_url, {}, form_url=setup.quiz_url)  # resuming
    assert not any(marker in start_response.get_data(as_text=True) for marker in LEAK_MARKERS)

    response = client.get(f"/study/attempts/{attempt.id}")
    page = response.get_data(as_text=True)
    hidden = [NUMERIC_ANSWER, *SHORT_ANSWERS, *FEEDBACK]
    for marker in hidden:
        assert marker not in page, marker
    assert "correct" not in page.lower() and "https://" not in page
    # The one script is the site's own static file, the same for every page: nothing of this quiz in it.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/lms.js" defer>']
    # The choice options must be shown, but nothing tells the right ones from the others.
    inputs = re.findall(r"<input ([^>]*)>", page)
    for attributes in inputs:
        names = set(re.findall(r'([a-z-]+)=', attributes)) | ({"checked"} if " checked" in attributes else set())
        assert names <= {"type", "name", "value", "checked", "id", "maxlength", "aria-describedby", "inputmode",
                         "autocomplete"}, attributes
    for question in (setup.question("q1"), setup.question("q2")):
        values = re.findall(rf'name="q{question.id}" value="([^"]*)"', page)
        assert values == [str(position) for position in range(len(question.spec["options"]))]

    # A result page asked for early redirects back without showing anything.
    early = client.get(f"/study/attempts/{attempt.id}/result")
    assert early.status_code == 302 and early.headers["Location"] == f"/study/attempts/{attempt.id}"

    # Saving keeps the attempt open and the answers still hidden.
    q5 = f"q{setup.question('q5').id}"
    saved = post_attempt(client, attempt.id, {q5: "a guess"}, action="save")
    following = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert not any(marker in following for marker in hidden)

    post_attempt(client, attempt.id, {q5: "a guess"}, action="submit")
    result = client.get(f"/study/attempts/{attempt.id}/result").get_data(as_text=True)
    for marker in LEAK_MARKERS:
        assert html.escape(marker) in result, marker
    assert "a guess" in result


# Bad input

def test_unknown_option_positions_are_ignored(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    single, multiple, true_false = (f"q{setup.question(key).id}" for key in ("q1", "q2", "q3"))
    response = post_attempt(client, attempt.id, {single: "99", multiple: ["0", "7", "-1", "x", ""],
                                                 true_false: "maybe"})
    assert response.status_code == 302
    db_session.refresh(attempt)
    assert attempt.answers == {str(setup.question("q2").id): [0]}


def test_an_over_long_answer_is_refused_without_losing_the_others(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    numeric, short = f"q{setup.question('q4').id}", f"q{setup.question('q5').id}"
    post_attempt(client, attempt.id, {short: "first answer"})

    response = post_attempt(client, attempt.id, {numeric: "12", short: "x" * 2001}, action="submit")
    assert response.headers["Location"] == f"/study/attempts/{attempt.id}"
    db_session.refresh(attempt)
    assert not attempt.is_submitted
    assert attempt.answers == {str(setup.question("q4").id): 12.0, str(setup.question("q5").id): "first answer"}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    messages = flashed(page)
    assert "Your answer to question 5 is longer than 2000 characters, so it was not saved." in messages
    assert "has not been submitted yet" in messages
    assert 'value="12"' in page and 'value="first answer"' in page

    post_attempt(client, attempt.id, {numeric: "12", short: "x" * 2000})
    db_session.refresh(attempt)
    assert attempt.answers[str(setup.question("q5").id)] == "x" * 2000


def test_answers_of_any_shape_never_break_the_pages(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    attempt.answers = {str(setup.question("q1").id): [1, "x"], str(setup.question("q2").id): 5,
                       str(setup.question("q3").id): "yes", str(setup.question("q4").id): ["1"],
                       str(setup.question("q5").id): {"a": 1}, "not-a-question": 1}
    db_session.flush()
    assert client.get(f"/study/attempts/{attempt.id}").status_code == 200
    quizzes.grade_attempt(attempt)
    attempt.submitted_at = utcnow()
    db_session.flush()
    assert attempt.raw_score == 0.0
    assert client.get(f"/study/attempts/{attempt.id}/result").status_code == 200


def test_the_shipped_quiz_of_a_course_can_be_taken(signed_in_client, db_session):
    course = db_session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))
    quiz = next(assessment for assessment in course.assessments if assessment.kind is AssessmentKind.QUIZ)
    trainee = make_user(Role.TRAINEE)
    enrolment = Enrolment(intake=make_intake(course=course), user=trainee, state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    db_session.flush()
    client = signed_in_client(trainee)
    url = f"/study/{enrolment.id}/quizzes/{quiz.id}"
    assert quiz.title in client.get(url).get_data(as_text=True)
    response = post_form(client, url + "/start", {}, form_url=url)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("<fieldset") == len(quiz.questions)
    for question in quiz.questions:
        if question.type is QuestionType.NUMERIC:
            assert f'value="{quizzes.format_number(question.spec["answer"])}"' not in page
        if question.feedback:
            assert html.escape(question.feedback) not in page


def test_control_characters_and_other_scripts_are_saved_as_typed(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    numeric, short = f"q{setup.question('q4').id}", f"q{setup.question('q5').id}"
    # A NUL character is refused outright (it cannot be stored), and nothing is saved.
    assert post_attempt(client, attempt.id, {numeric: "12\x00", short: "x"}).status_code == 400
    db_session.refresh(attempt)
    assert not attempt.answers
    response = post_attempt(client, attempt.id, {numeric: "12\t", short: "ບໍລິການ 服务 <b>"})
    assert response.status_code == 302
    db_session.refresh(attempt)
    assert attempt.answers == {str(setup.question("q4").id): 12.0, str(setup.question("q5").id): "ບໍລິການ 服务 <b>"}
    page = client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
    assert "ບໍລິການ 服务 &lt;b&gt;" in page


def test_a_stored_order_that_no_longer_fits_the_question_falls_back_to_the_file_order(db_session, setup):
    attempt = quizzes.start_attempt(setup.enrolment, setup.quiz)
    single = setup.question("q1")
    for broken in ([0, 0, 1], [0, 1], [2, 1, 0, 3], ["0", 1, 2], "012"):
        attempt.option_order = {str(single.id): broken}
        assert quizzes.option_order(attempt, single) == [0, 1, 2], broken
    attempt.option_order = {str(single.id): [2, 0, 1]}
    assert quizzes.option_order(attempt, single) == [2, 0, 1]


def test_a_double_click_on_start_that_collides_sends_the_trainee_back_to_the_quiz(signed_in_client, setup, monkeypatch):
    def collide(enrolment, quiz):
        raise IntegrityError("INSERT INTO attempt", {}, Exception("unique constraint"))

    client = signed_in_client(setup.trainee)
    monkeypatch.setattr(quizzes, "start_attempt", collide)
    response = start(client, setup)
    assert response.headers["Location"] == setup.quiz_url


# Numbers as people type them

def test_a_number_that_cannot_be_read_is_refused_when_saving_and_blocks_submitting(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    name = f"q{setup.question('q4').id}"
    response = post_attempt(client, attempt.id, {name: "about seven thousand"}, action="submit")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "“about seven thousand”, is not a number we can read. Enter a number such as 1234.5." in flashed(page)
    assert 'value="about seven thousand"' in page  # kept as typed, to correct
    db_session.refresh(attempt)
    assert not attempt.is_submitted  # refused before submitting, never scored 0 after it
    post_attempt(client, attempt.id, {name: "7,331.5"}, action="submit")
    db_session.refresh(attempt)
    assert attempt.is_submitted and attempt.answers[str(setup.question("q4").id)] == 7331.5


def test_a_vietnamese_trainee_types_thousands_with_points_and_sees_her_number_back(signed_in_client, db_session, setup):
    setup.trainee.language = "vi"
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    name = f"q{setup.question('q4').id}"
    response = post_attempt(client, attempt.id, {name: "7.331,25"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'name="{name}" value="7331,25"' in page  # read as 7331.25, shown with her decimal comma
    db_session.refresh(attempt)
    assert attempt.answers[str(setup.question("q4").id)] == 7331.25


# Submitting asks first

def test_submitting_asks_to_confirm_and_says_what_is_unanswered(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    page = client.get(f"/study/attempts/{attempt.id}").get_data(as_text=True)
    answers = right_answers(page, setup)
    del answers[f"q{setup.question('q5').id}"]
    response = post_attempt(client, attempt.id, answers, action="review")
    assert response.headers["Location"] == f"/study/attempts/{attempt.id}/confirm"
    db_session.refresh(attempt)
    assert not attempt.is_submitted and len(attempt.answers) == 4  # saved, not submitted
    confirm = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Question 5 has no answer yet." in confirm
    assert "weighted total of all its assessments" in confirm
    fields = dict(re.findall(r'<input type="hidden" name="(q\d+)" value="([^"]*)">', confirm))
    multi = re.findall(rf'<input type="hidden" name="q{setup.question("q2").id}" value="([^"]*)">', confirm)
    post_attempt(client, attempt.id, {**fields, f"q{setup.question('q2').id}": multi}, action="submit")
    db_session.refresh(attempt)
    assert attempt.is_submitted and attempt.raw_score == 75.0  # (1 + 2 + 1 + 2 + 0) / 8: the saved answers


def test_the_confirm_step_refuses_answers_that_cannot_be_kept(signed_in_client, db_session, setup):
    client = signed_in_client(setup.trainee)
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    response = post_attempt(client, attempt.id, {f"q{setup.question('q4').id}": "lots"}, action="review")
    assert response.headers["Location"] == f"/study/attempts/{attempt.id}"
    assert "not a number we can read" in flashed(client.get(response.headers["Location"]).get_data(as_text=True))
