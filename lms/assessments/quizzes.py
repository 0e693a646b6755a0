"""Quiz attempts: starting, saving, submitting, grading and closing at the time limit.

Writes flush and never commit; the request commits. Choice answers are saved as original option
indices, so grading, results and reports need not know the order a trainee was shown.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from lms.accounts.models import User
from lms.assessments.deadlines import Terms, extensions_by_work, terms_for
from lms.assessments.models import Attempt
from lms.assessments.question_types import (  # noqa: F401 - format_number: pages and tests read numbers by it
    MAX_ANSWER_LENGTH, QuestionKind, Refusal, ShownOption, format_number, indices, kind_of,
)
from lms.assessments.scoring import combine_attempts
from lms.catalogue.models import AnswerDisplay, Assessment, Question
from lms.core.db import utcnow
from lms.core.grades import exact, kept
from lms.core.templating import format_moment
from lms.enrolment.models import Enrolment
from lms.extensions import db
from lms.grading.completion import evaluate_completion
from lms.core.transactions import Refused

# A submission sent just before the deadline may arrive a little after it on a slow link.
GRACE = timedelta(seconds=30)


class AttemptRefused(Refused):
    """An attempt action the rules do not allow; the message is meant for the trainee."""


# Reads

def attempts_of(enrolment: Enrolment, quiz: Assessment) -> list[Attempt]:
    return list(db.session.scalars(
        select(Attempt).where(Attempt.enrolment_id == enrolment.id, Attempt.assessment_id == quiz.id)
        .order_by(Attempt.number)
    ))


def open_attempt(attempts: list[Attempt]) -> Attempt | None:
    return next((attempt for attempt in attempts if not attempt.is_submitted), None)


def attempt_in_progress(attempts: list[Attempt], now: datetime) -> Attempt | None:
    """The open attempt that may still be worked on: one whose time is up counts as closed, even before
    the server has closed it in the database (a page shows it closed; the job or the next post closes it)."""
    current = open_attempt(attempts)
    return None if current is None or is_expired(current, now) else current


def counting_score(quiz: Assessment, attempts: list[Attempt]) -> Decimal | None:
    """The score that counts toward the course grade, by the quiz's grading method."""
    scores = [attempt.final_score for attempt in attempts if attempt.is_submitted and attempt.final_score is not None]
    return combine_attempts(quiz.grading_method, scores)


def closing_at(attempt: Attempt, terms: Terms | None = None) -> datetime | None:
    """When the server closes a timed attempt: at its time limit, or at her deadline for the quiz
    (extension included) when that comes first. None for an untimed attempt, which stays open.
    Pass her `terms` for the quiz when they are known already."""
    if attempt.deadline_at is None:
        return None
    return min(attempt.deadline_at, (terms or terms_for(attempt.enrolment, attempt.assessment)).due_at)


def is_expired(attempt: Attempt, now: datetime, terms: Terms | None = None) -> bool:
    closing = closing_at(attempt, terms)
    return closing is not None and now > closing


def inactive_message(enrolment: Enrolment) -> str:
    return _("Quizzes can be taken only while your enrolment is active; it is now %(state)s.",
             state=enrolment.state.label)


def already_submitted_message() -> str:
    return _("This attempt has already been submitted; its answers can no longer change.")


def start_refusal(enrolment: Enrolment, quiz: Assessment, attempts: list[Attempt],
                  now: datetime | None = None, terms: Terms | None = None) -> str | None:
    """Why a new attempt may not be started or resumed now, or None. One in progress may always be
    finished (late, past the deadline); a new one needs the deadline not passed and an attempt left."""
    if not enrolment.can_work:
        return inactive_message(enrolment)
    now = now or utcnow()
    if attempt_in_progress(attempts, now) is not None:
        return None
    terms = terms or terms_for(enrolment, quiz)
    if terms.is_past_due(now):
        return _("The deadline (%(deadline)s) has passed, so no new attempt can be started.",
                 deadline=format_moment(terms.due_at))
    if not terms.has_attempts_left(len(attempts)):
        return _("You have used all %(count)d attempt(s) allowed at this quiz.", count=terms.attempts_allowed)
    return None


