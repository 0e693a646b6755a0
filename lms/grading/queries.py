"""Reads for the instructor's pages: who may see an intake, the queue, the gradebook, attempts and sessions."""
from dataclasses import dataclass
from typing import Any, Callable

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from lms.accounts.models import Role, User
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.audit.models import AuditEntry
from lms.catalogue.models import Assessment, AssessmentKind, Module
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.grading.completion import Standing, standings
from lms.grading.models import IntakeSession, RubricScore

# The enrolments an instructor teaches and grades: everyone who holds or held a place.
ROSTER_STATES = (EnrolmentState.APPROVED, EnrolmentState.ACTIVE, EnrolmentState.COMPLETED, EnrolmentState.FAILED)


def may_view(intake: Intake, user: User) -> bool:
    """The intake's instructors, and programme staff who oversee every intake."""
    return user.teaches(intake) or user.sees_whole_programme


def may_grade(intake: Intake, user: User) -> bool:
    return user.teaches(intake)


def may_run(intake: Intake, user: User) -> bool:
    """Who gives this intake's trainees extensions and writes to them: its instructors and programme coordinators."""
    return user.teaches(intake) or user.role is Role.PROGRAMME_COORDINATOR


def get_intake_to_run_or_403(intake_id: int, user: User) -> Intake:
    intake = db.session.get(Intake, intake_id)
    if intake is None:
        abort(404)
    if not may_run(intake, user):
        abort(403)
    return intake


def get_intake_or_404(intake_id: int, user: User) -> Intake:
    # With what every intake page shows and asks (its course, its version, who teaches it) in the same query.
    intake = db.session.get(Intake, intake_id, options=[
        joinedload(Intake.course), joinedload(Intake.version), selectinload(Intake.instructors)])
    if intake is None or not may_view(intake, user):
        abort(404)
    return intake


def _on_visible_roster(enrolment: Enrolment, user: User) -> bool:
    """Work is graded only for people on the intake's roster (never a withdrawn or rejected request)."""
    return enrolment.state in ROSTER_STATES and may_view(enrolment.intake, user)


def get_submission_or_404(submission_id: int, user: User) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None or not _on_visible_roster(submission.enrolment, user):
        abort(404)
    return submission


def get_attempt_or_404(attempt_id: int, user: User) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not _on_visible_roster(attempt.enrolment, user):
        abort(404)
    return attempt


def get_roster_enrolment_or_404(intake: Intake, enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.intake_id != intake.id or enrolment.state not in ROSTER_STATES:
        abort(404)
    return enrolment


def roster(intake: Intake, *, with_profiles: bool = True) -> list[Enrolment]:
    """The intake's trainees with their country (and profile, which the roster page shows), by name."""
    loads = [joinedload(Enrolment.user).joinedload(User.country)]
    if with_profiles:
        loads.append(joinedload(Enrolment.user).joinedload(User.profile))
    return list(db.session.scalars(
        select(Enrolment).join(Enrolment.user)
        .where(Enrolment.intake_id == intake.id, Enrolment.state.in_(ROSTER_STATES))
        .options(*loads).order_by(User.full_name, Enrolment.id)
    ))


def _waiting_for_grade(*intake_ids: int) -> tuple:
    return (Enrolment.intake_id.in_(intake_ids), Enrolment.state.in_(ROSTER_STATES),
            Submission.state == SubmissionState.SUBMITTED)


def grading_queue(intake: Intake) -> list[Submission]:
    """Submitted work waiting for a grade, the longest-waiting first."""
    return list(db.session.scalars(
        select(Submission).join(Submission.enrolment).where(*_waiting_for_grade(intake.id))
        .options(joinedload(Submission.enrolment).joinedload(Enrolment.user), joinedload(Submission.assessment))
        .order_by(Submission.submitted_at, Submission.id)
    ))


def queue_sizes(intake_ids: list[int]) -> dict[int, int]:
    """How many submissions wait for a grade in each intake, counted without loading them."""
    if not intake_ids:
        return {}
    return dict(db.session.execute(
        select(Enrolment.intake_id, func.count()).select_from(Submission).join(Submission.enrolment)
        .where(*_waiting_for_grade(*intake_ids)).group_by(Enrolment.intake_id)).all())


def queue_size(intake: Intake) -> int:
    return queue_sizes([intake.id]).get(intake.id, 0)


def course_assessments(intake: Intake) -> list[Assessment]:
    return list(db.session.scalars(
        select(Assessment).join(Assessment.module).where(Assessment.version_id == intake.course_version_id)
        .order_by(Module.position, Assessment.position)
    ))


def chosen_levels(submission: Submission) -> dict[int, int]:
    """The level chosen for each criterion: {criterion id: level id}."""
    return dict(db.session.execute(
        select(RubricScore.criterion_id, RubricScore.level_id).where(RubricScore.submission_id == submission.id)
    ).all())


def grade_stamp(submission: Submission) -> str:
    """Which grade the work has now, as a grading page carries it: when it was given, or "ungraded"."""
    return submission.graded_at.isoformat() if submission.graded_at else "ungraded"


def grade_history(submission: Submission) -> list[AuditEntry]:
    """Every grade given to the work, newest first."""
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "submission", AuditEntry.object_id == submission.id,
                                 AuditEntry.action == "grade.changed")
        .options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    ))


