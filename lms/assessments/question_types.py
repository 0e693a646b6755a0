"""Question types: each kind of quiz question is one class here, owning all that differs by type.

A kind checks its answer key in a course file, reads the answer a trainee posts, says how its question
is shown, what its correct answer looks like on the result page, and grades a saved answer. The rest of
the app asks `kind_of(question)` and never branches on the type. Adding a type: its `QuestionType`
value, a class here with `@registered`, its input under templates/assessments/questions/, and tests.

Choice answers are saved as original option indices, so no kind needs the order a trainee was shown
except when reading her form. A grader returns (fraction 0..1, feedback); a missing or malformed answer
scores 0 and never raises.
"""
import math
import random
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from babel.numbers import format_decimal, get_decimal_symbol
from flask_babel import get_locale, gettext as _

from lms.catalogue.models import Question, QuestionType
from lms.core.forms import parse_id
from lms.core.i18n import current_language

Grade = tuple[float | Decimal, str]

MAX_ANSWER_LENGTH = 2000
# Absorbs binary rounding, so that 2.6 is within 0.1 of 2.5.
FLOAT_SLACK = 1e-9


@dataclass
class ShownOption:
    value: str  # the position in the shown order (or "true"/"false"); never the option's correctness
    label: str
    is_chosen: bool


@dataclass
class Refusal:
    """A posted answer that cannot be taken as it is: what the trainee reads, and what stays saved meanwhile."""
    message: str
    kept: Any


class QuestionKind:
    """What one question type knows. Subclasses set `type` and override what differs."""
    type: ClassVar[QuestionType]
    spec_keys: ClassVar[frozenset[str]] = frozenset()  # the keys a course file may give beside the common ones
    is_choice: ClassVar[bool] = False  # options from the course file, shown in an order of their own

    @property
    def input_template(self) -> str:
        """The part of the attempt page where the trainee answers."""
        return f"assessments/questions/{self.type.value}.html"

    # The course file
    def read_spec(self, reader) -> dict[str, Any]:
        """The answer key from a question's mapping in a course file; `reader` is course_files' reader,
        whose `error` makes the file error to raise."""
        raise NotImplementedError

    def with_translations(self, spec: dict[str, Any], translated: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The answer key to store, given the keys of the file's translations by language (which the import
        checked keep all that grading depends on)."""
        return spec

    # The attempt page
    def shown_options(self, question: Question, saved: Any, order: list[int]) -> list[ShownOption]:
        return []

    def shown_text(self, saved: Any) -> str:
        """The saved answer as the trainee typed it, to fill in her text box again."""
        return typed_number(saved) if _is_number(saved) else saved if isinstance(saved, str) else ""

    def read_answer(self, shown, values: list[str], before: Any) -> Any:
        """What is saved from the posted values of this question (None: no answer), or a Refusal.
        `shown` is the question as its page showed it (number, option order); `before`, the answer saved before."""
        raise NotImplementedError

    # The result page
    def given(self, question: Question, saved: Any) -> list[str]:
        """The trainee's answer in words; empty when none was given."""
        return []

    def expected(self, question: Question) -> list[str]:
        """The correct answer, or every accepted one."""
        raise NotImplementedError

    def expected_label(self, count: int) -> str:
        return _("Correct answer")

    def carried(self, old: Question, new: Question, answer: Any) -> Any:
        """An answer to `old` as an answer to `new`, the same question of a newer version of the course."""
        return answer

    def sample_answer(self, spec: dict[str, Any], right: bool, rng: random.Random) -> Any:
        """A demo trainee's answer as saved, right or wrong."""
        raise NotImplementedError

    # Grading
    def grade(self, spec: dict[str, Any], answer: Any) -> Grade:
        raise NotImplementedError

    def score(self, spec: dict[str, Any], answer: Any) -> tuple[Decimal, str]:
        """The fraction earned, as an exact Decimal between 0 and 1, and the feedback."""
        fraction, feedback = self.grade(spec or {}, answer)
        fraction = fraction if isinstance(fraction, Decimal) else Decimal(str(fraction))
        return min(max(fraction, Decimal(0)), Decimal(1)), feedback


KINDS: dict[Any, QuestionKind] = {}  # by QuestionType, in the order listed here (a course file's error names them so)


def registered(kind_class: type[QuestionKind]) -> type[QuestionKind]:
    KINDS[kind_class.type] = kind_class()
    return kind_class


def kind_of(question: Question) -> QuestionKind:
    return KINDS[question.type]


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def indices(saved: Any) -> set[int]:
    """The option indices in a saved choice answer, whatever shape it has."""
    values = saved if isinstance(saved, list) else [saved]
    return {value for value in values if _is_index(value)}


# --- Choices ---------------------------------------------------------------------------------

def correct_indices(spec: dict[str, Any]) -> set[int]:
    return {index for index, option in enumerate(spec.get("options", [])) if option.get("correct")}


def _option_texts(question: Question) -> list[str]:
    return [option["text"] for option in question.spec.get("options", [])]


