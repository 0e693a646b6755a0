"""Reads about the programme: the current programme and each country's headline numbers."""
from dataclasses import dataclass

from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.enrolment.models import EnrolmentState
from lms.extensions import db
from lms.programme.models import Country, Programme
from lms.programme.quota import allocations, holding_per_country, people_per_country, places_left


def current_programme() -> Programme | None:
    return db.session.scalar(select(Programme).order_by(Programme.id).limit(1))


@dataclass
class CountryFigures:
    country: Country
    allocation: int
    requested: int
    holding_place: int  # distinct people with an approved, active or completed enrolment
    completed: int  # distinct people with a completed enrolment

    @property
    def places_left(self) -> int:
        return places_left(self.allocation, self.holding_place)


def country_figures(programme: Programme, country_id: int | None = None) -> list[CountryFigures]:
    """Headline numbers per country for the programme's home pages, each counted in SQL as distinct people."""
    requested = people_per_country(programme.id, country_id, (EnrolmentState.REQUESTED,))
    holding = holding_per_country(programme.id, country_id)
    completed = people_per_country(programme.id, country_id, (EnrolmentState.COMPLETED,))
    return [
        CountryFigures(country, allocation, requested.get(country.id, 0), holding.get(country.id, 0),
                       completed.get(country.id, 0))
        for country, allocation in allocations(programme, country_id)
    ]


def all_countries() -> list[Country]:
    return list(db.session.scalars(select(Country).order_by(Country.name)))


def countries_without_coordinator() -> list[Country]:
    """Member countries with no active country coordinator: nobody there can decide their requests."""
    covered = select(User.country_id).where(User.role == Role.COUNTRY_COORDINATOR, User.is_active.is_(True),
                                            User.country_id.is_not(None))
    return list(db.session.scalars(select(Country).where(Country.id.not_in(covered)).order_by(Country.name)))
