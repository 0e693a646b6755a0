"""Fills an empty, migrated database with courses imported at a multiple of the programme's scale (10: 5,000 trainees).

    DATABASE_URL=postgresql://... python -m benchmarks.fill --scale 10

At scale 1 the programme has its real size: 500 trainees over the ten countries and 2,000
enrolments; scale 10 is ten times that. The programme is two years into its five, so intakes run
from its start until three months ahead: most enrolments are finished (completed, failed,
withdrawn or rejected), some are under way, and later intakes hold requests, approvals and a
waiting list. Enrolments come with their state history, lesson progress, graded quiz attempts,
assignment submissions with rubric scores, attendance for classroom intakes, certificates and
notifications, in the shapes the application itself writes.

Rows are built in Python with their ids and written with one bulk Core insert per table; every
account shares one password hash made with the configured (production) argon2 cost.
"""
import argparse
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import selectinload

from lms.accounts.models import Category, Gender, Role, TraineeProfile, User
from lms.accounts.passwords import hash_password
from lms.assessments.graders import grade
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.assessments.question_types import kind_of
from lms.assessments.scoring import combine_attempts
from lms.catalogue.models import Assessment, AssessmentKind, Course, CourseVersion, Module
from lms.certificates.models import Certificate
from lms.certificates.serials import new_serial
from lms.core.db import utcnow
from lms.demo.loader import ALLOCATIONS, CITIES
from lms.demo.people import GIVEN_AND_FAMILY, ORGANISATIONS, POSITIONS, WHOLE_NAMES
from lms.demo.work import SAMPLE_TEXT
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentEvent, EnrolmentState as S, Intake, intake_instructor
from lms.extensions import db
from lms.grading.completion import weighted_grade
from lms.grading.models import Attendance, IntakeSession, RubricScore
from lms.learning.models import LessonProgress
from lms.notifications.models import Notification
from lms.programme.operations import create_programme, ensure_countries

# Not a secret: the throwaway benchmark database is dropped at the end of the run.
BENCH_PASSWORD = "bench-password-not-secret"  # nosec B105
EMAIL_DOMAIN = "bench.test"
TRAINEES_PER_SCALE = 500
ENROLMENTS_PER_SCALE = 2000
INTAKE_WEEKS = 12
INTAKE_CAPACITY = 60

# What became of an enrolment, by the stage of its intake: (state path after "requested", share).
PATHS = {
    "past": [
        ((S.APPROVED, S.ACTIVE, S.COMPLETED), 0.74), ((S.APPROVED, S.ACTIVE, S.FAILED), 0.07),
        ((S.APPROVED, S.ACTIVE, S.WITHDRAWN), 0.07), ((S.REJECTED,), 0.07), ((S.WITHDRAWN,), 0.05),
    ],
    "current": [
        ((S.APPROVED, S.ACTIVE), 0.82), ((S.APPROVED,), 0.04), ((S.APPROVED, S.ACTIVE, S.WITHDRAWN), 0.05),
        ((S.REJECTED,), 0.06), ((S.WAITLISTED,), 0.03),
    ],
    "upcoming": [
        ((), 0.45), ((S.APPROVED,), 0.33), ((S.WAITLISTED,), 0.10), ((S.REJECTED,), 0.08), ((S.WITHDRAWN,), 0.04),
    ],
}
REASONS = {
    S.REJECTED: "The course does not match the nominee's current duties.",
    S.WAITLISTED: "The intake is nearly full; next in line if a place frees up.",
    S.WITHDRAWN: "Withdrew because of new operational duties.",
}
# How many courses (each in one intake) a trainee takes; the mean is close to four.
COURSES_TAKEN = ([1, 2, 3, 4, 5, 6], [4, 8, 14, 32, 26, 16])


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=hour)


class Rows:
    """Rows to insert, table by table, with ids handed out in Python so rows can refer to each other."""

    def __init__(self):
        self.by_table: dict[Table, list[dict]] = defaultdict(list)
        self.next_id: dict[Table, int] = {}

    def add(self, table: Table, **row) -> dict:
        """Queue a row (with its id, if the table has one); the row stays editable until insert_all()."""
        if "id" in table.c:
            if table not in self.next_id:
                self.next_id[table] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
            row["id"] = self.next_id[table]
            self.next_id[table] += 1
        self.by_table[table].append(row)
        return row

    def insert_all(self) -> dict[str, int]:
        """One bulk insert per table, parents first; then the id sequences catch up (PostgreSQL)."""
        connection = db.session.connection()
        counts = {}
        for table in db.metadata.sorted_tables:
            rows = self.by_table.get(table)
            if rows:
                connection.execute(table.insert(), rows)
                counts[table.name] = len(rows)
        if connection.dialect.name == "postgresql":
            for table in self.next_id:
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {connection.dialect.identifier_preparer.quote(table.name)}))"))
        return counts