def _position(value: str | None, order: list[int]) -> int | None:
    """The original index of the option shown at `value`; None for anything else."""
    position = parse_id(value)  # plain ASCII digits only: not " 1", "+1" or "١"
    return order[position] if position is not None and position < len(order) else None


class ChoiceKind(QuestionKind):
    spec_keys = frozenset({"options"})
    is_choice = True

    def read_spec(self, reader) -> dict[str, Any]:
        options = []
        for option_index, option_data in enumerate(reader.items("options"), start=1):
            option = reader.nested(option_data, f"option {option_index}")
            option.only({"text", "correct"})
            options.append({"text": option.text("text", 1000), "correct": option.get("correct", bool, False)})
        if len(options) < 2:
            raise reader.error("options", "a choice question needs at least two options")
        self.check_correct(reader, sum(option["correct"] for option in options))
        return {"options": options}

    def check_correct(self, reader, correct: int) -> None:
        raise NotImplementedError

    def shown_options(self, question: Question, saved: Any, order: list[int]) -> list[ShownOption]:
        chosen, texts = indices(saved), question.spec.get("options", [])
        return [ShownOption(str(position), texts[index]["text"], index in chosen)
                for position, index in enumerate(order)]

    def given(self, question: Question, saved: Any) -> list[str]:
        texts = _option_texts(question)
        return [texts[index] for index in sorted(indices(saved)) if 0 <= index < len(texts)]

    def expected(self, question: Question) -> list[str]:
        return [question.spec["options"][index]["text"] for index in sorted(correct_indices(question.spec))]

    def carried(self, old: Question, new: Question, answer: Any) -> Any:
        """Choices follow their option's text, not its position."""
        old_texts, new_texts = _option_texts(old), _option_texts(new)

        def carry(index):
            if _is_index(index) and 0 <= index < len(old_texts) and old_texts[index] in new_texts:
                return new_texts.index(old_texts[index])
            return None

        if isinstance(answer, list):
            return sorted(i for i in (carry(index) for index in answer) if i is not None) or None
        return carry(answer)

    def _sample_indices(self, spec: dict[str, Any]) -> tuple[list[int], list[int]]:
        correct = sorted(correct_indices(spec))
        return correct, [i for i in range(len(spec["options"])) if i not in correct] or correct


@registered
class SingleChoice(ChoiceKind):
    type = QuestionType.SINGLE

    def check_correct(self, reader, correct: int) -> None:
        if correct != 1:
            raise reader.error("options", f"a single-choice question needs exactly one correct option, found {correct}")

    def read_answer(self, shown, values: list[str], before: Any) -> Any:
        return _position(values[0] if values else None, shown.order)

    def sample_answer(self, spec: dict[str, Any], right: bool, rng: random.Random) -> Any:
        correct, wrong = self._sample_indices(spec)
        return correct[0] if right else rng.choice(wrong)

    def grade(self, spec: dict[str, Any], answer: Any) -> Grade:
        if not _is_index(answer):
            return 0.0, _("No answer was given.")
        if answer in correct_indices(spec):
            return 1.0, _("Correct.")
        return 0.0, _("Not correct.")


@registered
class MultipleChoice(ChoiceKind):
    type = QuestionType.MULTIPLE

    def check_correct(self, reader, correct: int) -> None:
        if correct < 1:
            raise reader.error("options", "a multiple-choice question needs at least one correct option")

    def read_answer(self, shown, values: list[str], before: Any) -> Any:
        positions = (_position(value, shown.order) for value in values)
        return sorted({index for index in positions if index is not None}) or None

    def sample_answer(self, spec: dict[str, Any], right: bool, rng: random.Random) -> Any:
        correct, wrong = self._sample_indices(spec)
        return correct if right else sorted({rng.choice(wrong), *correct[:-1]})

    def grade(self, spec: dict[str, Any], answer: Any) -> Grade:
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


@registered
class TrueFalse(QuestionKind):
    type = QuestionType.TRUE_FALSE
    spec_keys = frozenset({"answer"})

    def read_spec(self, reader) -> dict[str, Any]:
        return {"answer": reader.get("answer", bool)}

    def shown_options(self, question: Question, saved: Any, order: list[int]) -> list[ShownOption]:
        return [ShownOption("true", _("True"), saved is True), ShownOption("false", _("False"), saved is False)]

    def read_answer(self, shown, values: list[str], before: Any) -> Any:
        return {"true": True, "false": False}.get(values[0] if values else "")

    def sample_answer(self, spec: dict[str, Any], right: bool, rng: random.Random) -> Any:
        return spec["answer"] if right else not spec["answer"]

    def given(self, question: Question, saved: Any) -> list[str]:
        return [] if not isinstance(saved, bool) else [_("True") if saved else _("False")]

    def expected(self, question: Question) -> list[str]:
        return [_("True") if question.spec.get("answer") else _("False")]

    def grade(self, spec: dict[str, Any], answer: Any) -> Grade:
        if not isinstance(answer, bool):
            return 0.0, _("No answer was given.")
        if answer == spec.get("answer"):
            return 1.0, _("Correct.")
        return 0.0, _("Not correct.")


