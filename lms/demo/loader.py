"""Builds the demo programme: countries, allocations, staff, intakes and ~200 trainees at every stage."""
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from lms.accounts.models import Category, Gender, OrganisationType, Role, TraineeProfile, User
from lms.accounts.passwords import hash_password
from lms.catalogue.models import Course
from lms.certificates.operations import issue_missing, revoke_certificate
from lms.demo.work import add_attendance, add_finished_work, add_work_in_progress
from lms.demo.people import GIVEN_AND_FAMILY, ORGANISATION_TYPES, ORGANISATIONS, POSITIONS, WHOLE_NAMES
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState, Intake
from lms.core import clock
from lms.core.db import utcnow
from lms.extensions import db
from lms.learning.models import LessonProgress
from lms.programme.models import Country, Programme
from lms.programme.operations import create_programme, ensure_countries

# Bandit B105 does not apply: the documented demo password, refused in production.
DEMO_PASSWORD = "demo-password"  # nosec B105
ALLOCATIONS = {"ID": 80, "VN": 70, "PH": 65, "TH": 60, "MY": 55, "MM": 50, "KH": 40, "LA": 35, "SG": 25, "BN": 20}
TRAINEES_PER_COUNTRY = {"ID": 30, "VN": 28, "PH": 25, "TH": 26, "MY": 22, "MM": 20, "KH": 16, "LA": 14, "SG": 10,
                        "BN": 9}
CITIES = ["Bangkok, Thailand", "Ha Noi, Viet Nam", "Jakarta, Indonesia", "Kuala Lumpur, Malaysia",
          "Manila, Philippines", "Nanning, China"]


@dataclass
class DemoSummary:
    countries: int
    trainees: int
    intakes: int
    enrolments: int


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _demo_name(rng: random.Random, code: str, used: set[str]) -> tuple[str, str | None]:
    for _ in range(200):
        if code in WHOLE_NAMES:
            latin, native = rng.choice(WHOLE_NAMES[code])
        else:
            given, family, order = GIVEN_AND_FAMILY[code]
            (g_latin, g_native), (f_latin, f_native) = rng.choice(given), rng.choice(family)
            if order == "burmese":
                latin, native = f"{g_latin} {f_latin}", g_native + f_native
            elif order == "family-given":
                latin, native = f"{f_latin} {g_latin}", f"{f_native} {g_native}"
            else:
                latin, native = f"{g_latin} {f_latin}", f"{g_native} {f_native}"
        if latin not in used:
            used.add(latin)
            return latin, native
    return latin, native  # a few repeated names among hundreds is realistic


def _staff(countries: dict[str, Country], password_hash: str) -> dict[str, User]:
    accounts = {
        "admin": User(email="admin@demo.test", role=Role.ADMIN, full_name="Aroon Admin"),
        "coordinator": User(email="coordinator@demo.test", role=Role.PROGRAMME_COORDINATOR,
                            full_name="Li Wen", native_name="李文"),
        "th.coordinator": User(email="th.coordinator@demo.test", role=Role.COUNTRY_COORDINATOR,
                               full_name="Pimchanok Srisawat", native_name="พิมพ์ชนก ศรีสวัสดิ์",
                               country=countries["TH"]),
        "vn.coordinator": User(email="vn.coordinator@demo.test", role=Role.COUNTRY_COORDINATOR,
                               full_name="Do Van Thanh", native_name="Đỗ Văn Thành", country=countries["VN"]),
        "instructor": User(email="instructor@demo.test", role=Role.INSTRUCTOR, full_name="Zhang Hua",
                           native_name="张华"),
        "instructor2": User(email="instructor2@demo.test", role=Role.INSTRUCTOR, full_name="Maria Lopez Reyes"),
    }
    for user in accounts.values():
        user.password_hash = password_hash
        db.session.add(user)
    return accounts


