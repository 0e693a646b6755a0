"""The quota report's numbers, counted in SQL in one place for every output (pages, PDF, CSV, JSON, CLI).

A person counts toward the target once: in the programme year of the completion date of their first
certificate that is not revoked. Every figure counts distinct people, so someone with several
courses counts once; withdrawn, failed and rejected enrolments and revoked certificates never count.
"""
import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import Category, Gender, OrganisationType, Role, TraineeProfile, User
from lms.accounts.queries import people_matching
from lms.core.db import utcnow
from lms.core.paging import PAGE_SIZE, page_count
from lms.enrolment.models import QUOTA_STATES, DeliveryMode, Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.programme.models import Country, Programme
from lms.programme.quota import (ProgrammeYear, allocations, first_certificates, in_country, people_per_country,
                                 programme_years, still_to_certify)
from lms.reports.models import ReportSchedule, ReportScheduleRun

# A month is a twelfth of an average year, so months need no calendar arithmetic.
DAYS_PER_MONTH = 365.25 / 12
# Status from the forecast as a share of the allocation.
ON_TRACK_SHARE = 1.0
AT_RISK_SHARE = 0.8

NOT_GIVEN = "not_given"


class Status(enum.Enum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return {
            Status.ON_TRACK: _l("On track"),
            Status.AT_RISK: _l("At risk"),
            Status.BEHIND: _l("Behind"),
            Status.NOT_STARTED: _l("Not started"),
        }[self]


THRESHOLDS = _l(
    "On track: the forecast reaches at least %(on_track)d%% of the allocation. At risk: the forecast reaches "
    "%(at_risk)d%% to %(on_track)d%%. Behind: the forecast is under %(at_risk)d%%. Before the programme starts "
    "the status is \"not started\"; a country with no allocation is on track.",
    on_track=round(ON_TRACK_SHARE * 100), at_risk=round(AT_RISK_SHARE * 100),
)

DEFINITIONS = [
    (_l("Allocation"), _l("The places given to a country by the programme coordinators. For the whole programme, "
                          "the target.")),
    (_l("Nominated"), _l("Distinct people with any enrolment in the programme, whether they asked to join or "
                         "were nominated, whatever became of it.")),
    (_l("Approved, active, completed"), _l("Distinct people with at least one enrolment in that state now. "
                                           "Someone with two courses can appear in two of these columns.")),
    (_l("Certified"), _l("Distinct people with at least one certificate of the programme that is not revoked: "
                         "the count toward the target. A person counts once, in the programme year of their "
                         "first certificate's completion date; a replaced certificate is counted through its "
                         "successor. Withdrawn, failed and revoked do not count.")),
    (_l("Percentage"), _l("Certified as a share of the allocation.")),
    (_l("Still to certify"), _l("Allocation minus certified, never below zero.")),
    (_l("Pace needed"), _l("Still to certify divided by the months left until the programme's end date; a month is a "
                           "twelfth of a year (30.44 days).")),
    (_l("Current pace"), _l("Certified divided by the months elapsed since the programme's start date.")),
    (_l("Forecast"), _l("The certified count the programme will reach at its end at the current pace: "
                        "certified ÷ months elapsed × total months.")),
    (_l("Status"), THRESHOLDS),
    (_l("Programme year"), _l("Year 1 starts on the programme's start date; each year starts on its anniversary.")),
    (_l("Breakdowns"), _l("Certified people by programme year of their first certificate, by category, gender and "
                          "type of organisation from the trainee's profile (\"not given\" when empty), and by the "
                          "delivery mode of the intake of their first certificate.")),
]


# --- The programme's calendar ------------------------------------------------------------------

@dataclass(frozen=True)
class Clock:
    """How far into the programme a day is, in days."""
    total_days: int
    elapsed_days: int  # up to and including the day

    @classmethod
    def of(cls, programme: Programme, as_of: date) -> "Clock":
        total = (programme.ends_on - programme.starts_on).days + 1
        elapsed = min(max((as_of - programme.starts_on).days + 1, 0), total)
        return cls(total, elapsed)

    @property
    def remaining_days(self) -> int:
        return self.total_days - self.elapsed_days


# --- Figures ------------------------------------------------------------------------------------

@dataclass
class Breakdown:
    """Certified people split one way, as (key, label, count) rows in a fixed order."""
    key: str
    title: str
    rows: list[tuple[str, str, int]]


@dataclass
class Figures:
    """One line of the report: the programme against its target, or a country against its allocation."""
    code: str | None  # the country's code; None for the whole programme
    name: str
    allocation: int
    nominated: int
    approved: int
    active: int
    completed: int
    certified: int
    clock: Clock
    breakdowns: list[Breakdown] = field(default_factory=list)

    @property
    def percentage(self) -> float | None:
        return round(self.certified / self.allocation * 100, 1) if self.allocation else None

    @property
    def still_to_certify(self) -> int:
        return still_to_certify(self.allocation, self.certified)

    @property
    def pace_needed(self) -> float | None:
        """People to certify per month from now on to reach the allocation; None once the programme has ended."""
        if not self.clock.remaining_days:
            return None
        return round(self.still_to_certify / (self.clock.remaining_days / DAYS_PER_MONTH), 1)

    @property
    def current_pace(self) -> float | None:
        if not self.clock.elapsed_days:
            return None
        return round(self.certified / (self.clock.elapsed_days / DAYS_PER_MONTH), 1)

    @property
    def forecast(self) -> float | None:
        if not self.clock.elapsed_days:
            return None
        return round(self.certified * self.clock.total_days / self.clock.elapsed_days, 1)

    @property
    def status(self) -> Status:
        """From the forecast as shown (one decimal), so the page never contradicts itself."""
        if self.forecast is None:
            return Status.NOT_STARTED
        if self.forecast >= self.allocation * ON_TRACK_SHARE:
            return Status.ON_TRACK
        if self.forecast >= self.allocation * AT_RISK_SHARE:
            return Status.AT_RISK
        return Status.BEHIND

    def breakdown(self, key: str) -> Breakdown:
        return next(breakdown for breakdown in self.breakdowns if breakdown.key == key)


@dataclass
class QuotaReport:
    programme: Programme
    country: Country | None  # None: the whole programme
    generated_at: datetime
    summary: Figures
    countries: list[Figures]
    timeline: list[tuple[date, int]]  # (day, cumulative distinct people certified), one point a certification day
    years: list[ProgrammeYear]

    @property
    def as_of(self) -> date:
        return self.generated_at.date()

    @property
    def scope_name(self) -> str:
        return self.country.name if self.country else str(_l("All countries"))

    def expected_by(self, day: date) -> float:
        """The straight line from nothing at the start to the allocation at the end."""
        clock = Clock.of(self.programme, day)
        return self.summary.allocation * clock.elapsed_days / clock.total_days


# --- Queries --------------------------------------------------------------------------------------

def _people_per_state(programme_id: int, country_id: int | None) -> dict[EnrolmentState, dict[int | None, int]]:
    query = (
        select(User.country_id, Enrolment.state, func.count(distinct(Enrolment.user_id)))
        .select_from(Enrolment).join(Enrolment.user).join(Enrolment.intake)
        .where(Intake.programme_id == programme_id, Enrolment.state.in_(QUOTA_STATES))
        .group_by(User.country_id, Enrolment.state)
    )
    counts: dict[EnrolmentState, dict[int | None, int]] = {state: {} for state in QUOTA_STATES}
    for country_id_, state, count in db.session.execute(in_country(query, country_id)):
        counts[state][country_id_] = count
    return counts


def _certified_combinations(first, country_id: int | None):
    """Certified people per country, programme year, category, gender, delivery mode and organisation type,
    in one GROUP BY.

    The certified count and each breakdown are sums of these rows (at most a few hundred), so the
    ranking of certificates runs once instead of once a figure.
    """
    query = (
        select(User.country_id, first.c.year, TraineeProfile.category, TraineeProfile.gender, first.c.mode,
               TraineeProfile.organisation_type, func.count(first.c.user_id))
        .select_from(first).join(User, User.id == first.c.user_id)
        .outerjoin(TraineeProfile, TraineeProfile.user_id == User.id)
        .group_by(User.country_id, first.c.year, TraineeProfile.category, TraineeProfile.gender, first.c.mode,
                  TraineeProfile.organisation_type)
    )
    return db.session.execute(in_country(query, country_id)).all()


def _timeline(first, country_id: int | None) -> list[tuple[date, int]]:
    query = (
        select(first.c.completed_on, func.count(first.c.user_id)).select_from(first)
        .join(User, User.id == first.c.user_id)
        .group_by(first.c.completed_on).order_by(first.c.completed_on)
    )
    total, points = 0, []
    for day, count in db.session.execute(in_country(query, country_id)):
        total += count
        points.append((day, total))
    return points


def _breakdown_rows(counts: dict, years: list[ProgrammeYear], outside: set[int]) -> list[Breakdown]:
    """Breakdowns in a fixed order from {dimension: {value: count}}; empty rows are kept (they are news too).

    Certifications dated before the start or after the end get a row of their own when the report has any
    (`outside` holds their buckets), so every line of a report has the same rows.
    """
    year_rows = []
    if 0 in outside:
        year_rows.append(("before_start", str(_l("Before the start")), counts["year"].get(0, 0)))
    year_rows += [(str(year.number), year.label, counts["year"].get(year.number, 0)) for year in years]
    if len(years) + 1 in outside:
        year_rows.append(("after_end", str(_l("After the end")), counts["year"].get(len(years) + 1, 0)))
    return [
        Breakdown("year", str(_l("Programme year")), year_rows),
        Breakdown("category", str(_l("Category")),
                  [(member.value, str(member.label), counts["category"].get(member, 0)) for member in Category]
                  + [(NOT_GIVEN, str(_l("Not given")), counts["category"].get(None, 0))]),
        Breakdown("gender", str(_l("Gender")),
                  [(member.value, str(member.label), counts["gender"].get(member, 0)) for member in Gender]
                  + [(NOT_GIVEN, str(_l("Not given")), counts["gender"].get(None, 0))]),
        Breakdown("mode", str(_l("Delivery mode")),
                  [(member.value, str(member.label), counts["mode"].get(member, 0)) for member in DeliveryMode]),
        Breakdown("organisation", str(_l("Type of organisation")),
                  [(member.value, str(member.label), counts["organisation"].get(member, 0))
                   for member in OrganisationType]
                  + [(NOT_GIVEN, str(_l("Not given")), counts["organisation"].get(None, 0))]),
    ]


def _summed(per_country: dict) -> dict:
    totals: dict = defaultdict(int)
    for counts in per_country.values():
        for value, count in counts.items():
            totals[value] += count
    return totals


def quota_report(programme: Programme, country: Country | None = None, now: datetime | None = None) -> QuotaReport:
    """The whole report for the programme, or for one country, as of `now` (default: this moment)."""
    now = now or utcnow()
    clock = Clock.of(programme, now.date())
    country_id = country.id if country else None
    years = programme_years(programme)
    first = first_certificates(programme)

    nominated = people_per_country(programme.id, country_id)
    states = _people_per_state(programme.id, country_id)
    certified: dict[int | None, int] = defaultdict(int)
    split: dict[str, dict] = {dimension: defaultdict(lambda: defaultdict(int))
                              for dimension in ("year", "category", "gender", "mode", "organisation")}
    for country_id_, year, category, gender, mode, organisation, count in _certified_combinations(first, country_id):
        certified[country_id_] += count
        for dimension, value in (("year", year), ("category", category), ("gender", gender), ("mode", mode),
                                 ("organisation", organisation)):
            split[dimension][country_id_][value] += count

    outside = {bucket for per_country in split["year"].values() for bucket, count in per_country.items()
               if count and bucket in (0, len(years) + 1)}

    def figures(code, name, allocation, pick, breakdown_counts) -> Figures:
        return Figures(
            code=code, name=name, allocation=allocation, nominated=pick(nominated),
            approved=pick(states[EnrolmentState.APPROVED]), active=pick(states[EnrolmentState.ACTIVE]),
            completed=pick(states[EnrolmentState.COMPLETED]), certified=pick(certified), clock=clock,
            breakdowns=_breakdown_rows(breakdown_counts, years, outside),
        )

    countries = [
        figures(c.code, c.name, allocation, lambda counts, c=c: counts.get(c.id, 0),
                {dimension: per_country.get(c.id, {}) for dimension, per_country in split.items()})
        for c, allocation in allocations(programme, country_id)
    ]
    if country is not None:
        summary = countries[0]
    else:
        # Everyone belongs to one country, so the programme's distinct people are the sum of the countries'.
        summary = figures(None, programme.title, programme.target, lambda counts: sum(counts.values()),
                          {dimension: _summed(per_country) for dimension, per_country in split.items()})
    return QuotaReport(programme=programme, country=country, generated_at=now, summary=summary,
                       countries=countries, timeline=_timeline(first, country_id), years=years)


# --- Where each trainee of a country stands ---------------------------------------------------------

STAGE_ORDER = [EnrolmentState.COMPLETED, EnrolmentState.ACTIVE, EnrolmentState.APPROVED, EnrolmentState.WAITLISTED,
               EnrolmentState.REQUESTED, EnrolmentState.FAILED, EnrolmentState.WITHDRAWN, EnrolmentState.REJECTED]


@dataclass
class TraineeStanding:
    user: User
    enrolments: list[Enrolment]
    certified_on: date | None  # completion date of the first certificate not revoked

    @property
    def stage(self) -> str:
        """The furthest point the person has reached, in words."""
        if self.certified_on:
            return str(_l("Certified"))
        states = {enrolment.state for enrolment in self.enrolments}
        for state in STAGE_ORDER:
            if state in states:
                return str(state.label)
        return str(_l("Not enrolled yet"))


TRAINEES_PER_PAGE = PAGE_SIZE


@dataclass
class TraineeList:
    """One page of a country's trainees, in name order, and how many match in all."""

    standings: list[TraineeStanding]
    total: int
    page: int
    pages: int
    search: str
    per_page: int

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.per_page + 1

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.standings) - 1