def late_penalty(policy: str) -> Decimal:
    """The percentage taken off the score of a late submission."""
    if policy == "accept":
        return Decimal(0)
    if policy.startswith("penalty-"):
        suffix = policy.removeprefix("penalty-")
        if suffix.isdigit():
            return min(Decimal(suffix), Decimal(100))
    return Decimal(100)  # "zero", and the strictest reading of anything the importer should have refused


def option_order(attempt: Attempt, question: Question) -> list[int]:
    """Original option indices in the order this attempt shows them."""
    count = len(question.spec.get("options", []))
    order = (attempt.option_order or {}).get(str(question.id))
    # A re-imported question may have a different number of options than when the attempt began.
    if not isinstance(order, list) or len(order) != count or sorted(indices(order)) != list(range(count)):
        return list(range(count))
    return order


@dataclass
class ShownQuestion:
    number: int
    question: Question
    options: list[ShownOption]
    text: str  # the saved answer of a numeric or short question
    order: list[int]  # the original option indices in the order shown

    @property
    def kind(self) -> QuestionKind:
        return kind_of(self.question)


def shown_questions(attempt: Attempt) -> list[ShownQuestion]:
    """The questions as the trainee sees them, in this attempt's order, pre-filled with saved answers."""
    shown = []
    for number, question in enumerate(attempt.assessment.questions, start=1):
        saved, kind = (attempt.answers or {}).get(str(question.id)), kind_of(question)
        order = option_order(attempt, question) if kind.is_choice else []
        shown.append(ShownQuestion(number, question, kind.shown_options(question, saved, order),
                                   kind.shown_text(saved), order))
    return shown


@dataclass
class ReviewedQuestion:
    number: int
    question: Question
    given: list[str]  # the trainee's answer; empty when none was given
    expected: list[str]  # the correct answer, or every accepted one; empty while the quiz hides them
    fraction: Decimal
    feedback: str

    @property
    def kind(self) -> QuestionKind:
        return kind_of(self.question)

    @property
    def earned(self) -> Decimal:
        return self.fraction * self.question.points

    @property
    def outcome(self) -> str:
        if self.fraction >= 1:
            return "right"
        return "partial" if self.fraction > 0 else "wrong"


def attempt_left(enrolment: Enrolment, quiz: Assessment, attempts: list[Attempt], now: datetime) -> bool:
    """Whether the trainee may still start or finish an attempt at this quiz."""
    terms = terms_for(enrolment, quiz)
    if not enrolment.can_work or terms.is_past_due(now):
        return False
    if attempt_in_progress(attempts, now) is not None:
        return True
    return terms.has_attempts_left(len(attempts))


