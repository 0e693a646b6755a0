"""Reads about the programme: the current programme and each country's headline numbers."""
from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from lms.accounts.models import User
from lms.enrolment.models import QUOTA_STATES, Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.programme.models import Country, CountryAllocation, Programme


def current_programme() -> Programme | None:
    return db.session.scalar(select(Programme).order_by(Programme.id).limit(1))


@dataclass
class CountryFigures:
    country: Country
    allocation: int
    requested: int
    holding_slot: int  # distinct people with an approved, active or completed enrolment
    completed: int  # distinct people with a completed enrolment

    @property
    def remaining(self) -> int:
        return max(self.allocation - self.holding_slot, 0)


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


def country_figures(programme: Programme, country_id: int | None = None) -> list[CountryFigures]:
    """Headline numbers per country for the programme's home pages, each counted in SQL as distinct people."""
    requested = people_per_country(programme.id, country_id, (EnrolmentState.REQUESTED,))
    holding = people_per_country(programme.id, country_id, QUOTA_STATES)
    completed = people_per_country(programme.id, country_id, (EnrolmentState.COMPLETED,))
    return [
        CountryFigures(country, allocation, requested.get(country.id, 0), holding.get(country.id, 0),
                       completed.get(country.id, 0))
        for country, allocation in allocations(programme, country_id)
    ]


def all_countries() -> list[Country]:
    return list(db.session.scalars(select(Country).order_by(Country.name)))