def quiz_attempts(enrolment: Enrolment) -> list[Attempt]:
    return list(db.session.scalars(
        select(Attempt).join(Attempt.assessment)
        .where(Attempt.enrolment_id == enrolment.id, Assessment.kind == AssessmentKind.QUIZ)
        .options(joinedload(Attempt.assessment), joinedload(Attempt.override_by))
        .order_by(Assessment.module_id, Assessment.position, Attempt.number)
    ))


def sessions_of(intake: Intake) -> list[IntakeSession]:
    return list(db.session.scalars(
        select(IntakeSession).where(IntakeSession.intake_id == intake.id)
        .options(selectinload(IntakeSession.attendance)).order_by(IntakeSession.held_on, IntakeSession.id)
    ))


@dataclass
class GradebookRow:
    standing: Standing
    submissions: dict[int, Submission]  # by assessment id

    @property
    def enrolment(self) -> Enrolment:
        return self.standing.enrolment


# How each gradebook column sorts a row; "a<id>" columns sort by that assessment's score.
# Bandit B105 does not apply: "pass" is a result's name.
RESULT_ORDER = {"fail": 0, "so_far": 1, "pass": 2}  # nosec B105
GRADEBOOK_SORTS: dict[str, Callable[[GradebookRow], Any]] = {
    "name": lambda row: row.enrolment.user.full_name.casefold(),
    "state": lambda row: row.enrolment.state.label.casefold(),
    "grade": lambda row: row.standing.weighted_grade,
    "result": lambda row: RESULT_ORDER[row.standing.result],
    "lessons": lambda row: row.standing.lessons_done,
    "attendance": lambda row: row.standing.attendance_rate,
}


@dataclass
class Gradebook:
    intake: Intake
    assessments: list[Assessment]
    rows: list[GradebookRow]
    sort_key: str = "name"
    descending: bool = False

    @property
    def takes_attendance(self) -> bool:
        return self.intake.takes_attendance

    def _sort_value(self, key: str) -> Callable[[GradebookRow], Any] | None:
        if key in GRADEBOOK_SORTS:
            return GRADEBOOK_SORTS[key]
        if key.startswith("a") and key[1:].isdigit() and int(key[1:]) in {item.id for item in self.assessments}:
            return lambda row: row.standing.scores.get(int(key[1:]))
        return None

    def sort(self, requested: str | None) -> None:
        """Orders the rows by `requested` ("grade", "-grade", "a12"...; by name when unknown). Rows without a
        value come last either way; equal values keep the order by name."""
        requested = requested or "name"
        key, descending = requested.lstrip("-"), requested.startswith("-")
        value = self._sort_value(key)
        if value is None:
            key, descending, value = "name", False, GRADEBOOK_SORTS["name"]
        self.sort_key, self.descending = key, descending
        by_name = sorted(self.rows, key=lambda row: (GRADEBOOK_SORTS["name"](row), row.enrolment.id))
        known = [row for row in by_name if value(row) is not None]
        self.rows = sorted(known, key=value, reverse=descending) + [row for row in by_name if value(row) is None]

    @property
    def sort_param(self) -> str:
        return ("-" if self.descending else "") + self.sort_key

    def sort_param_for(self, key: str) -> str:
        """A column heading's ?sort=: ascending first, descending when already sorted ascending by it."""
        return "-" + key if key == self.sort_key and not self.descending else key

    def sort_direction(self, key: str) -> str | None:
        """aria-sort for the column heading."""
        if key != self.sort_key:
            return None
        return "descending" if self.descending else "ascending"


def gradebook(intake: Intake, sort: str | None = None) -> Gradebook:
    """Every trainee of the intake against every assessment, in a fixed number of queries, sorted by `sort`."""
    enrolments = roster(intake, with_profiles=False)
    by_enrolment: dict[int, dict[int, Submission]] = {enrolment.id: {} for enrolment in enrolments}
    if enrolments:
        # Only what the gradebook links need: not the submitted text.
        for submission in db.session.scalars(
                select(Submission).where(Submission.enrolment_id.in_(by_enrolment))
                .options(load_only(Submission.id, Submission.enrolment_id, Submission.assessment_id, Submission.state))):
            by_enrolment[submission.enrolment_id][submission.assessment_id] = submission
    assessments = course_assessments(intake)
    rows = [GradebookRow(standing=item, submissions=by_enrolment[item.enrolment.id])
            for item in standings(intake, enrolments, assessments)]
    book = Gradebook(intake=intake, assessments=assessments, rows=rows)
    book.sort(sort)
    return book