def _intakes(programme: Programme, courses: list[Course], instructors: list[User],
             today: date) -> dict[str, list[Intake]]:
    """Four runs a course, placed around today: two finished, one under way, one still to come."""
    def run(label: str, starts: date, weeks: int, mode: DeliveryMode):
        return label, starts, starts + timedelta(weeks=weeks) - timedelta(days=3), mode

    runs = [
        run("first run", today - timedelta(weeks=86), 12, DeliveryMode.ONLINE),
        run("second run", today - timedelta(weeks=40), 12, DeliveryMode.FACE_TO_FACE),
        run("current run", today - timedelta(weeks=7), 16, DeliveryMode.BLENDED),
        run("next run", today + timedelta(weeks=11), 12, DeliveryMode.ONLINE),
    ]
    by_stage: dict[str, list[Intake]] = {"past": [], "current": [], "upcoming": []}
    for index, course in enumerate(courses):
        for run_index, (label, starts, ends, mode) in enumerate(runs):
            if run_index == 3 and index % 2:
                mode = DeliveryMode.FACE_TO_FACE
            intake = Intake(
                programme=programme, course=course, title=f"{course.title}: {label}, {starts:%b %Y}", mode=mode,
                starts_on=starts, ends_on=ends, capacity=40,
                location=None if mode is DeliveryMode.ONLINE else CITIES[(index + run_index) % len(CITIES)],
                attendance_threshold=80 if mode is not DeliveryMode.ONLINE else 0,
            )
            intake.instructors.append(instructors[index % 2])
            db.session.add(intake)
            by_stage["past" if run_index < 2 else "current" if run_index == 2 else "upcoming"].append(intake)
    return by_stage


def _enrol(user: User, intake: Intake, path: list[EnrolmentState], decider: User, rng: random.Random) -> Enrolment:
    """An enrolment walked through `path` with dates that fit its intake."""
    now = utcnow()
    requested = min(_at(intake.starts_on - timedelta(days=rng.randint(15, 45)), rng.randint(7, 17)),
                    now - timedelta(days=rng.randint(8, 30), hours=rng.randint(0, 9)))
    enrolment = Enrolment(intake=intake, user=user, requested_at=requested)
    db.session.add(enrolment)
    moment = requested
    for state in path:
        if state is EnrolmentState.ACTIVE:
            moment = max(moment, _at(intake.starts_on, 8))
        elif state in (EnrolmentState.COMPLETED, EnrolmentState.FAILED):
            moment = _at(intake.ends_on - timedelta(days=rng.randint(0, 10)), 12)
        else:
            moment = moment + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))
        moment = min(moment, now - timedelta(hours=1))  # nothing in the demo happens in the future
        reason = {
            EnrolmentState.REJECTED: "The course does not match the nominee's current duties.",
            EnrolmentState.WAITLISTED: "The intake is nearly full; next in line if a place frees up.",
            EnrolmentState.WITHDRAWN: "Withdrew because of new operational duties.",
        }.get(state)
        by = user if state in (EnrolmentState.WITHDRAWN, EnrolmentState.ACTIVE) else decider
        enrolment.move_to(state, by=by, reason=reason, at=moment)
    return enrolment


def _progress(enrolment: Enrolment, fraction: float, rng: random.Random, last_seen: datetime | None = None) -> None:
    """Lessons done and work handed in, as far as `fraction` of the course; an active trainee's lessons are
    spread up to when they were `last_seen` (none done: the first one opened then)."""
    lessons = enrolment.intake.version.lessons
    done = lessons[: round(len(lessons) * fraction)]
    start = enrolment.intake.starts_on
    for number, lesson in enumerate(done):
        at = min(_at(start + timedelta(days=2 + number * 3), rng.randint(7, 21)), utcnow() - timedelta(hours=3))
        if last_seen is not None:
            at = _at(start) + (last_seen - _at(start)) * (number + 1) / len(done)
        db.session.add(LessonProgress(enrolment=enrolment, lesson=lesson, last_viewed_at=at, completed_at=at))
    if last_seen is not None and not done and lessons:
        db.session.add(LessonProgress(enrolment=enrolment, lesson=lessons[0], last_viewed_at=last_seen))
    if enrolment.state in (EnrolmentState.COMPLETED, EnrolmentState.FAILED):
        enrolment.final_grade = add_finished_work(enrolment, enrolment.state is EnrolmentState.COMPLETED, rng)
    elif enrolment.state is EnrolmentState.ACTIVE:
        add_work_in_progress(enrolment, fraction, rng)


