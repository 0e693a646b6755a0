"""Reads about the programme: the current programme and each country's headline numbers."""
from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from lms.accounts.models import User
from lms.enrolment.models import QUOTA_STATES, Enrolment, EnrolmentState
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


def country_figures(programme: Programme, country_id: int | None = None) -> list[CountryFigures]:
    """Headline numbers per country, each counted in SQL as distinct people."""
    def people_in(states) -> dict[int, int]:
        query = (
            select(User.country_id, func.count(distinct(Enrolment.user_id)))
            .join(Enrolment.user).where(Enrolment.state.in_(states)).group_by(User.country_id)
        )
        if country_id is not None:
            query = query.where(User.country_id == country_id)
        return dict(db.session.execute(query).all())

    requested = people_in((EnrolmentState.REQUESTED,))
    holding = people_in(QUOTA_STATES)
    completed = people_in((EnrolmentState.COMPLETED,))
    query = (
        select(Country, func.coalesce(CountryAllocation.allocation, 0))
        .outerjoin(CountryAllocation, (CountryAllocation.country_id == Country.id)
                   & (CountryAllocation.programme_id == programme.id))
        .order_by(Country.name)
    )
    if country_id is not None:
        query = query.where(Country.id == country_id)
    return [
        CountryFigures(country, allocation, requested.get(country.id, 0), holding.get(country.id, 0),
                       completed.get(country.id, 0))
        for country, allocation in db.session.execute(query)
    ]


def all_countries() -> list[Country]:
    return list(db.session.scalars(select(Country).order_by(Country.name)))
