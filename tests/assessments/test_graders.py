"""The graders: one per question type, from (spec, answer) to (fraction, feedback), never raising."""
from decimal import Decimal

import pytest

from lms.assessments.graders import GRADERS, accepted_answers, grade, normalise_text, parse_number
from lms.catalogue.models import QuestionType

SINGLE = {"options": [{"text": "A", "correct": False}, {"text": "B", "correct": True}, {"text": "C", "correct": False}]}
MULTIPLE = {"options": [{"text": "A", "correct": True}, {"text": "B", "correct": True}, {"text": "C", "correct": False},
                        {"text": "D", "correct": True}, {"text": "E", "correct": False}]}
NUMERIC = {"answer": 2.5, "tolerance": 0.1}
SHORT = {"answers": ["reverse auction", "least-cost subsidy auction"]}

GARBAGE = [None, "", "   ", "nonsense", -1, 99, 1.5, True, [], [None], {"a": 1}, ["x", {}], float("nan"), "1e999",
           "<script>alert(1)</script>", "9" * 5000]


def test_every_question_type_has_a_grader():
    assert set(GRADERS) == set(QuestionType)


@pytest.mark.parametrize("question_type,spec", [
    (QuestionType.SINGLE, SINGLE), (QuestionType.MULTIPLE, MULTIPLE), (QuestionType.TRUE_FALSE, {"answer": False}),
    (QuestionType.NUMERIC, NUMERIC), (QuestionType.SHORT, SHORT),
])
@pytest.mark.parametrize("answer", GARBAGE)
def test_garbage_and_missing_answers_score_zero_without_raising(question_type, spec, answer):
    fraction, feedback = grade(question_type, spec, answer)
    assert fraction == 0.0
    assert isinstance(feedback, str) and feedback


def test_single_choice_scores_the_correct_option_only():
    assert grade(QuestionType.SINGLE, SINGLE, 1) == (1.0, "Correct.")
    assert grade(QuestionType.SINGLE, SINGLE, 0)[0] == 0.0
    assert grade(QuestionType.SINGLE, SINGLE, 2)[0] == 0.0


ONE_THIRD, TWO_THIRDS = Decimal(1) / 3, Decimal(2) / 3


@pytest.mark.parametrize("chosen,fraction", [
    ([0, 1, 3], 1.0),  # every correct option
    ([0, 1], TWO_THIRDS),  # two of three correct
    ([0], ONE_THIRD),
    ([0, 1, 3, 2], TWO_THIRDS),  # all correct, one wrong
    ([0, 2], 0.0),  # one right, one wrong
    ([0, 2, 4], 0.0),  # floored at 0, never negative
    ([2, 4], 0.0),
    ([0, 1, 3, 2, 4], ONE_THIRD),  # everything ticked
    ([0, 0, 0], ONE_THIRD),  # repeats count once
    ([0, 1, 99, -1, "3"], TWO_THIRDS),  # unknown positions are ignored
])
def test_multiple_choice_gives_partial_credit(chosen, fraction):
    # Exact decimals: a third is the same third however the score is later added up.
    assert grade(QuestionType.MULTIPLE, MULTIPLE, chosen)[0] == fraction


def test_multiple_choice_feedback_counts_right_and_wrong_choices():
    assert grade(QuestionType.MULTIPLE, MULTIPLE, [0, 2])[1] == \
        "You chose 1 of 3 correct options and 1 wrong one(s)."


def test_true_false_needs_the_boolean_that_matches():
    assert grade(QuestionType.TRUE_FALSE, {"answer": False}, False)[0] == 1.0
    assert grade(QuestionType.TRUE_FALSE, {"answer": False}, True)[0] == 0.0
    assert grade(QuestionType.TRUE_FALSE, {"answer": True}, True)[0] == 1.0
    assert grade(QuestionType.TRUE_FALSE, {"answer": False}, 0)[0] == 0.0  # not a boolean
    assert grade(QuestionType.TRUE_FALSE, {"answer": True}, "true")[0] == 0.0


@pytest.mark.parametrize("answer,fraction", [
    ("2.5", 1.0), ("2.6", 1.0), ("2.4", 1.0),  # the boundary is inside, despite binary rounding
    ("2.60001", 0.0), ("2.39999", 0.0), (" 2.55 ", 1.0), ("2,5", 1.0), (2.5, 1.0), ("+2.5", 1.0), ("2.5e0", 1.0),
    ("２.５", 1.0),  # full-width digits, as an East Asian keyboard may type them
])
def test_numeric_answers_are_right_within_the_absolute_tolerance(answer, fraction):
    assert grade(QuestionType.NUMERIC, NUMERIC, answer)[0] == fraction


