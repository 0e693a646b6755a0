"""Grading writes: rubric grades, quiz score overrides, sessions and attendance; audited, then completion."""
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import User
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.audit.operations import record
from lms.catalogue.models import Assessment, RubricLevel
from lms.catalogue.translations import shown_assessment
from lms.core.db import utcnow
from lms.core.grades import kept, shown
from lms.core.i18n import speaking_to
from lms.enrolment.models import Enrolment, Intake
from lms.extensions import db
from lms.core.templating import format_moment
from lms.grading.completion import evaluate_completion, standings
from lms.grading.models import Attendance, IntakeSession, RubricScore
from lms.grading.queries import grade_stamp
from lms.notifications.operations import notify


class NotGradable(Exception):
    """The work or attempt is not in a state that can be graded; the message says why."""


class GradedMeanwhile(NotGradable):
    """Someone graded the work after the grader opened it: saving would replace a grade they never saw."""

    def __init__(self, submission: Submission):
        grader = submission.graded_by.full_name if submission.graded_by else _("a former instructor")
        super().__init__(_(
            "%(name)s graded this work on %(when)s (%(score)s%%) after you opened it. Your grade was not saved "
            "and the trainee was not told. Your choices are kept below: read the grade now given, then save "
            "again if yours should replace it.",
            name=grader, when=format_moment(submission.graded_at), score=shown(submission.score)))


def rubric_score(assessment: Assessment, levels: list[RubricLevel]) -> Decimal:
    """The chosen levels' points over the best possible points, as a percentage."""
    maximum = assessment.max_rubric_points
    if not maximum:
        return Decimal(0)
    return kept(100 * sum((level.points for level in levels), Decimal(0)) / maximum)


def _rubric_rows(submission: Submission) -> dict[int, RubricScore]:
    return {row.criterion_id: row for row in db.session.scalars(
        select(RubricScore).where(RubricScore.submission_id == submission.id))}


def _grade_snapshot(submission: Submission, rows: dict[int, RubricScore]) -> dict:
    levels = [{"criterion": row.criterion.title, "level": row.level.label, "points": _number(row.level.points)}
              for row in sorted(rows.values(), key=lambda row: row.criterion.position)]
    return {"score": _number(submission.score), "feedback": submission.feedback, "levels": levels}


def _chosen_levels(assessment: Assessment, level_ids: dict[int, int]) -> dict[int, RubricLevel]:
    """The level for each criterion of the rubric; ValueError if one is missing or foreign."""
    chosen = {}
    for criterion in assessment.rubric:
        level = next((level for level in criterion.levels if level.id == level_ids.get(criterion.id)), None)
        if level is None:
            raise ValueError(f"no valid level chosen for criterion {criterion.id}")
        chosen[criterion.id] = level
    return chosen


def grade_submission(submission: Submission, grader: User, level_ids: dict[int, int], feedback: str,
                     seen_version: int | None = None, seen_grade: str | None = None, link: str | None = None,
                     now: datetime | None = None) -> Submission:
    """Grades (or regrades) submitted work against its rubric and returns it to the trainee.

    seen_version is how many times the work had been submitted when the grader read it: a grade
    given to an older version than the one now submitted is refused. seen_grade is the grade_stamp
    the grader's page showed: if someone graded since (another tab, a colleague), it is refused too,
    before anything is written or mailed.
    """
    if submission.state is SubmissionState.DRAFT:
        raise NotGradable(_("This work is not submitted: the trainee is still working on it."))
    if seen_version is not None and seen_version != submission.times_submitted:
        raise NotGradable(_("The trainee submitted a new version while you were grading. Please read it, then "
                            "save the grade again; your choices are kept below."))
    if seen_grade is not None and seen_grade != grade_stamp(submission):
        raise GradedMeanwhile(submission)
    levels = _chosen_levels(submission.assessment, level_ids)
    rows = _rubric_rows(submission)
    before = _grade_snapshot(submission, rows)
    for criterion_id, level in levels.items():
        row = rows.get(criterion_id)
        if row is None:
            row = rows[criterion_id] = RubricScore(submission=submission, criterion_id=criterion_id)
            db.session.add(row)
        row.level = level
    submission.score = rubric_score(submission.assessment, list(levels.values()))
    submission.feedback = feedback
    submission.state = SubmissionState.RETURNED
    submission.graded_by, submission.graded_at = grader, now or utcnow()
    db.session.flush()
    record(grader, "grade.changed", submission, before=before, after=_grade_snapshot(submission, rows))
    with speaking_to(submission.enrolment.user):
        notify(submission.enrolment.user,
               _("Your assignment “%(title)s” has been graded: %(score)s%%.",
                 title=shown_assessment(submission.assessment).title, score=shown(submission.score)),
               link=link, mail_subject=_("Your assignment has been graded"))
    evaluate_completion(submission.enrolment, by=grader)
    db.session.flush()
    return submission


def _number(value: Decimal | None) -> float | None:
    """A score as the audit log keeps it: a JSON number, which holds the six kept places exactly."""
    return None if value is None else float(value)


def _override_snapshot(attempt: Attempt) -> dict:
    return {"score": _number(attempt.score), "override_score": _number(attempt.override_score),
            "override_reason": attempt.override_reason}


def override_attempt(attempt: Attempt, by: User, score: Decimal, reason: str, link: str | None = None) -> Attempt:
    """Sets the score that counts for a submitted quiz attempt, with the reason kept."""
    if not attempt.is_submitted:
        raise NotGradable(_("This attempt has not been submitted yet."))
    before = _override_snapshot(attempt)
    attempt.override_score, attempt.override_reason, attempt.override_by = kept(score), reason, by
    record(by, "grade.quiz_override", attempt, before=before, after=_override_snapshot(attempt), reason=reason)
    with speaking_to(attempt.enrolment.user):
        notify(attempt.enrolment.user,
               _("Your score for “%(title)s” (attempt %(number)d) was changed to %(score)s%%. Reason: %(reason)s",
                 title=shown_assessment(attempt.assessment).title, number=attempt.number, score=shown(score),
                 reason=reason),
               link=link, mail_subject=_("Your quiz score was changed"))
    evaluate_completion(attempt.enrolment, by=by)
    db.session.flush()
    return attempt


def add_session(intake: Intake, held_on: date, title: str, starts_at: time | None = None,
                place: str | None = None) -> IntakeSession:
    session = IntakeSession(intake=intake, held_on=held_on, title=title, starts_at=starts_at, place=place or None)
    db.session.add(session)
    db.session.flush()
    return session


def record_attendance(marks: dict[IntakeSession, set[int]], enrolments: list[Enrolment],
                      by: User) -> list[Enrolment]:
    """Marks each enrolment present or absent at each session given, all at once; returns those this completed.

    `marks` holds, for each session on the sheet, the ids of the enrolments present; everyone else on the
    roster is absent there. Sessions left out are not touched.
    """
    for session, present_ids in marks.items():
        rows = {row.enrolment_id: row for row in session.attendance}
        for enrolment in enrolments:
            row = rows.get(enrolment.id)
            if row is None:
                row = Attendance(enrolment=enrolment)
                session.attendance.append(row)
            row.is_present = enrolment.id in present_ids
    db.session.flush()
    if not marks or not enrolments:
        return []
    # One batched standing for the whole class, not one per trainee.
    intake = next(iter(marks)).intake
    current = {item.enrolment.id: item for item in standings(intake, enrolments)}
    completed = [enrolment for enrolment in enrolments
                 if evaluate_completion(enrolment, by=by, current=current[enrolment.id])]
    db.session.flush()
    return completed
