"""Reads about intakes and enrolments shared by pages and the API."""
from datetime import date

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import Role, User
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState, Intake, intake_instructor
from lms.extensions import db


def enrolments_of(user: User) -> list[Enrolment]:
    return list(db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id)
        .options(joinedload(Enrolment.intake).joinedload(Intake.course))
        .order_by(Enrolment.requested_at.desc())
    ))


def open_intakes(today: date, limit: int = 10) -> list[Intake]:
    return list(db.session.scalars(
        select(Intake).where(Intake.starts_on >= today).options(joinedload(Intake.course))
        .order_by(Intake.starts_on).limit(limit)
    ))


def intakes_taught_by(user: User, today: date | None = None) -> list[tuple[Intake, dict[EnrolmentState, int]]]:
    """An instructor's intakes: those running today first, then those to come, then past ones."""
    today = today or utcnow().date()
    intakes = list(db.session.scalars(
        select(Intake).join(intake_instructor).where(intake_instructor.c.user_id == user.id)
        .options(joinedload(Intake.course)).order_by(Intake.starts_on.desc())
    ))
    intakes.sort(key=lambda i: (0, i.starts_on) if i.starts_on <= today <= i.ends_on
                 else (1, i.starts_on) if i.starts_on > today else (2, -i.ends_on.toordinal()))
    counts: dict[int, dict[EnrolmentState, int]] = {intake.id: {} for intake in intakes}
    if intakes:
        rows = db.session.execute(
            select(Enrolment.intake_id, Enrolment.state, func.count())
            .where(Enrolment.intake_id.in_(counts)).group_by(Enrolment.intake_id, Enrolment.state)
        )
        for intake_id, state, count in rows:
            counts[intake_id][state] = count
    return [(intake, counts[intake.id]) for intake in intakes]


def pending_requests(country_id: int | None = None, limit: int = 50) -> list[Enrolment]:
    """Requests awaiting a decision, oldest first; for one country or all."""
    query = (
        select(Enrolment).join(Enrolment.user).where(Enrolment.state == EnrolmentState.REQUESTED)
        .options(joinedload(Enrolment.user).joinedload(User.profile),
                 joinedload(Enrolment.intake).joinedload(Intake.course))
        .order_by(Enrolment.requested_at).limit(limit)
    )
    if country_id is not None:
        query = query.where(User.country_id == country_id)
    return list(db.session.scalars(query))


def state_counts(programme_id: int, country_id: int | None = None) -> dict[EnrolmentState, int]:
    """Enrolments of the programme per state; for one country or all."""
    query = (select(Enrolment.state, func.count()).join(Enrolment.user).join(Enrolment.intake)
             .where(Intake.programme_id == programme_id).group_by(Enrolment.state))
    if country_id is not None:
        query = query.where(User.country_id == country_id)
    return dict(db.session.execute(query).all())


def get_own_enrolment_or_404(enrolment_id: int, user: User) -> Enrolment:
    """The signed-in trainee's own enrolment in a state that allows studying; 404 for anyone else's.

    Its intake and course come in the same query: every study page shows them."""
    enrolment = db.session.get(Enrolment, enrolment_id,
                               options=[joinedload(Enrolment.intake).joinedload(Intake.course)])
    if enrolment is None or enrolment.user_id != user.id or not enrolment.can_study:
        abort(404)
    return enrolment


def get_visible_enrolment_or_404(enrolment_id: int, user: User) -> Enrolment:
    """An enrolment the user may look at (owner, its instructors, its country's coordinators)."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not enrolment.is_visible_to(user):
        abort(404)
    return enrolment


def enrolments_in_state(state: EnrolmentState, country_id: int | None = None, limit: int = 200) -> list[Enrolment]:
    """Enrolments in one state, oldest request first; for one country or all."""
    query = (
        select(Enrolment).join(Enrolment.user).where(Enrolment.state == state)
        .options(joinedload(Enrolment.user).joinedload(User.profile), joinedload(Enrolment.user).joinedload(User.country),
                 joinedload(Enrolment.intake).joinedload(Intake.course))
        .order_by(Enrolment.requested_at).limit(limit)
    )
    if country_id is not None:
        query = query.where(User.country_id == country_id)
    return list(db.session.scalars(query))


def intakes_open_for_decisions(today: date | None = None) -> list[Intake]:
    today = today or utcnow().date()
    return list(db.session.scalars(
        select(Intake).where(Intake.ends_on >= today).options(joinedload(Intake.course)).order_by(Intake.starts_on)
    ))


def own_enrolments_by_intake(user: User, intake_ids: list[int]) -> dict[int, Enrolment]:
    if not intake_ids:
        return {}
    return {enrolment.intake_id: enrolment for enrolment in db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.intake_id.in_(intake_ids)))}


def intakes_with_counts() -> list[tuple[Intake, dict[EnrolmentState, int]]]:
    intakes = list(db.session.scalars(
        select(Intake).options(joinedload(Intake.course), selectinload(Intake.instructors))
        .order_by(Intake.starts_on.desc())))
    counts: dict[int, dict[EnrolmentState, int]] = {intake.id: {} for intake in intakes}
    for intake_id, state, count in db.session.execute(
            select(Enrolment.intake_id, Enrolment.state, func.count()).group_by(Enrolment.intake_id, Enrolment.state)):
        counts.setdefault(intake_id, {})[state] = count
    return [(intake, counts[intake.id]) for intake in intakes]


def coordinators_of_country(country_id: int | None) -> list[User]:
    """The active country coordinators of a country."""
    return list(db.session.scalars(select(User).where(
        User.role == Role.COUNTRY_COORDINATOR, User.country_id == country_id, User.is_active.is_(True))
        .order_by(User.id)))


def who_decides_requests_of(country_id: int | None) -> list[User]:
    """The country's coordinators or, where it has none, the programme coordinators."""
    return coordinators_of_country(country_id) or list(db.session.scalars(select(User).where(
        User.role == Role.PROGRAMME_COORDINATOR, User.is_active.is_(True)).order_by(User.id)))


def countries_without_coordinator() -> list:
    """Member countries no active country coordinator looks after (their requests go to the programme's)."""
    from lms.programme.models import Country

    has_one = select(User.id).where(User.role == Role.COUNTRY_COORDINATOR, User.is_active.is_(True),
                                    User.country_id == Country.id).exists()
    return list(db.session.scalars(select(Country).where(~has_one).order_by(Country.name)))
