"""Question types as classes: every type has its kind, and a kind alone decides how its question is checked in
a course file, read from the attempt page, shown, reviewed and graded."""
import enum
import random
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import render_template_string
from jinja2 import ChoiceLoader, DictLoader
from werkzeug.datastructures import MultiDict

from lms.assessments import quizzes
from lms.assessments.question_types import (
    KINDS, MAX_ANSWER_LENGTH, MultipleChoice, NumericAnswer, QuestionKind, Refusal, ShortAnswer, SingleChoice,
    TrueFalse, kind_of,
)
from lms.catalogue.course_files import CourseFileError, _load_yaml, read_question
from lms.catalogue.models import Question, QuestionType

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
OPTIONS = {"options": [{"text": "A", "correct": False}, {"text": "B", "correct": True}, {"text": "C", "correct": True}]}
ONE_RIGHT = {"options": [{"text": "A", "correct": False}, {"text": "B", "correct": True}, {"text": "C", "correct": False}]}


def test_every_question_type_has_its_kind_and_its_input():
    assert list(KINDS) == list(QuestionType)  # in the enum's order, which the course-file error lists
    for question_type, kind in KINDS.items():
        assert kind.type is question_type
        assert (TEMPLATES / kind.input_template).is_file(), kind.input_template


def test_a_course_file_naming_an_unknown_type_hears_the_registered_ones():
    with pytest.raises(CourseFileError) as refused:
        _question("id: q1\ntype: essay\nprompt: Why?\n")
    assert refused.value.message == "'type' must be one of single | multiple | true_false | numeric | short, not 'essay'"
    assert refused.value.line == 2


def _question(text: str, path: Path = Path("quiz.yaml")):
    return read_question(path, _load_yaml(path, text), 1, 1)


def _shown(question_type=QuestionType.SHORT, spec=None, number=3, order=()):
    question = Question(id=7, type=question_type, spec=spec or {}, prompt="?", points=Decimal(1))
    return SimpleNamespace(number=number, question=question, order=list(order))


# Reading the posted answer, kind by kind

def test_a_choice_is_saved_as_the_original_index_of_the_position_shown():
    shown = _shown(QuestionType.SINGLE, OPTIONS, order=[2, 0, 1])
    assert SingleChoice().read_answer(shown, ["0"], None) == 2
    assert SingleChoice().read_answer(shown, ["2", "0"], None) == 1  # the first value counts
    for value in (" 1", "+1", "3", "-1", "١", ""):
        assert SingleChoice().read_answer(shown, [value], 0) is None
    assert SingleChoice().read_answer(shown, [], 0) is None


def test_several_choices_are_saved_once_each_in_index_order():
    shown = _shown(QuestionType.MULTIPLE, OPTIONS, order=[2, 0, 1])
    assert MultipleChoice().read_answer(shown, ["1", "0", "1", "9", "x"], None) == [0, 2]
    assert MultipleChoice().read_answer(shown, ["9"], [1]) is None  # nothing readable: no answer


def test_true_or_false_takes_only_its_two_values():
    shown = _shown(QuestionType.TRUE_FALSE)
    assert TrueFalse().read_answer(shown, ["true"], None) is True
    assert TrueFalse().read_answer(shown, ["false"], None) is False
    assert TrueFalse().read_answer(shown, ["True"], None) is None
    assert TrueFalse().read_answer(shown, [], True) is None


def test_a_typed_answer_up_to_the_limit_is_kept_as_typed_and_a_longer_one_keeps_the_saved_one(app):
    shown = _shown()
    with app.test_request_context():
        assert ShortAnswer().read_answer(shown, ["  x ".ljust(MAX_ANSWER_LENGTH)], None) == "  x ".ljust(MAX_ANSWER_LENGTH)
        assert ShortAnswer().read_answer(shown, [" \t "], "before") is None
        refusal = ShortAnswer().read_answer(shown, ["y" * (MAX_ANSWER_LENGTH + 1)], "before")
    assert refusal == Refusal("Your answer to question 3 is longer than 2000 characters, so it was not saved. "
                              "Please shorten it; your other answers are saved.", "before")


USD = {"answer": 9000.0, "tolerance": 0, "unit": "USD"}


def test_a_vietnamese_trainees_number_is_read_by_her_decimal_mark(app):
    shown = _shown(QuestionType.NUMERIC, USD)
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert NumericAnswer().read_answer(shown, ["USD 9.000"], None) == 9000.0
        assert NumericAnswer().read_answer(shown, ["3,4"], None) == 3.4


