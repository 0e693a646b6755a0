"""Programme writes: seeding countries, creating the programme, changing its settings and allocations."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import User
from lms.audit.operations import record
from lms.extensions import db
from lms.programme.countries import ASEAN_COUNTRIES
from lms.programme.models import Country, CountryAllocation, Programme
from lms.programme.quota import allocation_floor


class AllocationError(ValueError):
    """Allocations that would break the programme's rules; `errors` names the field each problem belongs to."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


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


def _settings(programme: Programme) -> dict:
    return {
        "target": programme.target,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "aqrf_level": programme.aqrf_level,
        "allocations": {row.country.code: row.allocation for row in programme.allocations},
    }


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only what changed, allocations country by country, so the audit log reads as a list of edits."""
    old, new = {}, {}
    for key in ("target", "starts_on", "ends_on", "aqrf_level"):
        if before[key] != after[key]:
            old[key], new[key] = before[key], after[key]
    codes = sorted(set(before["allocations"]) | set(after["allocations"]))
    changed = [code for code in codes if before["allocations"].get(code, 0) != after["allocations"].get(code, 0)]
    if changed:
        old["allocations"] = {code: before["allocations"].get(code, 0) for code in changed}
        new["allocations"] = {code: after["allocations"].get(code, 0) for code in changed}
    return old, new


def update_settings(programme: Programme, by: User, *, target: int, starts_on: date, ends_on: date,
                    allocations: dict[Country, int], reason: str | None = None,
                    aqrf_level: int | None | object = ...) -> Programme:
    """Change the target, dates and allocations; audited with the values before and after.

    Raises AllocationError when the allocations sum above the target or one falls below the people
    already counted for its country (holding a place or certified, whichever is larger). The
    allocation rows are locked first, as approvals lock them, so no place is given while this checks.
    """

    rows = {row.country_id: row for row in db.session.scalars(
        select(CountryAllocation).where(CountryAllocation.programme_id == programme.id)
        .order_by(CountryAllocation.id).with_for_update())}
    counted = allocation_floor(programme)
    errors = {}
    for country, allocation in allocations.items():
        if allocation < counted.get(country.id, 0):
            errors[f"allocation_{country.code}"] = _(
                "%(country)s already counts %(least)d people (holding a place or certified); the allocation "
                "cannot be lower.", country=country.name, least=counted[country.id])
    total = sum(allocations.values()) + sum(row.allocation for country_id, row in rows.items()
                                            if country_id not in {country.id for country in allocations})
    if total > target:
        errors["target"] = _("The allocations add up to %(total)d, above the target of %(target)d.",
                             total=total, target=target)
    if errors:
        raise AllocationError("; ".join(errors.values()), errors)

    before = _settings(programme)
    programme.target, programme.starts_on, programme.ends_on = target, starts_on, ends_on
    if aqrf_level is not ...:  # left out: unchanged
        programme.aqrf_level = aqrf_level
    for country, allocation in allocations.items():
        if country.id in rows:
            rows[country.id].allocation = allocation
        else:
            programme.allocations.append(CountryAllocation(country=country, allocation=allocation))
    db.session.flush()
    old, new = _changes(before, _settings(programme))
    if new:
        record(by, "programme.settings_changed", programme, before=old, after=new, reason=reason)
    return programme
