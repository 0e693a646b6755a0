"""Factory functions that return ready objects for tests."""
from datetime import date
from itertools import count

from sqlalchemy import select

from lms.accounts.models import Category, Gender, Role, TraineeProfile, User
from lms.accounts.passwords import hash_password
from lms.catalogue.models import Course
from lms.enrolment.models import DeliveryMode, Intake
from lms.extensions import db
from lms.programme.models import Country, Programme
from lms.programme.operations import create_programme

PASSWORD = "correct horse battery staple"
_numbers = count(1)


def country(code: str = "TH") -> Country:
    return db.session.scalar(select(Country).where(Country.code == code))


def make_user(role: Role = Role.TRAINEE, *, country_code: str | None = "TH", email: str | None = None,
              full_name: str = "Test Person", native_name: str | None = None, password: str = PASSWORD,
              is_active: bool = True) -> User:
    number = next(_numbers)
    needs_country = role in (Role.TRAINEE, Role.COUNTRY_COORDINATOR)
    user = User(
        email=email or f"{role.value}{number}@example.org", password_hash=hash_password(password), role=role,
        full_name=full_name, native_name=native_name, is_active=is_active,
        country=country(country_code) if (country_code and needs_country) else None,
    )
    if role is Role.TRAINEE:
        user.profile = TraineeProfile(organisation="Ministry of ICT", position="Engineer",
                                      category=Category.TECHNICIAN, gender=Gender.FEMALE)
    db.session.add(user)
    db.session.flush()
    return user


def make_programme(target: int = 500) -> Programme:
    countries = list(db.session.scalars(select(Country).order_by(Country.code)))
    share = target // len(countries)
    return create_programme(title="Test programme", title_zh="测试项目", target=target,
                            starts_on=date(2025, 1, 1), ends_on=date(2029, 12, 31),
                            allocations={c: share for c in countries})


def any_course() -> Course:
    return db.session.scalar(select(Course).order_by(Course.slug).limit(1))


def make_intake(programme: Programme | None = None, course: Course | None = None, *,
                mode: DeliveryMode = DeliveryMode.ONLINE, instructors: list[User] = ()) -> Intake:
    intake = Intake(
        programme=programme or make_programme(), course=course or any_course(), title="Test intake", mode=mode,
        starts_on=date(2027, 1, 4), ends_on=date(2027, 3, 26), capacity=30,
        location=None if mode is DeliveryMode.ONLINE else "Bangkok, Thailand",
    )
    intake.instructors.extend(instructors)
    db.session.add(intake)
    db.session.flush()
    return intake