def test_a_number_is_read_by_the_english_decimal_mark_and_an_unreadable_one_is_kept_as_typed(app):
    shown = _shown(QuestionType.NUMERIC, USD)
    with app.test_request_context():
        assert NumericAnswer().read_answer(shown, ["9,000 usd"], None) == 9000.0
        refusal = NumericAnswer().read_answer(shown, ["about nine thousand"], 9000.0)
        too_long = NumericAnswer().read_answer(shown, ["9" * (MAX_ANSWER_LENGTH + 1)], 9000.0)
    assert refusal == Refusal("Your answer to question 3, “about nine thousand”, is not a number we can read. "
                              "Enter a number such as 1234.5 USD.", "about nine thousand")
    assert too_long.kept == 9000.0 and "longer than 2000 characters" in too_long.message


def test_the_refused_text_is_quoted_short_and_the_example_has_no_unit_when_the_question_has_none(app):
    with app.test_request_context():
        refusal = NumericAnswer().read_answer(_shown(QuestionType.NUMERIC, {"answer": 1.0}), ["x" * 100], None)
    assert "“" + "x" * 40 + "”" in refusal.message and "such as 1234.5." in refusal.message
    assert refusal.kept == "x" * 100


# The result page and grading

def test_the_review_gives_each_kind_its_own_words(app):
    numeric = Question(type=QuestionType.NUMERIC, spec={"answer": 2.5, "tolerance": 0.1})
    with app.test_request_context():
        assert kind_of(numeric).expected(numeric) == ["2.5 (give or take 0.1)"]
        assert kind_of(numeric).given(numeric, 9000.0) == ["9000"]
        assert kind_of(numeric).given(numeric, "  ") == []
        true_false = Question(type=QuestionType.TRUE_FALSE, spec={"answer": False})
        assert kind_of(true_false).expected(true_false) == ["False"]
        assert kind_of(true_false).given(true_false, 0) == []  # not a saved true/false answer
        choice = Question(type=QuestionType.MULTIPLE, spec=OPTIONS)
        assert kind_of(choice).given(choice, [2, 0, 7, True]) == ["A", "C"]
        assert kind_of(choice).expected(choice) == ["B", "C"]
        assert ShortAnswer().expected_label(2) == "Accepted answers"
        assert ShortAnswer().expected_label(1) == SingleChoice().expected_label(2) == "Correct answer"


def test_a_score_is_an_exact_fraction_kept_between_0_and_1():
    class Generous(TrueFalse):
        def grade(self, spec, answer):
            return 1.5 if answer else -0.5, "Overdone."

    assert Generous().score({}, True) == (Decimal(1), "Overdone.")
    assert Generous().score(None, False) == (Decimal(0), "Overdone.")
    assert MultipleChoice().score(OPTIONS, [1]) == (Decimal(1) / 2, "You chose 1 of 2 correct options and 0 wrong one(s).")


SPECS = {QuestionType.SINGLE: ONE_RIGHT, QuestionType.MULTIPLE: OPTIONS, QuestionType.TRUE_FALSE: {"answer": False},
         QuestionType.NUMERIC: {"answer": 2.5, "tolerance": 0}, QuestionType.SHORT: {"answers": ["narwhal", "whale"]}}


@pytest.mark.parametrize("question_type", list(QuestionType))
def test_a_demo_trainees_right_answer_scores_full_marks_and_a_wrong_one_less(app, question_type):
    kind, spec = KINDS[question_type], SPECS[question_type]
    with app.app_context():
        for seed in range(5):
            assert kind.score(spec, kind.sample_answer(spec, True, random.Random(seed)))[0] == 1
            assert kind.score(spec, kind.sample_answer(spec, False, random.Random(seed)))[0] < 1


def test_a_choice_follows_its_options_text_into_a_newer_version_and_other_answers_stay():
    old = Question(type=QuestionType.MULTIPLE, spec=OPTIONS)
    new = Question(type=QuestionType.MULTIPLE, spec={"options": [
        {"text": "C", "correct": True}, {"text": "D", "correct": False}, {"text": "A", "correct": False}]})
    assert kind_of(new).carried(old, new, [0, 1, 2]) == [0, 2]  # B is gone; A and C moved
    assert kind_of(new).carried(old, new, [1]) is None
    assert SingleChoice().carried(old, new, 2) == 0 and SingleChoice().carried(old, new, True) is None
    short = Question(type=QuestionType.SHORT, spec={"answers": ["x"]})
    assert kind_of(short).carried(short, short, "  typed ") == "  typed "


