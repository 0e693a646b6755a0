"""The score that counts for each (enrolment, assessment): quizzes by their grading method,
assignments by their returned grade. Computed for many enrolments at once (the gradebook)."""
from collections import defaultdict
from decimal import Decimal
from statistics import mean

from sqlalchemy import select

from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.models import Assessment, GradingMethod
from lms.extensions import db


def combine_attempts(method: GradingMethod, scores: list[Decimal]) -> Decimal | None:
    """Scores in attempt order; None when no attempt has been submitted."""
    if not scores:
        return None
    if method is GradingMethod.HIGHEST:
        return max(scores)
    if method is GradingMethod.LAST:
        return scores[-1]
    return mean(scores)  # exact: Decimals in, a Decimal out, rounded only for display


def quiz_scores(enrolment_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    rows = db.session.execute(
        select(Attempt.enrolment_id, Attempt.assessment_id, Attempt.score, Attempt.override_score,
               Assessment.grading_method)
        .join(Assessment, Attempt.assessment_id == Assessment.id)
        .where(Attempt.enrolment_id.in_(enrolment_ids), Attempt.submitted_at.is_not(None))
        .order_by(Attempt.number)
    )
    by_key: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    methods: dict[tuple[int, int], GradingMethod] = {}
    for enrolment_id, assessment_id, score, override, method in rows:
        final = override if override is not None else score
        if final is not None:
            by_key[(enrolment_id, assessment_id)].append(final)
            methods[(enrolment_id, assessment_id)] = method
    return {key: combine_attempts(methods[key], scores) for key, scores in by_key.items()}


def assignment_scores(enrolment_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    rows = db.session.execute(
        select(Submission.enrolment_id, Submission.assessment_id, Submission.score)
        .where(Submission.enrolment_id.in_(enrolment_ids), Submission.state == SubmissionState.RETURNED)
    )
    return {(enrolment_id, assessment_id): score for enrolment_id, assessment_id, score in rows if score is not None}


def assessment_scores(enrolment_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    if not enrolment_ids:
        return {}
    return {**quiz_scores(enrolment_ids), **assignment_scores(enrolment_ids)}


def handed_in(enrolment_ids: list[int]) -> set[tuple[int, int]]:
    """(enrolment, assessment) pairs with a submitted quiz attempt or a submitted assignment (not a draft)."""
    if not enrolment_ids:
        return set()
    done = set(db.session.execute(select(Attempt.enrolment_id, Attempt.assessment_id).where(
        Attempt.enrolment_id.in_(enrolment_ids), Attempt.submitted_at.is_not(None))).tuples())
    return done | set(db.session.execute(select(Submission.enrolment_id, Submission.assessment_id).where(
        Submission.enrolment_id.in_(enrolment_ids), Submission.state != SubmissionState.DRAFT)).tuples())