def test_numeric_without_tolerance_needs_the_exact_value_and_reads_thousands():
    spec = {"answer": 9000.0, "tolerance": 0}
    assert grade(QuestionType.NUMERIC, spec, "9000")[0] == 1.0
    assert grade(QuestionType.NUMERIC, spec, "9,000")[0] == 1.0
    assert grade(QuestionType.NUMERIC, spec, "9 000")[0] == 1.0
    assert grade(QuestionType.NUMERIC, spec, "9000.01")[0] == 0.0
    assert grade(QuestionType.NUMERIC, {"answer": 0.1 + 0.2}, "0.3")[0] == 1.0


def test_numeric_text_that_is_not_a_number_says_so():
    fraction, feedback = grade(QuestionType.NUMERIC, NUMERIC, "about two and a half")
    assert fraction == 0.0
    assert "not a number" in feedback


@pytest.mark.parametrize("text,number", [
    ("12", 12.0), ("-3.5", -3.5), ("1,234,567.5", 1234567.5), ("0,75", 0.75), ("inf", None), ("nan", None),
    ("1/2", None), ("", None), (True, None), (None, None), ("1,2,3", None),
])
def test_numbers_are_read_as_people_type_them(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text,mark,number", [
    ("9.000", ",", 9000.0), ("9.000", ".", 9.0),  # a thousand in Viet Nam and Indonesia, nine in English
    ("9,000", ",", 9.0), ("9,000", ".", 9000.0), ("1.234.567,5", ",", 1234567.5), ("3,4", ",", 3.4),
    ("3.4", ",", 3.4), ("2,5", ".", 2.5),  # the other convention's decimal mark, where it cannot mean thousands
])
def test_numbers_are_read_by_the_trainees_own_decimal_mark(text, mark, number):
    assert parse_number(text, decimal_mark=mark) == number


@pytest.mark.parametrize("text", ["USD 9,000", "9,000 USD", "usd9000", "9000usd"])
def test_the_questions_unit_may_come_before_or_after_the_number(text):
    assert parse_number(text, unit="USD") == 9000.0
    assert parse_number(text) is None  # a question without that unit does not take it
    assert parse_number("2.5%", unit="%") == 2.5 and parse_number("2.5 %", unit="%") == 2.5


@pytest.mark.parametrize("answer", [
    "reverse auction", "Reverse Auction", "  reverse   auction ", "reverse auction.", "REVERSE-AUCTION",
    "ｒｅｖｅｒｓｅ ａｕｃｔｉｏｎ",  # NFKC folds full-width letters
    "least cost subsidy auction", "Least-cost subsidy auction!", "least‐cost, subsidy auction",
])
def test_short_answers_match_after_normalising(answer):
    assert grade(QuestionType.SHORT, SHORT, answer) == (1.0, "Correct.")


@pytest.mark.parametrize("answer", ["auction", "reverse auctions", "a reverse auction", "beauty contest"])
def test_short_answers_otherwise_do_not_match(answer):
    assert grade(QuestionType.SHORT, SHORT, answer)[0] == 0.0


def test_short_answers_keep_other_scripts_and_their_marks():
    spec = {"answers": ["Tiếng Việt", "บริการ"]}
    assert grade(QuestionType.SHORT, spec, "tiếng việt")[0] == 1.0
    assert grade(QuestionType.SHORT, spec, "tieng viet")[0] == 0.0  # diacritics carry meaning
    assert grade(QuestionType.SHORT, spec, " บริการ ")[0] == 1.0
    assert normalise_text("Don’t  STOP.") == normalise_text("dont stop")


def test_a_short_answer_a_translation_accepts_is_right_in_any_language():
    spec = {"answers": ["reverse auction"],
            "translated_answers": {"th": ["การประมูลแบบย้อนกลับ"], "vi": ["đấu giá ngược"]}}
    assert grade(QuestionType.SHORT, spec, " การประมูลแบบย้อนกลับ ")[0] == 1.0
    assert grade(QuestionType.SHORT, spec, "Đấu giá ngược")[0] == 1.0
    assert grade(QuestionType.SHORT, spec, "Reverse auction")[0] == 1.0
    assert grade(QuestionType.SHORT, spec, "การประมูล")[0] == 0.0
    # The result page lists the reader's language first, then the file's own answers.
    assert accepted_answers(spec, "th") == ["การประมูลแบบย้อนกลับ", "reverse auction"]
    assert accepted_answers(spec, "en") == ["reverse auction"]
    assert accepted_answers({"answers": ["x"], "translated_answers": "not a mapping"}) == ["x"]