def country_trainees(programme: Programme, country: Country, *, page: int = 1, search: str = "",
                     per_page: int | None = None) -> TraineeList:
    """A page of the country's trainees (matching `search` in name or e-mail), each with their enrolments in
    the programme and whether they are certified. Only the page's people are loaded, whatever the country's size."""
    enrolled = (select(Enrolment.user_id).join(Enrolment.intake)
                .where(Intake.programme_id == programme.id))
    people = select(User.id).where(User.country_id == country.id,
                                   or_(User.role == Role.TRAINEE, User.id.in_(enrolled)))
    per_page = per_page or TRAINEES_PER_PAGE
    search = search.strip()[:100]
    if search:
        people = people.where(people_matching(search))
    total = db.session.scalar(select(func.count()).select_from(people.subquery()))
    pages = page_count(total, per_page)
    page = min(max(page, 1), pages)
    users = db.session.scalars(
        select(User).options(joinedload(User.profile)).where(User.id.in_(people))
        .order_by(User.full_name, User.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    user_ids = [user.id for user in users]
    enrolments: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in db.session.scalars(
            select(Enrolment).join(Enrolment.intake)
            .where(Enrolment.user_id.in_(user_ids), Intake.programme_id == programme.id)
            .options(joinedload(Enrolment.intake).joinedload(Intake.course))
            .order_by(Intake.starts_on, Enrolment.id)):
        enrolments[enrolment.user_id].append(enrolment)
    first = first_certificates(programme)
    certified_on = dict(db.session.execute(
        select(first.c.user_id, first.c.completed_on).where(first.c.user_id.in_(user_ids))
    ).all())
    standings = [TraineeStanding(user, enrolments.get(user.id, []), certified_on.get(user.id)) for user in users]
    return TraineeList(standings, total, page, pages, search, per_page)


def country_by_code(code: str) -> Country | None:
    """The country with this ISO code; None for anything else (THX is not Thailand)."""
    code = code.strip().upper()
    if len(code) != 2:
        return None
    return db.session.scalar(select(Country).where(Country.code == code))


# --- Report schedules -------------------------------------------------------------------------------

def programme_schedules(programme: Programme) -> list[ReportSchedule]:
    return list(db.session.scalars(
        select(ReportSchedule).where(ReportSchedule.programme_id == programme.id, ReportSchedule.subscriber_id.is_(None))
        .options(selectinload(ReportSchedule.countries)).order_by(ReportSchedule.name, ReportSchedule.id)))


def subscriptions(programme: Programme) -> list[ReportSchedule]:
    """The country coordinators' own subscriptions, for the programme coordinators to see."""
    return list(db.session.scalars(
        select(ReportSchedule).join(ReportSchedule.subscriber)
        .where(ReportSchedule.programme_id == programme.id, ReportSchedule.subscriber_id.is_not(None))
        .options(joinedload(ReportSchedule.subscriber).joinedload(User.country)).order_by(User.full_name)))


def subscription_of(user: User) -> ReportSchedule | None:
    return db.session.scalar(select(ReportSchedule).where(ReportSchedule.subscriber_id == user.id))


def latest_runs(schedule_ids: list[int]) -> dict[int, ReportScheduleRun]:
    """Each schedule's latest run (the one claimed last), by schedule id."""
    if not schedule_ids:
        return {}
    latest = (select(func.max(ReportScheduleRun.id)).where(ReportScheduleRun.schedule_id.in_(schedule_ids))
              .group_by(ReportScheduleRun.schedule_id))
    runs = db.session.scalars(select(ReportScheduleRun).where(ReportScheduleRun.id.in_(latest)))
    return {run.schedule_id: run for run in runs}


def recent_runs(schedule: ReportSchedule, limit: int = 20) -> list[ReportScheduleRun]:
    return list(db.session.scalars(
        select(ReportScheduleRun).where(ReportScheduleRun.schedule_id == schedule.id)
        .options(joinedload(ReportScheduleRun.requested_by))
        .order_by(ReportScheduleRun.id.desc()).limit(limit)))
