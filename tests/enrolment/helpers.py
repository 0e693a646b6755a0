"""Small programmes and intakes for enrolment tests."""
from datetime import timedelta

from sqlalchemy import select

from lms.accounts.models import Role
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.programme.models import CountryAllocation
from tests.factories import country, make_intake, make_user


def set_allocation(programme, code: str, allocation: int, db_session) -> None:
    row = db_session.scalar(select(CountryAllocation).where(
        CountryAllocation.programme_id == programme.id, CountryAllocation.country_id == country(code).id))
    row.allocation = allocation
    db_session.flush()


def upcoming_intake(programme=None, capacity: int = 30, **kwargs):
    intake = make_intake(programme, **kwargs)
    intake.starts_on = utcnow().date() + timedelta(days=30)
    intake.ends_on = intake.starts_on + timedelta(days=60)
    intake.capacity = capacity
    return intake


def requested(intake, code: str = "TH", **user_fields) -> Enrolment:
    enrolment = Enrolment(intake=intake, user=make_user(Role.TRAINEE, country_code=code, **user_fields))
    from lms.extensions import db

    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def holding(intake, code: str = "TH") -> Enrolment:
    enrolment = requested(intake, code)
    enrolment.state = EnrolmentState.APPROVED
    from lms.extensions import db

    db.session.flush()
    return enrolment