def test_only_a_short_answer_keeps_the_answers_its_translations_list():
    english = {"answers": ["reverse auction"]}
    translated = {"th": {"answers": ["การประมูลแบบย้อนกลับ"]}, "vi": {"answers": ["reverse auction"]}}
    assert ShortAnswer().with_translations(english, translated) == {
        "answers": ["reverse auction"], "translated_answers": {"th": ["การประมูลแบบย้อนกลับ"]}}
    assert ShortAnswer().with_translations(english, {"vi": english}) is english
    assert NumericAnswer().with_translations({"answer": 1.0}, {"th": {"answer": 1.0}}) == {"answer": 1.0}


# A new kind, registered here alone, goes through the importer, the attempt page and grading

class Scale(enum.Enum):
    FIVE = "scale"


class ScaleKind(QuestionKind):
    """How sure the trainee is, 1 to 5; the file's answer and one either side score."""
    type = Scale.FIVE
    spec_keys = frozenset({"answer"})

    @property
    def input_template(self):
        return "test/scale.html"

    def read_spec(self, reader):
        return {"answer": reader.integer("answer", 1, 5)}

    def read_answer(self, shown, values, before):
        value = values[0] if values else ""
        if not value:
            return None
        return int(value) if value in "12345" else Refusal(f"Question {shown.number}: 1 to 5, please.", before)

    def given(self, question, saved):
        return [str(saved)] if isinstance(saved, int) else []

    def expected(self, question):
        return [str(question.spec["answer"])]

    def grade(self, spec, answer):
        if not isinstance(answer, int):
            return 0, "No answer was given."
        return (1, "Close enough.") if abs(answer - spec["answer"]) <= 1 else (0, "Far off.")


@pytest.fixture
def scale_kind(app, monkeypatch):
    monkeypatch.setitem(KINDS, Scale.FIVE, ScaleKind())
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([DictLoader({
        "test/scale.html": '{% for n in range(1, 6) %}<input type="radio" name="{{ name }}" value="{{ n }}"'
                           '{% if shown.text == n|string %} checked{% endif %}>{% endfor %}',
    }), app.jinja_env.loader]))


def test_a_kind_registered_alone_is_checked_read_shown_reviewed_and_graded(app, scale_kind):
    spec = _question("id: sure\ntype: scale\nprompt: How sure are you?\npoints: 2\nanswer: 4\n")
    assert (spec.type, spec.spec) == (Scale.FIVE, {"answer": 4})
    with pytest.raises(CourseFileError, match="'answer' must be between 1 and 5, not 9"):
        _question("id: sure\ntype: scale\nprompt: How sure?\nanswer: 9\n")
    with pytest.raises(CourseFileError, match="unknown key 'options'"):
        _question("id: sure\ntype: scale\nprompt: How sure?\nanswer: 3\noptions: []\n")

    scale = Question(id=1, key="sure", type=spec.type, spec=spec.spec, prompt=spec.prompt, points=spec.points)
    choice = Question(id=2, key="pick", type=QuestionType.SINGLE, spec=ONE_RIGHT, prompt="Pick", points=Decimal(1))
    quiz = SimpleNamespace(questions=[scale, choice], late_policy="zero")
    attempt = SimpleNamespace(assessment=quiz, answers={}, option_order={}, is_submitted=True, results={})
    with app.test_request_context():
        refused = quizzes.answers_from_form(attempt, MultiDict({"q1": "7", "q2": "1"}))
        assert (refused.answers, [r.message for r in refused.refused]) == ({"2": 1}, ["Question 1: 1 to 5, please."])
        posted = quizzes.answers_from_form(attempt, MultiDict({"q1": "3", "q2": "1"}))
        assert posted.answers == {"1": 3, "2": 1} and posted.refused == []

        attempt.answers = posted.answers
        shown = quizzes.shown_questions(attempt)
        page = render_template_string('{% for shown in questions %}{% set name = "q" ~ shown.question.id %}'
                                      '{% set words = label %}{% include shown.kind.input_template %}{% endfor %}',
                                      questions=shown, label=str, max_length=MAX_ANSWER_LENGTH)
        assert '<input type="radio" name="q1" value="3" checked>' in page
        assert 'name="q2" value="1" checked> B</label>' in page

        scored = quizzes.score_answers(quiz, posted.answers, is_late=False)
        assert scored.results["1"] == {"fraction": 1.0, "feedback": "Close enough."}
        assert scored.score == 100
        attempt.results = scored.results
        reviewed = quizzes.reviewed_questions(attempt)
    assert [(r.given, r.expected, r.earned) for r in reviewed] == [(["3"], ["4"], 2), (["B"], ["B"], 1)]