@dataclass
class PlannedIntake:
    """An intake's row and what the generator needs to know about it."""

    row: dict
    course: Course
    instructors: list[int]
    stage: str  # past, current or upcoming

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def title(self) -> str:
        return self.row["title"]

    @property
    def mode(self) -> DeliveryMode:
        return self.row["mode"]

    @property
    def location(self) -> str | None:
        return self.row["location"]

    @property
    def starts_on(self) -> date:
        return self.row["starts_on"]

    @property
    def ends_on(self) -> date:
        return self.row["ends_on"]


class QuizKey:
    """A quiz's questions with a right and a wrong answer each, graded once, to build attempts quickly."""

    def __init__(self, quiz: Assessment, rng: random.Random):
        self.quiz = quiz
        self.questions = []
        for question in quiz.questions:
            right, wrong = (kind_of(question).sample_answer(question.spec, True, rng),
                            kind_of(question).sample_answer(question.spec, False, rng))
            self.questions.append((str(question.id), question.points, [
                (wrong, grade(question.type, question.spec, wrong)),
                (right, grade(question.type, question.spec, right)),
            ]))
        self.total_points = sum(points for _key, points, _choices in self.questions) or 1

    def answered(self, skill: float, rng: random.Random) -> tuple[dict, dict, float]:
        """(answers, results, score) of an attempt whose answers are right with probability `skill`."""
        answers, results, earned = {}, {}, Decimal(0)
        for key, points, choices in self.questions:
            answer, (fraction, feedback) = choices[rng.random() < skill]  # the graders' exact Decimal
            answers[key] = answer
            results[key] = {"fraction": float(fraction), "feedback": feedback}
            earned += Decimal(str(points)) * fraction
        return answers, results, round(float(100 * earned / Decimal(str(self.total_points))), 2)