def answers_shown(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the result page may show the correct answers, by the quiz's setting in its file.

    Right or wrong per question is always shown; the answer key only when this says so, so a blank
    first attempt never reveals what to answer in the next one.
    """
    quiz, now = attempt.assessment, now or utcnow()
    setting = quiz.answers_shown or AnswerDisplay.AFTER_LAST_ATTEMPT
    if setting is AnswerDisplay.AFTER_EACH_ATTEMPT:
        return True
    if setting is AnswerDisplay.NEVER:
        return False
    if setting is AnswerDisplay.AFTER_INTAKE_CLOSES:
        return terms_for(attempt.enrolment, quiz).is_past_due(now)  # her own deadline, extension included
    return not attempt_left(attempt.enrolment, quiz, attempts_of(attempt.enrolment, quiz), now)


def reviewed_questions(attempt: Attempt, *, with_answers: bool = True) -> list[ReviewedQuestion]:
    """Each question with the trainee's answer and, when with_answers, the correct one: for submitted
    attempts only."""
    if not attempt.is_submitted:
        raise AttemptRefused(_("The answers are shown once the attempt is submitted."))
    results = attempt.results or {}
    reviewed = []
    for number, question in enumerate(attempt.assessment.questions, start=1):
        result = results.get(str(question.id)) or {}
        reviewed.append(ReviewedQuestion(
            number, question, kind_of(question).given(question, (attempt.answers or {}).get(str(question.id))),
            kind_of(question).expected(question) if with_answers else [],
            Decimal(str(result.get("fraction", 0))), str(result.get("feedback", "")),
        ))
    return reviewed


# Reading answers from the form

@dataclass
class PostedAnswers:
    answers: dict[str, Any]
    refused: list[Refusal]  # answers that cannot be taken as posted, in the order of the questions


def answers_from_form(attempt: Attempt, form: MultiDict) -> PostedAnswers:
    """The answers a posted attempt page holds, each read by its question's kind; a refused one keeps
    what its kind says (the answer saved before, or the text as typed)."""
    saved = attempt.answers or {}
    answers: dict[str, Any] = {}
    refused: list[Refusal] = []
    for shown in shown_questions(attempt):
        key = str(shown.question.id)
        value = shown.kind.read_answer(shown, form.getlist(f"q{key}"), saved.get(key))
        if isinstance(value, Refusal):
            refused.append(value)
            value = value.kept
        if value is not None:
            answers[key] = value
    return PostedAnswers(answers, refused)


# Writes

def shuffled_order(quiz: Assessment) -> dict[str, list[int]]:
    return {
        # Bandit B311 does not apply: option order needs no secrecy.
        str(question.id): random.sample(range(len(question.spec["options"])), len(question.spec["options"]))  # nosec B311
        for question in quiz.questions if kind_of(question).is_choice
    }


def start_attempt(enrolment: Enrolment, quiz: Assessment, now: datetime | None = None) -> Attempt:
    """The attempt in progress if its time is not up, else a new one; AttemptRefused if none may start.

    An expired attempt is closed before anything is refused, and nothing else is written before a
    refusal: the request may keep the closing even when it starts nothing."""
    now = now or utcnow()
    attempts = attempts_of(enrolment, quiz)
    current = open_attempt(attempts)
    if current is not None and close_if_expired(current, now):
        current = None
    refusal = start_refusal(enrolment, quiz, attempts, now)
    if refusal:
        raise AttemptRefused(refusal)
    if current is not None:
        return current
    attempt = Attempt(
        enrolment=enrolment, assessment=quiz, number=max((a.number for a in attempts), default=0) + 1,
        started_at=now, answers={}, option_order=shuffled_order(quiz) if quiz.shuffle_options else {},
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


@dataclass
class Scored:
    results: dict[str, dict[str, Any]]  # per question id: fraction and feedback
    raw_score: Decimal
    score: Decimal


def score_answers(quiz: Assessment, answers: dict[str, Any], is_late: bool) -> Scored:
    """Percentages weighted by each question's points; the late policy applies to late work. Pure:
    grading an attempt and previewing a regrade against another version both use it."""
    results: dict[str, dict[str, Any]] = {}
    earned = total = Decimal(0)
    for question in quiz.questions:
        fraction, feedback = kind_of(question).score(question.spec, (answers or {}).get(str(question.id)))
        results[str(question.id)] = {"fraction": float(fraction), "feedback": feedback}
        earned += exact(question.points) * fraction
        total += exact(question.points)
    # Exact to the end: no step rounds to the displayed digits (lms/core/grades.py).
    raw = 100 * earned / total if total else Decimal(0)
    penalty = late_penalty(quiz.late_policy) if is_late else Decimal(0)
    return Scored(results, kept(raw), kept(raw * (100 - penalty) / 100))


def grade_attempt(attempt: Attempt) -> None:
    scored = score_answers(attempt.assessment, attempt.answers or {}, attempt.is_late)
    attempt.results, attempt.raw_score, attempt.score = scored.results, scored.raw_score, scored.score


def _finish(attempt: Attempt, submitted_at: datetime, by: User) -> None:
    attempt.submitted_at = submitted_at
    attempt.is_late = is_late(attempt, submitted_at)
    grade_attempt(attempt)
    db.session.flush()
    evaluate_completion(attempt.enrolment, by=by)


def is_late(attempt: Attempt, submitted_at: datetime) -> bool:
    """Sent beyond the grace after the attempt's time limit or her deadline for the quiz (extension included)."""
    due_at = terms_for(attempt.enrolment, attempt.assessment).due_at
    limit = min(attempt.deadline_at, due_at) if attempt.deadline_at is not None else due_at
    return submitted_at > limit + GRACE


def close_if_expired(attempt: Attempt, now: datetime | None = None) -> bool:
    """Close an open attempt whose time is up with the answers saved until then; True if it did."""
    if attempt.is_submitted or not is_expired(attempt, now or utcnow()):
        return False
    attempt.closed_by_server = True
    _finish(attempt, closing_at(attempt), by=attempt.enrolment.user)
    return True


def close_expired_attempts(now: datetime | None = None) -> list[Attempt]:
    """Close every timed attempt whose time is up and whose grace has passed too, so a submission still
    on its way is taken on time; each is locked and re-read first, so one closed by a post meanwhile, or
    by an earlier run, is left as it is. Returns the attempts closed."""
    now = now or utcnow()
    closed = []
    candidates = list(db.session.scalars(
        select(Attempt).where(Attempt.submitted_at.is_(None), Attempt.deadline_at.is_not(None)).order_by(Attempt.id)
        .options(joinedload(Attempt.enrolment).joinedload(Enrolment.intake), joinedload(Attempt.assessment))))
    extensions = extensions_by_work([attempt.enrolment_id for attempt in candidates])
    # Her deadline for the quiz (extension included) may come before the time limit: decided here, not in SQL.
    expired = [attempt for attempt in candidates if is_expired(attempt, now - GRACE, terms_for(
        attempt.enrolment, attempt.assessment, extensions.get((attempt.enrolment_id, attempt.assessment_id))))]
    for attempt in expired:
        db.session.refresh(attempt, with_for_update={"of": Attempt})  # its row alone, not the joined ones
        if is_expired(attempt, now - GRACE) and close_if_expired(attempt, now):
            closed.append(attempt)
    return closed


@dataclass
class Recorded:
    refused: list[Refusal]
    is_submitted: bool
    is_late: bool


def record_answers(attempt: Attempt, form: MultiDict, *, submit: bool, by: User,
                   now: datetime | None = None) -> Recorded:
    """Save the posted answers, and submit when asked to or when the time is up beyond the grace.

    Answers posted after the deadline and its grace are a late submission: kept and graded under
    the late policy, never dropped.
    """
    # Re-read under a row lock (PostgreSQL; SQLite's writers hold the database lock from BEGIN): of two
    # submits of one attempt at once, the second waits for the first and is then refused here.
    db.session.refresh(attempt, with_for_update=True)
    if attempt.is_submitted:
        raise AttemptRefused(already_submitted_message())
    if not attempt.enrolment.can_work:
        raise AttemptRefused(inactive_message(attempt.enrolment))
    now = now or utcnow()
    posted = answers_from_form(attempt, form)
    attempt.answers = posted.answers
    closing = closing_at(attempt)
    is_past_grace = closing is not None and now > closing + GRACE
    # An answer that cannot be kept or read is refused before submitting, never scored 0 after it.
    if is_past_grace or (submit and not posted.refused):
        _finish(attempt, now, by=by)
    db.session.flush()
    return Recorded(posted.refused, attempt.is_submitted, attempt.is_late)
