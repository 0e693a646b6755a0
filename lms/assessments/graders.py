"""Auto-grading of quiz questions: one pure function per question type, looked up by type.

A grader takes the question's spec (its answer key) and the trainee's answer as saved, and returns
(fraction 0..1, feedback). Choice answers are original option indices; a missing or malformed
answer scores 0 and never raises.
"""
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from lms.catalogue.models import QuestionType

Grade = tuple[float, str]
Grader = Callable[[dict[str, Any], Any], Grade]

GRADERS: dict[QuestionType, Grader] = {}

# Absorbs binary rounding, so that 2.6 is within 0.1 of 2.5.
FLOAT_SLACK = 1e-9


def grader(question_type: QuestionType) -> Callable[[Grader], Grader]:
    def register(function: Grader) -> Grader:
        GRADERS[question_type] = function
        return function

    return register


def grade(question_type: QuestionType, spec: dict[str, Any], answer: Any) -> tuple[Decimal, str]:
    """The fraction earned, as an exact Decimal between 0 and 1, and the feedback."""
    fraction, feedback = GRADERS[question_type](spec or {}, answer)
    fraction = fraction if isinstance(fraction, Decimal) else Decimal(str(fraction))
    return min(max(fraction, Decimal(0)), Decimal(1)), feedback


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def correct_indices(spec: dict[str, Any]) -> set[int]:
    return {index for index, option in enumerate(spec.get("options", [])) if option.get("correct")}


@grader(QuestionType.SINGLE)
def grade_single(spec: dict[str, Any], answer: Any) -> Grade:
    if not _is_index(answer):
        return 0.0, _("No answer was given.")
    if answer in correct_indices(spec):
        return 1.0, _("Correct.")
    return 0.0, _("Not correct.")


@grader(QuestionType.MULTIPLE)
def grade_multiple(spec: dict[str, Any], answer: Any) -> Grade:
    """Partial credit: (correct chosen - wrong chosen) / correct options, never below 0."""
    correct = correct_indices(spec)
    option_count = len(spec.get("options", []))
    chosen = {value for value in answer if _is_index(value) and 0 <= value < option_count} \
        if isinstance(answer, list) else set()
    if not chosen:
        return 0.0, _("No answer was given.")
    if not correct:
        return 0.0, _("Not correct.")
    right, wrong = len(chosen & correct), len(chosen - correct)
    fraction = max(Decimal(0), Decimal(right - wrong) / len(correct))
    return fraction, _("You chose %(right)d of %(total)d correct options and %(wrong)d wrong one(s).",
                       right=right, total=len(correct), wrong=wrong)


@grader(QuestionType.TRUE_FALSE)
def grade_true_false(spec: dict[str, Any], answer: Any) -> Grade:
    if not isinstance(answer, bool):
        return 0.0, _("No answer was given.")
    if answer == spec.get("answer"):
        return 1.0, _("Correct.")
    return 0.0, _("Not correct.")


def _grouped(group: str, decimal: str) -> re.Pattern:
    return re.compile(rf"[+-]?\d{{1,3}}({re.escape(group)}\d{{3}})+({re.escape(decimal)}\d+)?")


_POINT_GROUPED, _COMMA_GROUPED = _grouped(",", "."), _grouped(".", ",")  # 9,000.5 and 9.000,5
_DECIMAL_POINT, _DECIMAL_COMMA = re.compile(r"[+-]?\d*\.\d+"), re.compile(r"[+-]?\d*,\d+")
_THREE_DECIMALS = re.compile(r"[+-]?\d+[.,]\d{3}")  # 9.000 or 9,000: a thousand or nine, by convention


def _without_unit(text: str, unit: str | None) -> str:
    if unit:
        folded, unit = text.casefold(), unit.casefold()
        if folded.startswith(unit):
            return text[len(unit):]
        if folded.endswith(unit):
            return text[:-len(unit)]
    return text


def parse_number(text: Any, *, unit: str | None = None, decimal_mark: str = ".") -> float | None:
    """A finite number from what a trainee typed, read by her own convention (`decimal_mark` "." or ","):
    "9,000", "9 000", "2.5" and "2,5" are understood; "9.000" is 9000 where the comma marks decimals
    (Viet Nam, Indonesia) and 9 where the point does. The question's unit may come before or after it."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        return None
    if isinstance(text, str):
        text = unicodedata.normalize("NFKC", text).strip()
        text = _without_unit(text, unit).replace(" ", "").replace("_", "")
        own_grouped, own_decimal, other_decimal = ((_COMMA_GROUPED, _DECIMAL_COMMA, _DECIMAL_POINT)
                                                   if decimal_mark == "," else
                                                   (_POINT_GROUPED, _DECIMAL_POINT, _DECIMAL_COMMA))
        group = "." if decimal_mark == "," else ","
        if own_grouped.fullmatch(text):
            text = text.replace(group, "").replace(",", ".")
        elif own_decimal.fullmatch(text):
            text = text.replace(",", ".")
        elif other_decimal.fullmatch(text) and not _THREE_DECIMALS.fullmatch(text):
            text = text.replace(",", ".")  # the other convention's decimal mark, where it cannot mean thousands
        elif not re.fullmatch(r"[+-]?(\d+|\d*\.\d+)([eE][+-]?\d+)?", text):
            return None
    try:
        number = float(text)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


@grader(QuestionType.NUMERIC)
def grade_numeric(spec: dict[str, Any], answer: Any) -> Grade:
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return 0.0, _("No answer was given.")
    number = parse_number(answer, unit=spec.get("unit"))
    if number is None:
        return 0.0, _("Your answer is not a number, so it scores 0.")
    expected = parse_number(spec.get("answer"))
    tolerance = abs(parse_number(spec.get("tolerance", 0)) or 0.0)
    if expected is None:
        return 0.0, _("Not correct.")
    if abs(number - expected) <= tolerance + FLOAT_SLACK * max(1.0, abs(expected)):
        return 1.0, _("Correct.")
    return 0.0, _("Not correct.")


_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")


def normalise_text(text: str) -> str:
    """Case, width, punctuation and spacing left out of the comparison."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    text = "".join(" " if unicodedata.category(char).startswith("P") else char for char in text)
    return " ".join(text.split())


def accepted_answers(spec: dict[str, Any], language: str | None = None) -> list[str]:
    """The answers a short-answer question accepts: the file's, and those its translations list (in one
    language, or in all of them when language is None). Any of them is right, whoever types it."""
    translated = spec.get("translated_answers")
    translated = translated if isinstance(translated, dict) else {}
    languages = [language] if language is not None else sorted(translated)
    answers = [str(answer) for code in languages for answer in translated.get(code, ())]
    return answers + [str(answer) for answer in spec.get("answers", []) if str(answer) not in answers]


@grader(QuestionType.SHORT)
def grade_short(spec: dict[str, Any], answer: Any) -> Grade:
    if not isinstance(answer, str) or not normalise_text(answer):
        return 0.0, _("No answer was given.")
    accepted = {normalise_text(text) for text in accepted_answers(spec)}
    if normalise_text(answer) in accepted:
        return 1.0, _("Correct.")
    return 0.0, _("Not one of the accepted answers.")
