"""Programme writes: seeding countries, creating the programme and its allocations."""
from datetime import date

from sqlalchemy import select

from lms.extensions import db
from lms.programme.countries import ASEAN_COUNTRIES
from lms.programme.models import Country, CountryAllocation, Programme


class AllocationError(ValueError):
    """Allocations that would break the programme's rules."""


def ensure_countries() -> dict[str, Country]:
    """Add any missing member country; returns every country by code."""
    countries = {country.code: country for country in db.session.scalars(select(Country))}
    for code, name, name_zh in ASEAN_COUNTRIES:
        if code not in countries:
            countries[code] = Country(code=code, name=name, name_zh=name_zh)
            db.session.add(countries[code])
    db.session.flush()
    return countries


def create_programme(*, title: str, title_zh: str, target: int, starts_on: date, ends_on: date,
                     allocations: dict[Country, int]) -> Programme:
    if sum(allocations.values()) > target:
        raise AllocationError(f"allocations sum to {sum(allocations.values())}, above the target of {target}")
    programme = Programme(title=title, title_zh=title_zh, target=target, starts_on=starts_on, ends_on=ends_on)
    programme.allocations = [CountryAllocation(country=country, allocation=count)
                             for country, count in allocations.items()]
    db.session.add(programme)
    db.session.flush()
    return programme
