"""The quota's counts, in one place: who holds a place, who is certified, the floor under an allocation
and what is left. Every other module (approvals, nominations, home pages, reports, settings) asks here.

Two different questions, two names:
- places left = allocation - people holding a place (approved, active or completed): how many more
  people a coordinator may still place;
- still to certify = allocation - people certified: how far the country is from its share of the target.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, distinct, func, select

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.enrolment.models import QUOTA_STATES, Enrolment, Intake
from lms.extensions import db
from lms.programme.models import Country, CountryAllocation, Programme


def places_left(allocation: int, holding: int) -> int:
    return max(allocation - holding, 0)


def still_to_certify(allocation: int, certified: int) -> int:
    return max(allocation - certified, 0)


def allocations(programme: Programme, country_id: int | None = None) -> list[tuple[Country, int]]:
    """Every country (or one) with its allocation in the programme, 0 where none is set."""
    query = (
        select(Country, func.coalesce(CountryAllocation.allocation, 0))
        .outerjoin(CountryAllocation, (CountryAllocation.country_id == Country.id)
                   & (CountryAllocation.programme_id == programme.id))
        .order_by(Country.name)
    )
    if country_id is not None:
        query = query.where(Country.id == country_id)
    return [(country, allocation) for country, allocation in db.session.execute(query)]


# --- People holding a place -------------------------------------------------------------------

def people_per_country(programme_id: int, country_id: int | None = None, states=None) -> dict[int | None, int]:
    """Distinct people with an enrolment of the programme (in `states`, if given), per country."""
    query = (
        select(User.country_id, func.count(distinct(Enrolment.user_id)))
        .select_from(Enrolment).join(Enrolment.user).join(Enrolment.intake)
        .where(Intake.programme_id == programme_id).group_by(User.country_id)
    )
    if states is not None:
        query = query.where(Enrolment.state.in_(states))
    if country_id is not None:
        query = query.where(User.country_id == country_id)
    return dict(db.session.execute(query).all())


def holding_per_country(programme_id: int, country_id: int | None = None) -> dict[int | None, int]:
    """Distinct people holding a place (approved, active or completed enrolment), per country."""
    return people_per_country(programme_id, country_id, QUOTA_STATES)


def people_holding_places(programme_id: int, country_id: int) -> int:
    """Distinct people of one country holding a place in the programme."""
    return holding_per_country(programme_id, country_id).get(country_id, 0)


def holds_place_already(user: User, programme_id: int) -> bool:
    """Whether the person already counts once; another course of the programme costs no extra place."""
    return db.session.scalar(
        select(func.count()).select_from(Enrolment).join(Enrolment.intake)
        .where(Enrolment.user_id == user.id, Intake.programme_id == programme_id, Enrolment.state.in_(QUOTA_STATES))
    ) > 0


def places_taken(intake: Intake) -> int:
    """Places of an intake's capacity in use."""
    return db.session.scalar(
        select(func.count()).select_from(Enrolment)
        .where(Enrolment.intake_id == intake.id, Enrolment.state.in_(QUOTA_STATES))
    )


def lock_allocation(programme_id: int, country_id: int) -> CountryAllocation | None:
    """Locks one country's allocation row; a transaction locks allocations before any intake."""
    return db.session.scalar(
        select(CountryAllocation)
        .where(CountryAllocation.programme_id == programme_id, CountryAllocation.country_id == country_id)
        .with_for_update()
    )


def lock_allocations(programme_id: int, country_ids) -> dict[int, CountryAllocation]:
    """Locks several countries' allocation rows in id order, so two such transactions never deadlock."""
    rows = db.session.scalars(
        select(CountryAllocation)
        .where(CountryAllocation.programme_id == programme_id, CountryAllocation.country_id.in_(set(country_ids)))
        .order_by(CountryAllocation.id).with_for_update()
    )
    return {row.country_id: row for row in rows}


def programmes_full_for_move(user: User, country_id: int) -> list[Programme]:
    """The programmes where `user` holds a place and `country_id` has none left: moving the person to that
    country would carry their place over its allocation. Locks the allocations involved, as an approval does."""
    programme_ids = db.session.scalars(
        select(distinct(Intake.programme_id)).select_from(Enrolment).join(Enrolment.intake)
        .where(Enrolment.user_id == user.id, Enrolment.state.in_(QUOTA_STATES)).order_by(Intake.programme_id)
    ).all()
    full = []
    for programme_id in programme_ids:
        rows = lock_allocations(programme_id, {country_id} | ({user.country_id} if user.country_id else set()))
        allocation = rows[country_id].allocation if country_id in rows else 0
        if people_holding_places(programme_id, country_id) + 1 > allocation:
            full.append(db.session.get(Programme, programme_id))
    return full


# --- People certified --------------------------------------------------------------------------

@dataclass(frozen=True)
class ProgrammeYear:
    number: int
    starts_on: date
    ends_on: date

    @property
    def label(self) -> str:
        return str(_l("Year %(number)d", number=self.number))


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the year turns on 1 March, as Programme.year_of has it
        return date(day.year + years, 3, 1)


def programme_years(programme: Programme) -> list[ProgrammeYear]:
    count = programme.year_of(programme.ends_on)
    starts = [_anniversary(programme.starts_on, number) for number in range(count)]
    ends = [next_start - timedelta(days=1) for next_start in starts[1:]] + [programme.ends_on]
    return [ProgrammeYear(number + 1, start, end) for number, (start, end) in enumerate(zip(starts, ends))]


def first_certificates(programme: Programme):
    """One row per certified person: user_id, and the completed_on, intake mode and programme year of their
    first certificate that is not revoked (year 0 before the start, len(years) + 1 after the end).

    This is who counts toward the target: a person once, in the year of their first certificate."""
    ranked = (
        select(Certificate.user_id, Certificate.completed_on, Intake.mode,
               func.row_number().over(partition_by=Certificate.user_id,
                                      order_by=(Certificate.completed_on, Certificate.id)).label("position"))
        .join(Certificate.enrolment).join(Enrolment.intake)
        .where(Intake.programme_id == programme.id, Certificate.revoked_at.is_(None))
        .subquery("ranked_certificate")
    )
    years = programme_years(programme)
    whens = [(ranked.c.completed_on < programme.starts_on, 0)]
    whens += [(ranked.c.completed_on <= year.ends_on, year.number) for year in years]
    year = case(*whens, else_=len(years) + 1).label("year")
    return (select(ranked.c.user_id, ranked.c.completed_on, ranked.c.mode, year)
            .where(ranked.c.position == 1).subquery("first_certificate"))


def in_country(query, country_id: int | None):
    """Narrows a query that joins User to one country (None: every country)."""
    return query if country_id is None else query.where(User.country_id == country_id)


def certified_per_country(programme: Programme, country_id: int | None = None, first=None) -> dict[int | None, int]:
    """Distinct people certified (the count toward the target), per country."""
    first = first if first is not None else first_certificates(programme)
    query = (select(User.country_id, func.count(first.c.user_id)).select_from(first)
             .join(User, User.id == first.c.user_id).group_by(User.country_id))
    return dict(db.session.execute(in_country(query, country_id)).all())


# --- The floor under an allocation -------------------------------------------------------------

def allocation_floor(programme: Programme) -> dict[int, int]:
    """Per country, the people an allocation may never go below: those holding a place or certified,
    whichever is larger."""
    holding = holding_per_country(programme.id)
    certified = certified_per_country(programme)
    return {country_id: max(holding.get(country_id, 0), certified.get(country_id, 0))
            for country_id in set(holding) | set(certified) if country_id is not None}