QUIET_SHARE = 0.1  # of active demo trainees: not seen for some weeks, so the at-risk pages have a few to show


def _last_seen(enrolment: Enrolment, pace: random.Random) -> datetime | None:
    """When an active trainee last studied: this week for most, some weeks ago for a few (who never
    opened a lesson, for some of those)."""
    if enrolment.state is not EnrolmentState.ACTIVE:
        return None
    quiet = pace.random() < QUIET_SHARE
    days = pace.uniform(16, 40) if quiet else pace.uniform(0.3, 6)
    return max(utcnow() - timedelta(days=days), _at(enrolment.intake.starts_on) + timedelta(hours=2))


# What happens to a demo trainee, by share of trainees: (stage of intake, state path, share).
JOURNEYS = [
    ("past", [EnrolmentState.APPROVED, EnrolmentState.ACTIVE, EnrolmentState.COMPLETED], 0.30),
    ("past", [EnrolmentState.APPROVED, EnrolmentState.ACTIVE, EnrolmentState.FAILED], 0.04),
    ("past", [EnrolmentState.APPROVED, EnrolmentState.ACTIVE, EnrolmentState.WITHDRAWN], 0.04),
    ("current", [EnrolmentState.APPROVED, EnrolmentState.ACTIVE], 0.30),
    ("upcoming", [EnrolmentState.APPROVED], 0.10),
    ("upcoming", [], 0.14),  # requested, awaiting a decision
    ("upcoming", [EnrolmentState.WAITLISTED], 0.04),
    ("upcoming", [EnrolmentState.REJECTED], 0.04),
]


