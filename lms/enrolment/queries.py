"""Reads about intakes and enrolments shared by pages and the API."""
from dataclasses import dataclass
from datetime import date

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import Role, User
from lms.accounts.queries import people_matching
from lms.catalogue.models import Course
from lms.core.listing import Filter, Listing, Sort
from lms.core import clock
from lms.enrolment.models import QUOTA_STATES, Enrolment, EnrolmentState, Intake, intake_instructor
from lms.extensions import db
from lms.programme.models import Country


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


def intakes_taught_by(user: User, today: date | None = None) -> list[tuple[Intake, "IntakeCounts"]]:
    """An instructor's intakes: those running today first, then those to come, then past ones."""
    today = today or clock.today()
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
    return [(intake, IntakeCounts(counts[intake.id])) for intake in intakes]


def waiting_in_order(intake: Intake, *, lock: bool = False) -> list[Enrolment]:
    """The intake's waiting list in the order freed places are given: longest waiting first.

    With `lock`, the rows are locked and read again (a coordinator may have decided one meanwhile)."""
    query = (select(Enrolment).where(Enrolment.intake_id == intake.id, Enrolment.state == EnrolmentState.WAITLISTED)
             .options(joinedload(Enrolment.user, innerjoin=True)).order_by(Enrolment.decided_at, Enrolment.id))
    if lock:
        query = query.with_for_update(of=Enrolment).execution_options(populate_existing=True)
    return list(db.session.scalars(query))


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
    today = today or clock.today()
    return list(db.session.scalars(
        select(Intake).where(Intake.ends_on >= today).options(joinedload(Intake.course)).order_by(Intake.starts_on)
    ))


def own_enrolments_by_intake(user: User, intake_ids: list[int]) -> dict[int, Enrolment]:
    if not intake_ids:
        return {}
    return {enrolment.intake_id: enrolment for enrolment in db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.intake_id.in_(intake_ids)))}


@dataclass
class IntakeCounts:
    """People in one intake per state, and the places it has given (the quota's holding states)."""
    by_state: dict[EnrolmentState, int]

    @property
    def requested(self) -> int:
        return self.by_state.get(EnrolmentState.REQUESTED, 0)

    @property
    def holding_place(self) -> int:
        return sum(self.by_state.get(state, 0) for state in QUOTA_STATES)

    @property
    def completed(self) -> int:
        return self.by_state.get(EnrolmentState.COMPLETED, 0)


def intakes_with_counts() -> list[tuple[Intake, IntakeCounts]]:
    intakes = list(db.session.scalars(
        select(Intake).options(joinedload(Intake.course), selectinload(Intake.instructors))
        .order_by(Intake.starts_on.desc())))
    counts: dict[int, dict[EnrolmentState, int]] = {intake.id: {} for intake in intakes}
    for intake_id, state, count in db.session.execute(
            select(Enrolment.intake_id, Enrolment.state, func.count()).group_by(Enrolment.intake_id, Enrolment.state)):
        counts.setdefault(intake_id, {})[state] = count
    return [(intake, IntakeCounts(counts[intake.id])) for intake in intakes]


# --- The coordinators' list of enrolments ------------------------------------------------------

ENROLMENT_FILTERS = ("state", "course", "intake", "country", "risk")
AT_RISK = "at_risk"


def enrolment_listing(country_id: int | None):
    """/enrolments as a Listing: search by name or e-mail, filters by state (requests by default), course,
    intake, country (a country coordinator sees their own country only) and trainees at risk, sortable columns."""
    from lms.enrolment.at_risk import at_risk_ids

    query = (select(Enrolment).join(Enrolment.user).join(Enrolment.intake).join(Intake.course)
             .options(joinedload(Enrolment.user).joinedload(User.profile),
                      joinedload(Enrolment.user).joinedload(User.country),
                      joinedload(Enrolment.intake).joinedload(Intake.course)))
    if country_id is not None:
        query = query.where(User.country_id == country_id)
    courses = db.session.execute(select(Course.id, Course.title).order_by(Course.title)).all()
    intakes = db.session.execute(select(Intake.id, Intake.title).order_by(Intake.starts_on.desc(), Intake.id)).all()
    filters = [
        Filter("state", _l("Status"), [(state.value, state.label) for state in EnrolmentState],
               lambda q, value: q.where(Enrolment.state == EnrolmentState(value)),
               default=EnrolmentState.REQUESTED.value, all_label=_l("Every status")),
        Filter("course", _l("Course"), [(str(id_), title) for id_, title in courses],
               lambda q, value: q.where(Intake.course_id == int(value)), all_label=_l("Every course")),
        Filter("intake", _l("Intake"), [(str(id_), title) for id_, title in intakes],
               lambda q, value: q.where(Enrolment.intake_id == int(value)), all_label=_l("Every intake")),
        Filter("risk", _l("At risk"), [(AT_RISK, _l("At risk only"))],
               lambda q, value: q.where(Enrolment.id.in_(at_risk_ids(country_id=country_id))),
               all_label=_l("At risk or not")),
    ]
    if country_id is None:
        countries = db.session.execute(select(Country.id, Country.name).order_by(Country.name)).all()
        filters.append(Filter("country", _l("Country"), [(str(id_), name) for id_, name in countries],
                              lambda q, value: q.where(User.country_id == int(value)), all_label=_l("Every country")))
    sorts = [
        Sort("asked", _l("Asked on"), (Enrolment.requested_at, Enrolment.id)),
        Sort("name", _l("Trainee"), (User.full_name, Enrolment.id)),
        Sort("country", _l("Country"), (User.country_id, User.full_name, Enrolment.id)),
        Sort("intake", _l("Intake"), (Intake.starts_on, Intake.title, Enrolment.id)),
        Sort("state", _l("Status"), (Enrolment.state, Enrolment.requested_at, Enrolment.id)),
    ]
    return Listing("enrolment.list_enrolments", query, sorts, filters, search=people_matching,
                   search_label=_l("Name or e-mail"), default_sort="asked")


NOMINATION_MATCHES = 20


def trainees_to_nominate(search: str, by: User) -> list[User]:
    """Trainees matching a name or e-mail whom `by` may place: their own country's, or anyone's."""
    query = (select(User).where(User.role == Role.TRAINEE, User.is_active.is_(True), people_matching(search))
             .options(joinedload(User.profile), joinedload(User.country)).order_by(User.full_name, User.id)
             .limit(NOMINATION_MATCHES))
    if by.role is Role.COUNTRY_COORDINATOR:
        query = query.where(User.country_id == by.country_id)
    return list(db.session.scalars(query))


def coordinators_of_country(country_id: int | None) -> list[User]:
    """The active country coordinators of a country."""
    return list(db.session.scalars(select(User).where(
        User.role == Role.COUNTRY_COORDINATOR, User.country_id == country_id, User.is_active.is_(True))
        .order_by(User.id)))


def who_decides_requests_of(country_id: int | None) -> list[User]:
    """The country's coordinators or, where it has none, the programme coordinators."""
    return coordinators_of_country(country_id) or list(db.session.scalars(select(User).where(
        User.role == Role.PROGRAMME_COORDINATOR, User.is_active.is_(True)).order_by(User.id)))

