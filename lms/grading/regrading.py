"""Moving a running intake to a newer version of its course, which a programme coordinator chooses.

First a preview: what changes between the two versions, and which submitted attempts and graded
submissions would get another score. Then the move: every trainee's work is carried over to the rows
of the new version by slug and question id (progress, attempts, submissions, rubric choices),
exactly the affected work is regraded with an audit row each (before and after), each trainee whose
score changed is told, and completion is evaluated again. A certificate is never revoked here: a
certified trainee whose grade falls below the pass mark is listed for a programme coordinator.
"""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import User
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.assessments.question_types import kind_of
from lms.assessments.quizzes import grade_attempt, score_answers
from lms.audit.models import AuditEntry
from lms.audit.operations import record
from lms.catalogue.models import Assessment, CourseVersion, Question
from lms.catalogue.plans import PlannedChange, compare_versions, quiz_grading_facts, rubric_facts
from lms.core import clock
from lms.core.grades import shown
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.grading.completion import evaluate_completion, standings
from lms.grading.models import RubricScore
from lms.grading.operations import rubric_score
from lms.learning.models import LessonProgress
from lms.notifications.operations import notify
from lms.core.transactions import Refused

BELOW_PASS_MARK = "certificate.below_pass_mark"  # nosec B105 - an audit action's name, not a password


class MoveRefused(Refused):
    """The intake cannot move to that version; the message says why."""


@dataclass
class Regrade:
    enrolment: Enrolment
    title: str  # the assessment's title in the new version
    what: str  # "attempt 2" or "assignment"
    before: Decimal | None
    after: Decimal | None
    needs_instructor: bool = False  # a rubric choice has no counterpart: the grade stands until regraded

    @property
    def changes_score(self) -> bool:
        return self.before != self.after


@dataclass
class MovePreview:
    intake: Intake
    source: CourseVersion
    target: CourseVersion
    changes: list[PlannedChange]
    regrades: list[Regrade]


@dataclass
class MoveResult:
    regrades: list[Regrade] = field(default_factory=list)
    completed: list[Enrolment] = field(default_factory=list)
    below_pass_mark: list[Enrolment] = field(default_factory=list)


def newer_versions(intake: Intake) -> list[CourseVersion]:
    return list(db.session.scalars(select(CourseVersion).where(
        CourseVersion.course_id == intake.course_id, CourseVersion.number > intake.version.number)
        .order_by(CourseVersion.number)))


def check_move(intake: Intake, target: CourseVersion) -> None:
    if target.course_id != intake.course_id or target.number <= intake.version.number:
        raise MoveRefused(_("An intake moves only to a newer version of its own course."))
    if clock.today() > intake.ends_on:
        raise MoveRefused(_("This intake has ended; its trainees' results stay on the version they studied."))


def _enrolments(intake: Intake) -> list[Enrolment]:
    return list(db.session.scalars(select(Enrolment).where(Enrolment.intake_id == intake.id)))


def _counterparts(source: CourseVersion, target: CourseVersion) -> dict[int, Assessment]:
    """Each assessment of the source version whose slug and kind the target version still has."""
    by_slug = {assessment.slug: assessment for assessment in target.assessments}
    return {assessment.id: by_slug[assessment.slug] for assessment in source.assessments
            if assessment.slug in by_slug and by_slug[assessment.slug].kind is assessment.kind}


def _carried_answer(old: Question, new: Question, answer: Any) -> Any:
    """An answer to `old` as an answer to `new`, as the question's kind carries it; none to another type."""
    return kind_of(new).carried(old, new, answer) if new.type is old.type else None


def carried_answers(attempt: Attempt, target: Assessment) -> dict[str, Any]:
    """The attempt's saved answers keyed by the target's question ids, matched by question id in the file."""
    old_by_id = {str(question.id): question for question in attempt.assessment.questions}
    new_by_key = {question.key: question for question in target.questions}
    answers = {}
    for old_id, answer in (attempt.answers or {}).items():
        old = old_by_id.get(old_id)
        new = new_by_key.get(old.key) if old else None
        if new is not None:
            carried = _carried_answer(old, new, answer)
            if carried is not None:
                answers[str(new.id)] = carried
    return answers


def _rubric_counterparts(submission: Submission, target: Assessment) -> tuple[dict[int, Any], bool]:
    """{rubric score row id: (criterion, level) in the target}, and whether every choice found one.
    Criteria are matched by title and levels by label, never by position."""
    criteria = {criterion.title: criterion for criterion in target.rubric}
    mapped, complete = {}, True
    rows = list(db.session.scalars(select(RubricScore).where(RubricScore.submission_id == submission.id)))
    for row in rows:
        criterion = criteria.get(row.criterion.title)
        level = next((lv for lv in criterion.levels if lv.label == row.level.label), None) if criterion else None
        if level is None:
            complete = False
        else:
            mapped[row.id] = (criterion, level)
    if {criterion for criterion, _level in mapped.values()} != set(target.rubric):
        complete = False
    return mapped, complete


