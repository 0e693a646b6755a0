"""Fills a programme with many trainees, enrolments and certificates at once, for query counts and the benchmark.

At the programme's own scale (scale=1) there are 500 trainees with 2,000 enrolments over ten countries
and five years; scale=10 is the benchmark's 5,000 trainees and 20,000 enrolments.
"""
import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import insert, select

from lms.accounts.models import Category, Gender, Role, TraineeProfile, User
from lms.catalogue.models import Course
from lms.certificates.models import Certificate
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.programme.models import Country, Programme

STATES = [(EnrolmentState.COMPLETED, 35), (EnrolmentState.ACTIVE, 15), (EnrolmentState.APPROVED, 10),
          (EnrolmentState.REQUESTED, 12), (EnrolmentState.WAITLISTED, 3), (EnrolmentState.REJECTED, 5),
          (EnrolmentState.WITHDRAWN, 12), (EnrolmentState.FAILED, 8)]
ENROLMENTS_PER_TRAINEE = 4


def _intakes(programme: Programme, count: int) -> list[Intake]:
    courses = list(db.session.scalars(select(Course).order_by(Course.slug)))
    modes = list(DeliveryMode)
    # Every intake has ended by today, so no certificate is dated in the future.
    span = (min(date.today(), programme.ends_on) - programme.starts_on).days - 90
    intakes = []
    for number in range(count):
        starts_on = programme.starts_on + timedelta(days=span * number // count)
        mode = modes[number % len(modes)]
        intakes.append(Intake(programme=programme, course=courses[number % len(courses)], title=f"Run {number}",
                              mode=mode, starts_on=starts_on, ends_on=starts_on + timedelta(days=80), capacity=500,
                              location=None if mode is DeliveryMode.ONLINE else "Bangkok, Thailand"))
    db.session.add_all(intakes)
    db.session.flush()
    return intakes


def fill(programme: Programme, scale: float = 1, seed: int = 5) -> dict[str, int]:
    """Adds 500 × scale trainees, four enrolments each, and a certificate for each completed enrolment."""
    rng = random.Random(seed)
    countries = list(db.session.scalars(select(Country).order_by(Country.code)))
    trainees = max(int(500 * scale), len(countries))
    intakes = _intakes(programme, max(int(40 * scale ** 0.5), 8))
    user_ids = db.session.scalars(insert(User).returning(User.id), [
        {"email": f"scale{seed}.{number}@example.org", "password_hash": "-", "role": Role.TRAINEE,
         "full_name": f"Trainee {number}", "country_id": countries[number % len(countries)].id}
        for number in range(trainees)
    ]).all()
    db.session.execute(insert(TraineeProfile), [
        {"user_id": user_id, "organisation": "Ministry", "position": "Engineer",
         "category": rng.choice(list(Category)), "gender": rng.choice([*Gender, None])}
        for user_id in user_ids
    ])
    states, weights = zip(*STATES)
    rows = []
    for user_id in user_ids:
        for intake in rng.sample(intakes, ENROLMENTS_PER_TRAINEE):
            state = rng.choices(states, weights)[0]
            completed_at = datetime.combine(intake.ends_on, time(12), tzinfo=timezone.utc)
            rows.append({"intake_id": intake.id, "user_id": user_id, "state": state,
                         "requested_at": completed_at - timedelta(days=120),
                         "completed_at": completed_at if state is EnrolmentState.COMPLETED else None})
    enrolment_ids = db.session.scalars(insert(Enrolment).returning(Enrolment.id), rows).all()
    by_id = {intake.id: intake for intake in intakes}
    certificates = []
    for enrolment_id, row in zip(enrolment_ids, rows):
        if row["state"] is not EnrolmentState.COMPLETED:
            continue
        intake = by_id[row["intake_id"]]
        revoked = rng.random() < 0.03
        certificates.append({
            "serial": f"S{seed}-{enrolment_id}", "enrolment_id": enrolment_id, "user_id": row["user_id"],
            "name_latin": "Trainee", "course_title": intake.course.title, "course_title_zh": intake.course.title_zh,
            "course_hours": intake.course.hours, "intake_starts_on": intake.starts_on,
            "intake_ends_on": intake.ends_on, "delivery_mode": intake.mode.value,
            "programme_title": programme.title, "programme_title_zh": programme.title_zh,
            "completed_on": intake.ends_on, "issued_at": row["completed_at"],
            "revoked_at": row["completed_at"] + timedelta(days=30) if revoked else None,
            "revocation_reason": "Issued by mistake" if revoked else None,
        })
    if certificates:
        db.session.execute(insert(Certificate), certificates)
    db.session.flush()
    return {"trainees": trainees, "intakes": len(intakes), "enrolments": len(rows), "certificates": len(certificates)}


def benchmark_programme(title: str = "Benchmark programme") -> Programme:
    """Five years ending about now, so every programme year has certifications."""
    from lms.programme.operations import create_programme

    countries = list(db.session.scalars(select(Country).order_by(Country.code)))
    today = date.today()
    return create_programme(title=title, title_zh="基准", target=500, starts_on=date(today.year - 4, 1, 1),
                            ends_on=date(today.year, 12, 31), allocations={country: 50 for country in countries})