# --- Typed answers ----------------------------------------------------------------------------

class TypedKind(QuestionKind):
    """An answer typed in a text box: kept as typed up to MAX_ANSWER_LENGTH characters."""

    def read_answer(self, shown, values: list[str], before: Any) -> Any:
        value = values[0] if values else ""
        if len(value) > MAX_ANSWER_LENGTH:  # the answer saved before stays, so nothing already saved is lost
            return Refusal(_("Your answer to question %(number)d is longer than %(limit)d characters, so it was not "
                             "saved. Please shorten it; your other answers are saved.",
                             number=shown.number, limit=MAX_ANSWER_LENGTH), before)
        return self.read_text(shown, value) if value.strip() else None

    def read_text(self, shown, value: str) -> Any:
        return value

    def given(self, question: Question, saved: Any) -> list[str]:
        if _is_number(saved):
            return [typed_number(saved)]
        return [saved] if isinstance(saved, str) and saved.strip() else []


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


def format_number(value: float) -> str:
    return f"{value:.15g}"


def decimal_mark() -> str:
    """The reader's decimal mark: "," in Vietnamese and Indonesian, "." in English."""
    return get_decimal_symbol(get_locale() or "en")


def typed_number(value: float) -> str:
    """A saved number as the trainee would type it back: her decimal mark, no grouping (9000, 3,4)."""
    return format_decimal(value, format="0.###############", locale=get_locale() or "en", group_separator=False)


@registered
class NumericAnswer(TypedKind):
    type = QuestionType.NUMERIC
    spec_keys = frozenset({"answer", "tolerance", "unit"})

    def read_spec(self, reader) -> dict[str, Any]:
        spec = {"answer": float(reader.get("answer", (int, float))), "tolerance": reader.number("tolerance", 0, 0)}
        unit = reader.text("unit", 12, "")  # what the answer may carry: "USD", "%", "km"
        if unit:
            spec["unit"] = unit
        return spec

    @staticmethod
    def example(question: Question) -> str:
        example = typed_number(1234.5)
        unit = question.spec.get("unit")
        return f"{example} {unit}" if unit else example

    def read_text(self, shown, value: str) -> Any:
        """The number it was read as, by the trainee's own decimal mark, so grading later (by the sweeper,
        with no reader) reads it the same way; what is not a number is refused and kept as typed."""
        number = parse_number(value, unit=shown.question.spec.get("unit"), decimal_mark=decimal_mark())
        if number is None:
            return Refusal(_("Your answer to question %(number)d, “%(typed)s”, is not a number we can read. Enter a "
                             "number such as %(example)s.", number=shown.number, typed=value[:40],
                             example=self.example(shown.question)), value)
        return number

    def expected(self, question: Question) -> list[str]:
        spec = question.spec
        answer, tolerance = parse_number(spec.get("answer")) or 0.0, parse_number(spec.get("tolerance", 0)) or 0.0
        if tolerance:
            return [_("%(answer)s (give or take %(tolerance)s)", answer=format_number(answer),
                      tolerance=format_number(tolerance))]
        return [format_number(answer)]

    def sample_answer(self, spec: dict[str, Any], right: bool, rng: random.Random) -> Any:
        return f"{spec['answer']:g}" if right else f"{spec['answer'] * 1.5 + 1:g}"

    def grade(self, spec: dict[str, Any], answer: Any) -> Grade:
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


@registered
class ShortAnswer(TypedKind):
    type = QuestionType.SHORT
    spec_keys = frozenset({"answers"})

    def read_spec(self, reader) -> dict[str, Any]:
        answers = [str(answer).strip() for answer in reader.items("answers")]
        if not all(answers):
            raise reader.error("answers", "accepted answers must not be empty")
        return {"answers": answers}

    def with_translations(self, spec: dict[str, Any], translated: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Also the answers a translation lists in its language: any of them is right, whoever types it."""
        answers = {language: other["answers"] for language, other in translated.items()
                   if other["answers"] != spec["answers"]}
        return {**spec, "translated_answers": answers} if answers else spec

    def sample_answer(self, spec: dict[str, Any], right: bool, rng: random.Random) -> Any:
        return spec["answers"][0] if right else "not sure"

    def expected(self, question: Question) -> list[str]:
        return accepted_answers(question.spec, current_language().code)  # hers first, then the file's

    def expected_label(self, count: int) -> str:
        return _("Accepted answers") if count > 1 else _("Correct answer")

    def grade(self, spec: dict[str, Any], answer: Any) -> Grade:
        if not isinstance(answer, str) or not normalise_text(answer):
            return 0.0, _("No answer was given.")
        accepted = {normalise_text(text) for text in accepted_answers(spec)}
        if normalise_text(answer) in accepted:
            return 1.0, _("Correct.")
        return 0.0, _("Not one of the accepted answers.")
