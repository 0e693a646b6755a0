"""What the fault suite needs in its own database: the courses, a running intake of one course, and trainees
with active enrolments (all sharing one password hash)."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from config import BASE_DIR
from lms.accounts.models import Category, Gender, Role, TraineeProfile, User
from lms.accounts.passwords import hash_password
from lms.catalogue.course_files import read_tree
from lms.catalogue.models import AssessmentKind, Course, QuestionType
from lms.catalogue.operations import import_courses
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.programme.models import Country
from lms.programme.operations import create_programme, ensure_countries
from faults.client import PASSWORD

COURSE = "universal-service-rural-remote"


@dataclass
class Trainee:
    email: str
    enrolment_id: int


@dataclass
class Filled:
    trainees: list[Trainee]
    quiz_id: int
    numeric_question_id: int
    assignment_id: int

    def quiz_path(self, trainee: Trainee) -> str:
        return f"/study/{trainee.enrolment_id}/quizzes/{self.quiz_id}"

    def assignment_path(self, trainee: Trainee) -> str:
        return f"/study/{trainee.enrolment_id}/assignments/{self.assignment_id}"


def fill(trainees: int, today: date) -> Filled:
    ensure_countries()
    import_courses(read_tree(BASE_DIR / "courses"))
    countries = list(db.session.scalars(select(Country).order_by(Country.code)))
    programme = create_programme(title="Fault suite", title_zh="故障测试", target=500, starts_on=date(2025, 1, 1),
                                 ends_on=date(2029, 12, 31), allocations={country: 50 for country in countries})
    course = db.session.scalar(select(Course).where(Course.slug == COURSE))
    quiz = next(a for a in course.assessments if a.kind is AssessmentKind.QUIZ
                and any(q.type is QuestionType.NUMERIC for q in a.questions))
    quiz.attempts_allowed, quiz.time_limit_minutes = 0, 600  # rounds of submits need fresh attempts
    assignment = next(a for a in course.assessments if a.kind is AssessmentKind.ASSIGNMENT)
    intake = Intake(programme=programme, course=course, title="Fault suite intake", mode=DeliveryMode.ONLINE,
                    starts_on=today - timedelta(days=7), ends_on=today + timedelta(days=60), capacity=500)
    db.session.add(intake)
    password_hash = hash_password(PASSWORD)
    made = []
    for number in range(trainees):
        user = User(email=f"trainee{number:03d}@faults.test", password_hash=password_hash, role=Role.TRAINEE,
                    full_name=f"Fault Trainee {number}", country=countries[number % len(countries)])
        user.profile = TraineeProfile(organisation="Ministry of ICT", position="Engineer",
                                      category=Category.TECHNICIAN, gender=Gender.FEMALE)
        enrolment = Enrolment(intake=intake, user=user, state=EnrolmentState.ACTIVE)
        db.session.add(enrolment)
        made.append((user, enrolment))
    db.session.flush()
    numeric = next(q for q in quiz.questions if q.type is QuestionType.NUMERIC)
    filled = Filled([Trainee(user.email, enrolment.id) for user, enrolment in made], quiz.id, numeric.id,
                    assignment.id)
    db.session.commit()
    return filled