def _work(intake: Intake, source: CourseVersion):
    ids = [enrolment.id for enrolment in _enrolments(intake)]
    source_ids = [assessment.id for assessment in source.assessments]
    if not ids or not source_ids:
        return [], []
    attempts = list(db.session.scalars(select(Attempt).where(
        Attempt.enrolment_id.in_(ids), Attempt.assessment_id.in_(source_ids)).order_by(Attempt.id)))
    submissions = list(db.session.scalars(select(Submission).where(
        Submission.enrolment_id.in_(ids), Submission.assessment_id.in_(source_ids)).order_by(Submission.id)))
    return attempts, submissions


def _attempt_regrade(attempt: Attempt, target: Assessment) -> Regrade | None:
    """What the attempt would score on the target, if its grading facts differ; None if unaffected."""
    if not attempt.is_submitted or quiz_grading_facts(attempt.assessment) == quiz_grading_facts(target):
        return None
    scored = score_answers(target, carried_answers(attempt, target), attempt.is_late)
    return Regrade(attempt.enrolment, target.title, _("attempt %(number)d", number=attempt.number),
                   attempt.score, scored.score)


def _submission_regrade(submission: Submission, target: Assessment) -> Regrade | None:
    if submission.state is not SubmissionState.RETURNED or rubric_facts(submission.assessment) == rubric_facts(target):
        return None
    mapped, complete = _rubric_counterparts(submission, target)
    after = rubric_score(target, [level for _criterion, level in mapped.values()]) if complete else submission.score
    return Regrade(submission.enrolment, target.title, _("assignment"), submission.score, after,
                   needs_instructor=not complete)


def preview_move(intake: Intake, target: CourseVersion) -> MovePreview:
    check_move(intake, target)
    source = intake.version
    counterparts = _counterparts(source, target)
    attempts, submissions = _work(intake, source)
    regrades = [item for item in (
        *(_attempt_regrade(a, counterparts[a.assessment_id]) for a in attempts if a.assessment_id in counterparts),
        *(_submission_regrade(s, counterparts[s.assessment_id]) for s in submissions
          if s.assessment_id in counterparts)) if item is not None]
    enrolment_ids = [enrolment.id for enrolment in _enrolments(intake)]
    return MovePreview(intake, source, target, compare_versions(source, target.modules, enrolment_ids), regrades)


def _attempt_snapshot(attempt: Attempt) -> dict:
    return {"assessment_id": attempt.assessment_id, "version": attempt.assessment.version.number,
            "raw_score": _number(attempt.raw_score), "score": _number(attempt.score)}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _move_lessons(enrolment_ids: list[int], source: CourseVersion, target: CourseVersion) -> None:
    by_slug = {lesson.slug: lesson for lesson in target.lessons}
    source_ids = [lesson.id for lesson in source.lessons]
    if not enrolment_ids or not source_ids:
        return
    for progress in db.session.scalars(select(LessonProgress).where(
            LessonProgress.enrolment_id.in_(enrolment_ids), LessonProgress.lesson_id.in_(source_ids))):
        lesson = by_slug.get(progress.lesson.slug)
        if lesson is not None:  # progress on a retired lesson stays on it, kept
            progress.lesson = lesson


def _move_attempt(attempt: Attempt, target: Assessment, by: User, reason: str) -> Regrade | None:
    regrade = _attempt_regrade(attempt, target)
    before = _attempt_snapshot(attempt)
    answers = carried_answers(attempt, target)
    old_by_id = {str(question.id): question for question in attempt.assessment.questions}
    new_by_key = {question.key: question for question in target.questions}
    order = {}
    for old_id, positions in (attempt.option_order or {}).items():
        old = old_by_id.get(old_id)
        if old is not None and old.key in new_by_key:
            order[str(new_by_key[old.key].id)] = positions  # quizzes.option_order falls back if it no longer fits
    attempt.assessment, attempt.answers, attempt.option_order = target, answers, order
    if regrade is not None:
        grade_attempt(attempt)
        record(by, "grade.regraded", attempt, before=before, after=_attempt_snapshot(attempt), reason=reason)
    return regrade