class Filler:
    """Builds the programme's rows at a scale, then inserts them in one go (run())."""

    def __init__(self, scale: int, seed: int):
        # Bandit B311 does not apply: seeded so that every run builds the same programme.
        self.rng = random.Random(seed)  # nosec B311
        self.scale = scale
        self.rows = Rows()
        self.now = utcnow()
        self.today = self.now.date()

    # People

    def _name(self, code: str) -> tuple[str, str | None]:
        rng = self.rng
        if code in WHOLE_NAMES:
            return rng.choice(WHOLE_NAMES[code])
        given, family, order = GIVEN_AND_FAMILY[code]
        (g_latin, g_native), (f_latin, f_native) = rng.choice(given), rng.choice(family)
        if order == "burmese":
            return f"{g_latin} {f_latin}", g_native + f_native
        if order == "family-given":
            return f"{f_latin} {g_latin}", f"{f_native} {g_native}"
        return f"{g_latin} {f_latin}", f"{g_native} {f_native}"

    def _user(self, email: str, role: Role, full_name: str, native_name: str | None = None,
              country_id: int | None = None) -> int:
        created = self.now - timedelta(days=self.rng.randint(400, 720))
        return self.rows.add(
            User.__table__, email=email, password_hash=self.password_hash, role=role, full_name=full_name,
            native_name=native_name, country_id=country_id, is_active=True, created_at=created, email_confirmed_at=created,
            last_login_at=self.now - timedelta(days=self.rng.randint(0, 30)), session_version=1,
        )["id"]

    def people(self) -> None:
        scale = self.scale
        self._user(f"admin@{EMAIL_DOMAIN}", Role.ADMIN, "Aroon Admin")
        self.programme_coordinators = [
            self._user(f"coordinator{n}@{EMAIL_DOMAIN}", Role.PROGRAMME_COORDINATOR, f"Li Wen {n}", "李文")
            for n in range(1, max(1, scale // 2) + 1)]
        self.country_coordinators: dict[int, list[int]] = {}
        for code, country in self.countries.items():
            self.country_coordinators[country.id] = [
                self._user(f"{code.lower()}.coordinator{n}@{EMAIL_DOMAIN}", Role.COUNTRY_COORDINATOR,
                           *self._name(code), country_id=country.id)
                for n in range(1, max(1, scale // 5) + 1)]
        self.instructors = [self._user(f"instructor{n:02d}@{EMAIL_DOMAIN}", Role.INSTRUCTOR, f"Instructor {n}")
                            for n in range(1, 4 * scale + 1)]
        self.trainees: list[tuple[int, int]] = []  # (user id, country id)
        self.trainee_names: dict[int, tuple[str, str | None]] = {}
        for code, allocation in ALLOCATIONS.items():
            country = self.countries[code]
            for n in range(1, allocation * scale + 1):
                latin, native = self._name(code)
                user_id = self._user(f"{code.lower()}.trainee{n:04d}@{EMAIL_DOMAIN}", Role.TRAINEE, latin, native,
                                     country_id=country.id)
                category = self.rng.choices(list(Category), weights=[5, 2, 4])[0]
                self.rows.add(TraineeProfile.__table__, user_id=user_id,
                              organisation=self.rng.choice(ORGANISATIONS),
                              position=self.rng.choice(POSITIONS[category.value]), category=category,
                              gender=self.rng.choices([Gender.FEMALE, Gender.MALE, None], weights=[45, 50, 5])[0])
                self.trainees.append((user_id, country.id))
                self.trainee_names[user_id] = (latin, native)

    # Intakes

    def intakes(self) -> None:
        """Per course, an intake every 100/scale days from the programme's start to three months ahead."""
        interval = max(1, round(100 / self.scale))
        self.intakes_of: dict[int, list[PlannedIntake]] = defaultdict(list)
        teachers = {course.id: self.instructors[i::len(self.courses)] or self.instructors
                    for i, course in enumerate(self.courses)}
        for index, course in enumerate(self.courses):
            starts = self.programme.starts_on + timedelta(days=index * interval // len(self.courses))
            number = 0
            while starts <= self.today + timedelta(days=90):
                mode = [DeliveryMode.ONLINE, DeliveryMode.BLENDED, DeliveryMode.ONLINE, DeliveryMode.FACE_TO_FACE][
                    number % 4]
                ends = starts + timedelta(weeks=INTAKE_WEEKS) - timedelta(days=3)
                row = self.rows.add(
                    Intake.__table__, programme_id=self.programme.id, course_id=course.id,
                    course_version_id=course.current_version.id, title=f"{course.title}: {starts:%b %Y}", mode=mode, starts_on=starts, ends_on=ends,
                    capacity=INTAKE_CAPACITY,
                    location=None if mode is DeliveryMode.ONLINE else CITIES[(index + number) % len(CITIES)],
                    attendance_threshold=0 if mode is DeliveryMode.ONLINE else 80,
                )
                pool = teachers[course.id]
                intake = PlannedIntake(
                    row=row, course=course, instructors=self.rng.sample(pool, min(len(pool), self.rng.choice([1, 1, 2]))),
                    stage="past" if ends < self.today else "current" if starts <= self.today else "upcoming",
                )
                for user_id in intake.instructors:
                    self.rows.add(intake_instructor, intake_id=row["id"], user_id=user_id)
                self.intakes_of[course.id].append(intake)
                starts += timedelta(days=interval)
                number += 1

    # Enrolments and the work that comes with them

    def _courses_per_trainee(self) -> list[int]:
        """How many courses each trainee takes, adding up to exactly the enrolments wanted."""
        wanted = ENROLMENTS_PER_SCALE * self.scale
        counts = self.rng.choices(*COURSES_TAKEN, k=len(self.trainees))
        while sum(counts) != wanted:
            i = self.rng.randrange(len(counts))
            if sum(counts) < wanted and counts[i] < len(self.courses):
                counts[i] += 1
            elif sum(counts) > wanted and counts[i] > 1:
                counts[i] -= 1
        return counts

    def enrolments(self) -> None:
        self.by_intake: PlannedIntake[int, list[tuple[int, tuple]]] = defaultdict(list)  # intake id: [(enrolment, path)]
        for (user_id, country_id), taken in zip(self.trainees, self._courses_per_trainee()):
            for course in self.rng.sample(self.courses, taken):
                intake = self.rng.choice(self.intakes_of[course.id])
                self._enrol(user_id, country_id, intake)

    def _enrol(self, user_id: int, country_id: int, intake: PlannedIntake) -> None:
        rng = self.rng
        paths, shares = zip(*PATHS[intake.stage])
        path = rng.choices(paths, shares)[0]
        decider = rng.choice(self.country_coordinators[country_id])
        requested = min(_at(intake.starts_on - timedelta(days=rng.randint(15, 45)), rng.randint(7, 17)),
                        self.now - timedelta(days=rng.randint(2, 10)))
        enrolment = self.rows.add(
            Enrolment.__table__, intake_id=intake.id, user_id=user_id, state=S.REQUESTED, requested_at=requested,
            decided_at=None, decided_by_id=None, decision_reason=None, completed_at=None, final_grade=None,
            nominated_by_id=None, quota_override_reason=None,
        )
        moment, state = requested, S.REQUESTED
        for step in path:
            if step is S.ACTIVE:
                moment = max(moment, _at(intake.starts_on, 8))
            elif step in (S.COMPLETED, S.FAILED):
                moment = _at(intake.ends_on - timedelta(days=rng.randint(0, 10)), 12)
            elif step is S.WITHDRAWN and state is S.ACTIVE:
                moment = _at(intake.starts_on + timedelta(days=rng.randint(7, 50)), 10)
            else:
                moment = moment + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))
            moment = min(moment, self.now - timedelta(hours=1))
            by = user_id if step in (S.WITHDRAWN, S.ACTIVE) else decider
            self.rows.add(EnrolmentEvent.__table__, enrolment_id=enrolment["id"], from_state=state, to_state=step,
                          at=moment, by_id=by, reason=REASONS.get(step))
            if step in (S.APPROVED, S.WAITLISTED, S.REJECTED):
                enrolment.update(decided_at=moment, decided_by_id=decider, decision_reason=REASONS.get(step))
                self._notify(user_id, f"Your request to join {intake.title} was {step.value}.", moment)
            if step is S.COMPLETED:
                enrolment["completed_at"] = moment
            state = step
        enrolment["state"] = state
        self.by_intake[intake.id].append((enrolment, path))
        self._work(enrolment, intake, path)

    def _notify(self, user_id: int, message: str, at: datetime) -> None:
        is_read = at < self.now - timedelta(days=14) or self.rng.random() < 0.5
        self.rows.add(Notification.__table__, user_id=user_id, message=message, link=None, created_at=at,
                      read_at=at + timedelta(hours=self.rng.randint(1, 72)) if is_read else None)

    def _work(self, enrolment: dict, intake: PlannedIntake, path: tuple) -> None:
        """Lessons done, quiz attempts and the assignment, as far as the enrolment got."""
        state, course = enrolment["state"], intake.course
        if state is S.COMPLETED:
            fraction, skill = 1.0, 0.92
        elif state is S.FAILED:
            fraction, skill = 0.6, 0.35
        elif state is S.WITHDRAWN and S.ACTIVE in path:
            fraction, skill = 0.25, 0.7
        elif state is S.ACTIVE:
            elapsed = (self.today - intake.starts_on).days / max(1, (intake.ends_on - intake.starts_on).days)
            fraction, skill = min(1.0, elapsed * self.rng.uniform(0.5, 1.2)), 0.75
        else:
            return
        lessons = self.lessons[course.id]
        done = round(len(lessons) * fraction)
        start = intake.starts_on
        for number, lesson in enumerate(lessons[:done]):
            at = min(_at(start + timedelta(days=2 + number * 3), self.rng.randint(7, 21)), self.now - timedelta(hours=3))
            self.rows.add(LessonProgress.__table__, enrolment_id=enrolment["id"], lesson_id=lesson.id,
                          last_viewed_at=at, completed_at=at)
        if state is S.ACTIVE and done < len(lessons) and self.rng.random() < 0.6:
            self.rows.add(LessonProgress.__table__, enrolment_id=enrolment["id"], lesson_id=lessons[done].id,
                          last_viewed_at=self.now - timedelta(hours=self.rng.randint(2, 100)), completed_at=None)

        finished = state in (S.COMPLETED, S.FAILED)
        modules = course.modules[: len(course.modules) if finished else round(len(course.modules) * fraction)]
        scores: dict[int, float | None] = {}
        for number, module in enumerate(modules):
            at = min(_at(start + timedelta(days=6 + 7 * number), self.rng.randint(8, 20)), self.now - timedelta(hours=2))
            for quiz in (a for a in module.assessments if a.kind is AssessmentKind.QUIZ):
                scores[quiz.id] = self._attempts(enrolment["id"], self.quiz_keys[quiz.id], at, skill,
                                                 may_leave_open=state is S.ACTIVE)
        assignment = next((a for a in course.assessments if a.kind is AssessmentKind.ASSIGNMENT), None)
        if assignment is not None:
            if finished:
                end = _at(intake.ends_on - timedelta(days=3), self.rng.randint(8, 18))
                scores[assignment.id] = self._graded_submission(enrolment["id"], assignment, intake, end, skill)
            elif state is S.ACTIVE and fraction >= 0.5:
                self._submission_in_progress(enrolment["id"], assignment, submitted=fraction >= 0.8 or self.rng.random() < 0.5)
        if finished:
            enrolment["final_grade"] = weighted_grade(course.assessments, scores)
        if state is S.COMPLETED:
            self._certificate(enrolment, intake)
            self._notify(enrolment["user_id"], f"Congratulations: you have completed {course.title} with a grade "
                                               f"of {enrolment['final_grade']:g}%.", enrolment["completed_at"])

    def _attempts(self, enrolment_id: int, key: QuizKey, at: datetime, skill: float, may_leave_open: bool) -> float | None:
        quiz = key.quiz
        tries = 1 if quiz.attempts_allowed == 1 else self.rng.choices([1, 2, 3], weights=[70, 22, 8])[0]
        if quiz.attempts_allowed:
            tries = min(tries, quiz.attempts_allowed)
        scores = []
        for number in range(1, tries + 1):
            started = at + timedelta(days=number - 1) - timedelta(minutes=20)
            answers, results, score = key.answered(min(0.98, skill + 0.1 * (number - 1)), self.rng)
            is_open = may_leave_open and number == tries and self.rng.random() < 0.04
            self.rows.add(
                Attempt.__table__, enrolment_id=enrolment_id, assessment_id=quiz.id, number=number, started_at=started,
                deadline_at=started + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None,
                option_order={}, answers=answers, submitted_at=None if is_open else started + timedelta(minutes=12),
                is_late=False, closed_by_server=False, raw_score=None if is_open else score,
                score=None if is_open else score, results=None if is_open else results, override_score=None,
                override_reason=None, override_by_id=None,
            )
            if not is_open:
                scores.append(score)
        return combine_attempts(quiz.grading_method, scores)

    def _graded_submission(self, enrolment_id: int, assignment: Assessment, intake: PlannedIntake, at: datetime,
                           skill: float) -> float:
        submission = self._submission_row(enrolment_id, assignment, SubmissionState.RETURNED, at - timedelta(days=2),
                                          graded_at=at, graded_by_id=self.rng.choice(intake.instructors))
        chosen = []
        for criterion in assignment.rubric:
            levels = sorted(criterion.levels, key=lambda level: -level.points)
            level = levels[0] if self.rng.random() < skill else levels[min(1 + self.rng.randrange(2), len(levels) - 1)]
            chosen.append(level)
            self.rows.add(RubricScore.__table__, submission_id=submission["id"], criterion_id=criterion.id,
                          level_id=level.id)
        maximum = assignment.max_rubric_points
        submission["score"] = round(100 * sum(level.points for level in chosen) / maximum, 2) if maximum else 0.0
        return submission["score"]

    def _submission_in_progress(self, enrolment_id: int, assignment: Assessment, submitted: bool) -> None:
        sent_at = self.now - timedelta(days=self.rng.randint(1, 12), hours=self.rng.randint(0, 9))
        self._submission_row(enrolment_id, assignment, SubmissionState.SUBMITTED if submitted else SubmissionState.DRAFT,
                             sent_at)

    def _submission_row(self, enrolment_id: int, assignment: Assessment, state: SubmissionState, sent_at: datetime,
                        graded_at: datetime | None = None, graded_by_id: int | None = None) -> dict:
        is_draft = state is SubmissionState.DRAFT
        return self.rows.add(
            Submission.__table__, enrolment_id=enrolment_id, assessment_id=assignment.id, state=state,
            text=SAMPLE_TEXT, created_at=sent_at - timedelta(days=2), updated_at=sent_at,
            submitted_at=None if is_draft else sent_at, times_submitted=0 if is_draft else 1, score=None,
            feedback="A clear plan with realistic numbers; say more about how take-up is measured."
            if graded_at else None,
            graded_by_id=graded_by_id, graded_at=graded_at,
        )

    def _certificate(self, enrolment: dict, intake: PlannedIntake) -> None:
        latin, native = self.trainee_names[enrolment["user_id"]]
        course, completed = intake.course, enrolment["completed_at"]
        is_revoked = self.rng.random() < 0.01
        self.rows.add(
            Certificate.__table__, serial=new_serial(), enrolment_id=enrolment["id"], user_id=enrolment["user_id"],
            issued_at=completed + timedelta(minutes=5), issued_by_id=None, issue_reason=None, name_latin=latin,
            name_native=native, course_title=course.title, course_title_zh=course.title_zh, course_hours=course.hours,
            intake_starts_on=intake.starts_on, intake_ends_on=intake.ends_on, delivery_mode=intake.mode.value,
            location=intake.location, programme_title=self.programme.title,
            programme_title_zh=self.programme.title_zh, completed_on=completed.date(), pdf_name=None, pdf_sha256=None,
            mailed_at=completed + timedelta(minutes=6),
            revoked_at=completed + timedelta(days=30) if is_revoked else None,
            revoked_by_id=self.programme_coordinators[0] if is_revoked else None,
            revocation_reason="Issued for the wrong intake; replaced." if is_revoked else None,
            superseded_at=None, superseded_by_id=None,
        )

    def attendance(self) -> None:
        """Weekly sessions held so far in classroom intakes, with who was there."""
        share = {S.COMPLETED: 0.97, S.ACTIVE: 0.85, S.FAILED: 0.5, S.WITHDRAWN: 0.3}
        for intakes in self.intakes_of.values():
            for intake in intakes:
                if intake.mode is DeliveryMode.ONLINE or intake.stage == "upcoming":
                    continue
                held = [intake.starts_on + timedelta(weeks=week) for week in range(8)]
                for number, day in enumerate([d for d in held if d <= min(self.today, intake.ends_on)], start=1):
                    session = self.rows.add(IntakeSession.__table__, intake_id=intake.id, held_on=day,
                                            title=f"Session {number}", created_at=_at(day, 17))
                    for enrolment, path in self.by_intake[intake.id]:
                        present = share.get(enrolment["state"]) if S.ACTIVE in path else None
                        if present is not None:
                            self.rows.add(Attendance.__table__, session_id=session["id"], enrolment_id=enrolment["id"],
                                          is_present=self.rng.random() < present)

    def run(self) -> dict[str, int]:
        self.countries = ensure_countries()
        self.courses = list(db.session.scalars(
            select(Course).order_by(Course.slug).options(
                selectinload(Course.current_version).selectinload(CourseVersion.modules).selectinload(Module.lessons),
                selectinload(Course.current_version).selectinload(CourseVersion.modules)
                .selectinload(Module.assessments).selectinload(Assessment.questions),
                selectinload(Course.current_version).selectinload(CourseVersion.modules)
                .selectinload(Module.assessments).selectinload(Assessment.rubric))))
        if not self.courses:
            raise SystemExit("no courses in the catalogue; run `flask --app wsgi courses import` first")
        self.lessons = {course.id: course.lessons for course in self.courses}
        self.quiz_keys = {quiz.id: QuizKey(quiz, self.rng) for course in self.courses for quiz in course.assessments
                          if quiz.kind is AssessmentKind.QUIZ}
        self.programme = create_programme(
            title="ASEAN-China Training Programme for Telecom Managers and Technicians",
            title_zh="中国—东盟电信管理与技术人员培训项目", target=500 * self.scale,
            starts_on=date(self.today.year - 2, self.today.month, 1),
            ends_on=date(self.today.year + 3, self.today.month, 1) - timedelta(days=1),
            allocations={self.countries[code]: count * self.scale for code, count in ALLOCATIONS.items()},
        )
        self.password_hash = hash_password(BENCH_PASSWORD)
        self.people()
        self.intakes()
        self.enrolments()
        self.attendance()
        return self.rows.insert_all()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="multiple of the programme's 500 trainees (default 10)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    from lms import create_app

    app = create_app()
    with app.app_context():
        if db.session.scalar(select(User.id).limit(1)) is not None:
            raise SystemExit("the database already has accounts; fill only a new, empty one")
        started = time.perf_counter()
        counts = Filler(args.scale, args.seed).run()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))  # fresh statistics, as autovacuum would have by now
        summary = ", ".join(f"{name} {count:,}" for name, count in counts.items())
        print(f"filled in {time.perf_counter() - started:.1f} s: {summary}", file=sys.stderr)


if __name__ == "__main__":
    main()
