"""Auto-grading of quiz questions, looked up by type: each kind in question_types grades its own answers.

A grader takes the question's spec (its answer key) and the trainee's answer as saved, and returns
(fraction 0..1, feedback). Choice answers are original option indices; a missing or malformed
answer scores 0 and never raises.
"""
from decimal import Decimal
from typing import Any

from lms.assessments.question_types import (  # noqa: F401 - the helpers graders have always offered
    KINDS, accepted_answers, correct_indices, normalise_text, parse_number,
)

GRADERS = KINDS  # by question type: each registered kind grades


def grade(question_type, spec: dict[str, Any], answer: Any) -> tuple[Decimal, str]:
    """The fraction earned, as an exact Decimal between 0 and 1, and the feedback."""
    return KINDS[question_type].score(spec, answer)