def _move_submission(submission: Submission, target: Assessment, by: User, reason: str) -> Regrade | None:
    regrade = _submission_regrade(submission, target)
    mapped, _complete = _rubric_counterparts(submission, target)
    before = {"assessment_id": submission.assessment_id, "version": submission.assessment.version.number,
              "score": _number(submission.score)}
    for row in db.session.scalars(select(RubricScore).where(RubricScore.submission_id == submission.id)):
        if row.id in mapped:
            row.criterion, row.level = mapped[row.id]
    submission.assessment = target
    if regrade is not None:
        submission.score = regrade.after
        record(by, "grade.regraded", submission, reason=reason, before=before,
               after={"assessment_id": target.id, "version": target.version.number,
                      "score": _number(submission.score), "needs_instructor": regrade.needs_instructor})
    return regrade


def move_intake(intake: Intake, target: CourseVersion, by: User) -> MoveResult:
    """Moves the intake and its trainees' work to `target`, regrading exactly what its changes affect."""
    check_move(intake, target)
    source = intake.version
    reason = f"Intake moved from version {source.number} to version {target.number} of the course"
    enrolments = _enrolments(intake)
    counterparts = _counterparts(source, target)
    attempts, submissions = _work(intake, source)
    result = MoveResult()
    _move_lessons([enrolment.id for enrolment in enrolments], source, target)
    for attempt in attempts:
        if attempt.assessment_id in counterparts:
            regrade = _move_attempt(attempt, counterparts[attempt.assessment_id], by, reason)
            result.regrades += [regrade] if regrade else []
    for submission in submissions:
        if submission.assessment_id in counterparts:
            regrade = _move_submission(submission, counterparts[submission.assessment_id], by, reason)
            result.regrades += [regrade] if regrade else []
    intake.version = target
    record(by, "intake.version_moved", intake, before={"version": source.number},
           after={"version": target.number, "regraded": len(result.regrades)}, reason=reason)
    db.session.flush()

    _tell_trainees(intake, result.regrades)
    _evaluate_again(intake, enrolments, by, result)
    db.session.flush()
    return result


def _tell_trainees(intake: Intake, regrades: list[Regrade]) -> None:
    by_enrolment: dict[int, list[Regrade]] = {}
    for regrade in regrades:
        if regrade.changes_score:
            by_enrolment.setdefault(regrade.enrolment.id, []).append(regrade)
    for items in by_enrolment.values():
        lines = "; ".join(_("%(title)s (%(what)s): %(before)s%% → %(after)s%%", title=item.title, what=item.what,
                            before=shown(item.before), after=shown(item.after)) for item in items)
        notify(items[0].enrolment.user,
               _("The course “%(course)s” was corrected, and your work was graded again: %(changes)s",
                 course=intake.course.title, changes=lines),
               mail_subject=_("Your work was graded again"))


def _evaluate_again(intake: Intake, enrolments: list[Enrolment], by: User, result: MoveResult) -> None:
    on_roster = [e for e in enrolments if e.state in (EnrolmentState.ACTIVE, EnrolmentState.COMPLETED)]
    for current in standings(intake, on_roster):
        enrolment = current.enrolment
        if enrolment.state is EnrolmentState.ACTIVE and evaluate_completion(enrolment, by=by, current=current):
            result.completed.append(enrolment)
        elif enrolment.state is EnrolmentState.COMPLETED and not current.grade_passes:
            # Never revoked by a regrade: a programme coordinator decides.
            record(by, BELOW_PASS_MARK, enrolment, after={
                "intake_id": intake.id, "version": intake.version.number,
                "weighted_grade": _number(current.weighted_grade), "pass_mark": current.pass_mark})
            result.below_pass_mark.append(enrolment)


def below_pass_mark_entries(intake: Intake) -> list[AuditEntry]:
    """Certified trainees of the intake whom a regrade put below the pass mark, newest first."""
    ids = [enrolment.id for enrolment in _enrolments(intake)]
    if not ids:
        return []
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == BELOW_PASS_MARK, AuditEntry.object_type == "enrolment", AuditEntry.object_id.in_(ids))
        .order_by(AuditEntry.id.desc())))


def retired_work_count(intake: Intake) -> int:
    """Attempts and submissions of the intake kept on assessments its version no longer has."""
    ids = [enrolment.id for enrolment in _enrolments(intake)]
    if not ids:
        return 0
    current = {a.id for a in intake.version.assessments}
    rows = db.session.execute(select(Attempt.assessment_id).where(Attempt.enrolment_id.in_(ids))).all() + \
        db.session.execute(select(Submission.assessment_id).where(Submission.enrolment_id.in_(ids))).all()
    return sum(1 for (assessment_id,) in rows if assessment_id not in current)

