"""Demo trainees' work: quiz attempts answered question by question and assignments at every stage."""
import random
from datetime import datetime, time, timedelta

from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.assessments.quizzes import grade_attempt
from lms.assessments.question_types import kind_of
from lms.catalogue.models import Assessment, AssessmentKind
from lms.core import clock
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment
from lms.extensions import db
from lms.grading.completion import weighted_grade
from lms.grading.models import RubricScore
from lms.grading.operations import rubric_score

SAMPLE_TEXT = (
    "Our province has 212 villages, of which 41 have no mobile broadband signal. The plan below groups them "
    "into three clusters by distance to the nearest fibre node, estimates the subsidy each cluster needs "
    "with a least-cost reverse auction, and sets quarterly indicators for coverage, take-up and price."
)


def _attempt(enrolment: Enrolment, quiz: Assessment, at: datetime, skill: float, rng: random.Random) -> Attempt:
    attempt = Attempt(enrolment=enrolment, assessment=quiz, number=1, started_at=at - timedelta(minutes=14),
                      submitted_at=at, option_order={}, answers={
                          str(q.id): kind_of(q).sample_answer(q.spec, rng.random() < skill, rng) for q in quiz.questions})
    grade_attempt(attempt)
    db.session.add(attempt)
    return attempt


def _graded_submission(enrolment: Enrolment, assignment: Assessment, at: datetime, skill: float,
                       rng: random.Random) -> Submission:
    submission = Submission(enrolment=enrolment, assessment=assignment, text=SAMPLE_TEXT, state=SubmissionState.RETURNED,
                            created_at=at - timedelta(days=3), updated_at=at - timedelta(days=2),
                            submitted_at=at - timedelta(days=2), times_submitted=1, graded_at=at,
                            feedback="A clear plan with realistic numbers; say more about how take-up is measured.")
    chosen = []
    for criterion in assignment.rubric:
        levels = sorted(criterion.levels, key=lambda level: -level.points)
        level = levels[0] if rng.random() < skill else levels[min(1, len(levels) - 1)]
        chosen.append(level)
        db.session.add(RubricScore(submission=submission, criterion=criterion, level=level))
    submission.score = rubric_score(assignment, chosen)
    db.session.add(submission)
    return submission


def add_finished_work(enrolment: Enrolment, passed: bool, rng: random.Random) -> float:
    """Every assessment of a finished course, graded; returns the weighted grade."""
    skill = 0.95 if passed else 0.3
    end = datetime.combine(enrolment.intake.ends_on, datetime.min.time(), tzinfo=utcnow().tzinfo)
    assessments = enrolment.intake.version.assessments
    scores = {}
    for number, assessment in enumerate(assessments):
        at = end - timedelta(days=3 * (len(assessments) - number), hours=rng.randint(1, 9))
        if assessment.kind is AssessmentKind.QUIZ:
            scores[assessment.id] = _attempt(enrolment, assessment, at, skill, rng).score
        else:
            submission = _graded_submission(enrolment, assessment, at, skill, rng)
            submission.graded_by = enrolment.intake.instructors[0]
            scores[assessment.id] = submission.score
    return weighted_grade(assessments, scores)


def add_work_in_progress(enrolment: Enrolment, fraction: float, rng: random.Random) -> None:
    """Quizzes of the modules studied so far; the assignment drafted or waiting for grading."""
    modules = enrolment.intake.version.modules
    studied = modules[: round(len(modules) * fraction)]
    now = utcnow()
    for number, module in enumerate(studied):
        for quiz in (a for a in module.assessments if a.kind is AssessmentKind.QUIZ):
            at = min(datetime.combine(enrolment.intake.starts_on, datetime.min.time(), tzinfo=now.tzinfo)
                     + timedelta(days=6 + 7 * number, hours=rng.randint(8, 20)), now - timedelta(hours=2))
            _attempt(enrolment, quiz, at, 0.75, rng)
    assignment = next((a for a in enrolment.intake.version.assessments if a.kind is AssessmentKind.ASSIGNMENT), None)
    if assignment is None or fraction < 0.5:
        return
    submitted = fraction >= 0.8 or rng.random() < 0.5
    sent_at = now - timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 9))
    db.session.add(Submission(
        enrolment=enrolment, assessment=assignment, text=SAMPLE_TEXT,
        state=SubmissionState.SUBMITTED if submitted else SubmissionState.DRAFT,
        created_at=sent_at - timedelta(days=2), updated_at=sent_at,
        submitted_at=sent_at if submitted else None, times_submitted=1 if submitted else 0,
    ))


def add_attendance(intake, enrolments: list[Enrolment], rng: random.Random) -> None:
    """Weekly sessions held so far in a classroom intake, with who was there."""
    from lms.enrolment.models import EnrolmentState
    from lms.grading.models import Attendance, IntakeSession

    today = clock.today()
    held = [intake.starts_on + timedelta(weeks=week) for week in range(8)]
    held = [day for day in held if day <= min(today, intake.ends_on)]
    present_share = {EnrolmentState.COMPLETED: 1.0, EnrolmentState.ACTIVE: 0.95, EnrolmentState.FAILED: 0.5,
                     EnrolmentState.WITHDRAWN: 0.3}
    for number, day in enumerate(held, start=1):
        session = IntakeSession(intake=intake, held_on=day, starts_at=time(9, 0), title=f"Session {number}")
        db.session.add(session)
        for enrolment in enrolments:
            share = present_share.get(enrolment.state)
            if share is not None:
                present = rng.random() < share  # those who completed were always there
                db.session.add(Attendance(session=session, enrolment=enrolment, is_present=present))
