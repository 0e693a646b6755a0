"""When a quiz shows its correct answers: a setting of each quiz in its file, hidden by default while an
attempt is left, so a blank first attempt never gives away the answers to the next one."""
import html
from datetime import date

import pytest

from lms.catalogue.course_files import CourseFileError, read_assessment
from lms.catalogue.models import AnswerDisplay
from tests.assessments.test_quizzes import make_setup, only_attempt, post_attempt, start

# The right option's text of the marker quiz, and its explanation.
KEY_MARKER = "Quokka-single-right-marker"


def _result_page(client, db_session, setup) -> str:
    """The result page of a blank attempt that the trainee signed in on `client` submits."""
    start(client, setup)
    attempt = only_attempt(db_session, setup)
    post_attempt(client, attempt.id, {}, action="submit")
    page = client.get(f"/study/attempts/{attempt.id}/result")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_by_default_a_blank_attempt_shows_right_and_wrong_but_not_the_answers(signed_in_client, db_session):
    setup = make_setup(db_session, attempts=2)
    assert setup.quiz.answers_shown is AnswerDisplay.AFTER_LAST_ATTEMPT
    page = _result_page(signed_in_client(setup.trainee), db_session, setup)
    assert "Wrong" in page  # right or wrong per question still shows
    assert html.escape(KEY_MARKER) not in page and "Correct answer" not in page
    assert "The correct answers are shown once you have no attempt left." in page


def test_after_the_last_attempt_the_answers_are_shown(signed_in_client, db_session):
    setup = make_setup(db_session, attempts=1)
    page = _result_page(signed_in_client(setup.trainee), db_session, setup)
    assert html.escape(KEY_MARKER) in page


@pytest.mark.parametrize("setting, shown", [(AnswerDisplay.AFTER_EACH_ATTEMPT, True), (AnswerDisplay.NEVER, False)])
def test_each_attempt_or_never(signed_in_client, db_session, setting, shown):
    setup = make_setup(db_session, attempts=3 if shown else 1)
    setup.quiz.answers_shown = setting
    page = _result_page(signed_in_client(setup.trainee), db_session, setup)
    assert (html.escape(KEY_MARKER) in page) is shown


def test_after_the_intake_closes(signed_in_client, db_session):
    setup = make_setup(db_session, attempts=1)
    setup.quiz.answers_shown = AnswerDisplay.AFTER_INTAKE_CLOSES
    client = signed_in_client(setup.trainee)
    page = _result_page(client, db_session, setup)
    assert html.escape(KEY_MARKER) not in page
    attempt = only_attempt(db_session, setup)
    intake = setup.enrolment.intake
    intake.starts_on, intake.ends_on = date(2020, 1, 6), date(2020, 3, 27)  # the intake has closed since
    later = client.get(f"/study/attempts/{attempt.id}/result").get_data(as_text=True)
    assert html.escape(KEY_MARKER) in later


def test_the_setting_is_read_from_the_quiz_file_and_checked(tmp_path):
    path = tmp_path / "check.yaml"
    quiz = ("kind: quiz\ntitle: Check\nweight: 1\npass_mark: 50\nshow_answers: {value}\nquestions:\n"
            "  - id: q1\n    type: true_false\n    prompt: Yes?\n    answer: true\n")
    path.write_text(quiz.format(value="after-intake-closes"))
    assert read_assessment(path).answers_shown is AnswerDisplay.AFTER_INTAKE_CLOSES
    path.write_text(quiz.format(value="sometimes"))
    with pytest.raises(CourseFileError, match=r"check.yaml:5: 'show_answers' must be one of after-each-attempt"):
        read_assessment(path)