def load_demo(seed: int = 2026) -> DemoSummary:
    # Bandit B311 does not apply: seeded for reproducible demo data.
    rng = random.Random(seed)  # nosec B311
    pace = random.Random(seed + 1)  # nosec B311 - apart from rng, so the demo's other choices stay as they were
    today = clock.today()
    countries = ensure_countries()
    courses = list(db.session.scalars(select(Course).order_by(Course.slug)))
    if not courses:
        raise RuntimeError("no courses in the catalogue; run `flask --app wsgi courses import` first")
    programme = create_programme(
        title="ASEAN-China Training Programme for Telecom Managers and Technicians",
        title_zh="中国—东盟电信管理与技术人员培训项目",
        # Under way for about two years, so every stage and programme year has people in it.
        target=500, starts_on=date(today.year - 2, today.month, 1),
        ends_on=date(today.year + 3, today.month, 1) - timedelta(days=1),
        allocations={countries[code]: count for code, count in ALLOCATIONS.items()},
    )
    password_hash = hash_password(DEMO_PASSWORD)  # one slow hash shared by every demo account
    staff = _staff(countries, password_hash)
    intakes = _intakes(programme, courses, [staff["instructor"], staff["instructor2"]], today)
    decider_for = {"TH": staff["th.coordinator"], "VN": staff["vn.coordinator"]}

    trainee = User(email="trainee@demo.test", role=Role.TRAINEE, full_name="Nguyen Thi Minh Anh",
                   native_name="Nguyễn Thị Minh Anh", country=countries["VN"], password_hash=password_hash)
    trainee.profile = TraineeProfile(organisation="Viet Nam Telecommunications Authority",
                                     organisation_type=OrganisationType.GOVERNMENT,
                                     position="Deputy head, universal service division",
                                     category=Category.MIDDLE_MANAGER, gender=Gender.FEMALE)
    db.session.add(trainee)
    demo_course = {intake.course.slug: intake for intake in intakes["current"]}
    current = demo_course.get("universal-service-rural-remote", intakes["current"][0])
    enrolments = [
        _enrol(trainee, intakes["past"][0], JOURNEYS[0][1], decider_for["VN"], rng),
        _enrol(trainee, current, JOURNEYS[3][1], decider_for["VN"], rng),
        _enrol(trainee, intakes["upcoming"][-1], [], decider_for["VN"], rng),
    ]
    _progress(enrolments[0], 1.0, rng)
    _progress(enrolments[1], 0.4, rng, last_seen=utcnow() - timedelta(days=2))

    trainees, weights = 1, [share for *_, share in JOURNEYS]
    used_names: set[str] = set()
    for code, how_many in TRAINEES_PER_COUNTRY.items():
        if code == "VN":
            how_many -= 1  # trainee@demo.test is one of them
        for number in range(1, how_many + 1):
            latin, native = _demo_name(rng, code, used_names)
            category = rng.choices(list(Category), weights=[5, 2, 4])[0]
            user = User(
                email=f"{code.lower()}.trainee{number:02d}@demo.test", role=Role.TRAINEE, full_name=latin,
                native_name=native, country=countries[code], password_hash=password_hash,
            )
            user.profile = TraineeProfile(
                organisation=rng.choice(ORGANISATIONS), position=rng.choice(POSITIONS[category.value]),
                category=category, gender=rng.choices([Gender.FEMALE, Gender.MALE, None], weights=[45, 50, 5])[0],
            )
            user.profile.organisation_type = OrganisationType(ORGANISATION_TYPES[user.profile.organisation])
            db.session.add(user)
            trainees += 1
            # Thailand's coordinator has a queue of requests waiting for a decision: enough to decide a dozen at once.
            stage, path, _share = JOURNEYS[5] if code == "TH" and number <= 14 else rng.choices(JOURNEYS, weights)[0]
            stage_intakes = intakes[stage]
            enrolment = _enrol(user, rng.choice(stage_intakes), path, decider_for.get(code, staff["coordinator"]), rng)
            enrolments.append(enrolment)
            if enrolment.state is EnrolmentState.COMPLETED:
                _progress(enrolment, 1.0, rng)
            elif enrolment.state is EnrolmentState.FAILED:
                _progress(enrolment, 0.6, rng)
            elif enrolment.state is EnrolmentState.ACTIVE:
                _progress(enrolment, rng.choice([0.0, 0.2, 0.5, 0.8, 0.8]), rng, _last_seen(enrolment, pace))
            # Some who finished a course come back for another.
            if enrolment.state is EnrolmentState.COMPLETED and rng.random() < 0.3:
                second = rng.choice([i for i in intakes["current"] if i.course is not enrolment.intake.course])
                again = _enrol(user, second, JOURNEYS[3][1], decider_for.get(code, staff["coordinator"]), rng)
                _progress(again, 0.2, rng, _last_seen(again, pace))
                enrolments.append(again)
    for stage in ("past", "current"):
        for intake in intakes[stage]:
            if intake.takes_attendance:
                add_attendance(intake, [e for e in enrolments if e.intake is intake], rng)
    db.session.flush()
    certificates = issue_missing()  # every completion gets its certificate, as on the live platform
    revoke_certificate(certificates[-1], staff["coordinator"],
                       "Issued in error: the trainee's completion was recorded on a duplicate account.")
    db.session.flush()
    return DemoSummary(countries=len(countries), trainees=trainees,
                       intakes=sum(len(group) for group in intakes.values()), enrolments=len(enrolments))


def database_has_data() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is not None


def clear_database() -> None:
    """Delete every row of every table (the schema and migration state stay)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.flush()
