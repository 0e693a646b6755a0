"""Enrolment writes: requests, decisions under the quota, nominations, withdrawals.

The quota rule: a country's distinct people holding an approved, active or completed enrolment
never exceed its allocation, unless a programme coordinator overrides with a written reason.
Every approval first locks the country's allocation row (SELECT ... FOR UPDATE), so two
coordinators approving the last place at the same moment are served one after the other.
"""
from datetime import date

from flask_babel import format_date, gettext as _
from sqlalchemy import inspect, select

from lms.accounts.models import Role, User
from lms.audit.operations import record
from lms.core import clock
from lms.core.db import utcnow
from lms.core.i18n import speaking_to
from lms.core.templating import date_pattern
from lms.core.urls import external_url
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.enrolment.queries import waiting_in_order
from lms.extensions import db
from lms.notifications.operations import notify
from lms.programme import quota
from lms.core.transactions import Refused


class EnrolmentRefused(Refused):
    """An enrolment action the rules do not allow; the message is meant for the person acting."""

    code = "refused"


class QuotaFull(EnrolmentRefused):
    code = "quota_full"


class IntakeFull(EnrolmentRefused):
    code = "intake_full"


class AlreadyInCourse(EnrolmentRefused):
    code = "already_in_course"


# One place per course: a person holds or seeks at most one intake of a course at a time, and a
# completed course is not taken again. Withdrawn, rejected and failed enrolments leave the way open.
SEEKING_OR_HOLDING = (EnrolmentState.REQUESTED, EnrolmentState.WAITLISTED, EnrolmentState.APPROVED,
                      EnrolmentState.ACTIVE, EnrolmentState.COMPLETED)
HOLDING_IN_COURSE = (EnrolmentState.APPROVED, EnrolmentState.ACTIVE, EnrolmentState.COMPLETED)


def _today() -> date:
    return clock.today()


def may_place(user: User, trainee: User) -> bool:
    """Country coordinators place trainees of their own country; programme coordinators anyone's."""
    if user.role is Role.PROGRAMME_COORDINATOR:
        return True
    return user.role is Role.COUNTRY_COORDINATOR and user.country_id == trainee.country_id


def may_decide(user: User, enrolment: Enrolment) -> bool:
    return may_place(user, enrolment.user)


def _check_decider(user: User, enrolment: Enrolment) -> None:
    if not may_decide(user, enrolment):
        raise PermissionError("not allowed to decide on this enrolment")


def _activate_if_running(enrolment: Enrolment) -> None:
    """A place given in an intake that has started is made active by a job, right after the commit."""
    from lms.enrolment.jobs import start_intake
    from lms.jobs.engine import queue

    if enrolment.intake.starts_on <= clock.today():
        queue(start_intake, enrolment.intake_id)


def _lock_enrolment(enrolment: Enrolment) -> None:
    """Lock the enrolment's row and read its state again, so of two decisions sent at the same moment the
    second sees the first (and is refused) instead of both succeeding.

    Lock order, everywhere: countries' allocations (in id order), then enrolments, then the intake."""
    if inspect(enrolment).persistent:
        db.session.refresh(enrolment, with_for_update=True)


def _study_link(enrolment: Enrolment) -> str:
    return external_url("learning.show_intake", enrolment_id=enrolment.id)


def other_intake_of_course(user: User, intake: Intake, states) -> Enrolment | None:
    """The person's enrolment in another intake of the same course, in one of `states`."""
    return db.session.scalar(
        select(Enrolment).join(Enrolment.intake)
        .where(Enrolment.user_id == user.id, Intake.course_id == intake.course_id, Intake.id != intake.id,
               Enrolment.state.in_(states))
        .order_by(Enrolment.id).limit(1)
    )


def _refuse_second_place(user: User, intake: Intake, states, *, own: bool) -> None:
    other = other_intake_of_course(user, intake, states)
    if other is None:
        return
    if other.state is EnrolmentState.COMPLETED:
        raise AlreadyInCourse(_("You have already completed this course.") if own else
                              _("%(name)s has already completed this course.", name=user.full_name))
    if own:
        raise AlreadyInCourse(_("You are already in the intake %(intake)s of this course (status: %(state)s). "
                                "Withdraw from it first to ask for another intake.",
                                intake=other.intake.title, state=other.state.label))
    raise AlreadyInCourse(_("%(name)s already holds a place in the intake %(intake)s of this course; one "
                            "person takes one intake of a course at a time.",
                            name=user.full_name, intake=other.intake.title))


def _lock_intake(intake: Intake) -> None:
    db.session.execute(select(Intake.id).where(Intake.id == intake.id).with_for_update())


def check_places(enrolment: Enrolment, *, override_reason: str | None = None) -> bool:
    """Lock and check the country's quota and the intake's capacity for one more person.

    Returns True when the quota is exceeded under an override; raises QuotaFull or IntakeFull.
    """
    intake, trainee = enrolment.intake, enrolment.user
    allocation = quota.lock_allocation(intake.programme_id, trainee.country_id)  # always first: no deadlocks
    _lock_intake(intake)
    # Checked under the country's lock, so two approvals of one person into two intakes cannot both pass.
    _refuse_second_place(trainee, intake, HOLDING_IN_COURSE, own=False)
    if quota.places_taken(intake) >= intake.capacity:
        raise IntakeFull(_("This intake is full (%(capacity)d places). Put the request on the waiting list "
                           "or choose another intake.", capacity=intake.capacity))
    if quota.holds_place_already(trainee, intake.programme_id):
        return False  # the person already counts once; another course costs no extra place
    allowed = allocation.allocation if allocation else 0
    holding = quota.people_holding_places(intake.programme_id, trainee.country_id)
    if holding < allowed:
        return False
    if override_reason:
        return True
    raise QuotaFull(_("%(country)s has used all %(allowed)d places of its allocation. Put the request on the "
                      "waiting list, or ask a programme coordinator to approve it beyond the quota with a "
                      "written reason.", country=trainee.country.name, allowed=allowed))


# --- Trainee actions ---------------------------------------------------------------------------

def request_enrolment(user: User, intake: Intake, today: date | None = None) -> Enrolment:
    if user.role is not Role.TRAINEE:
        raise EnrolmentRefused(_("Only trainees can ask to join an intake."))
    if not intake.accepts_requests_on(today or _today()):
        raise EnrolmentRefused(_("This intake has already started; requests are closed. Choose a later intake."))
    existing = db.session.scalar(select(Enrolment).where(Enrolment.intake_id == intake.id,
                                                         Enrolment.user_id == user.id))
    if existing is not None:
        raise EnrolmentRefused(_("You have already asked to join this intake (status: %(state)s).",
                                 state=existing.state.label))
    _refuse_second_place(user, intake, SEEKING_OR_HOLDING, own=True)
    enrolment = Enrolment(intake=intake, user=user, requested_at=utcnow())
    db.session.add(enrolment)
    db.session.flush()
    _tell_deciders(enrolment)
    return enrolment


def _tell_deciders(enrolment: Enrolment) -> None:
    """The country's coordinators, or the programme coordinators where the country has none, hear of a request."""
    from flask import has_request_context, url_for

    from lms.enrolment.queries import who_decides_requests_of
    from lms.notifications.models import NoticeKind
    from lms.notifications.operations import notify_once

    trainee = enrolment.user
    link = url_for("enrolment.decide_enrolment", enrolment_id=enrolment.id, _external=True) \
        if has_request_context() else None
    for coordinator in who_decides_requests_of(trainee.country_id):
        notify_once(coordinator, NoticeKind.NEW_REQUEST, f"enrolment:{enrolment.id}",
                    _("%(name)s (%(country)s) asks for a place in %(course)s (%(start)s).", name=trainee.full_name,
                      country=trainee.country.name if trainee.country else "-",
                      course=enrolment.intake.course.title, start=enrolment.intake.starts_on.isoformat()),
                    mail_subject=_("A new request waits for your decision"), link=link)


def withdraw_enrolment(enrolment: Enrolment, by: User, reason: str | None = None) -> list[Enrolment]:
    """Withdraw; a freed place goes to the waiting list in order. Returns who was promoted."""
    if by.id != enrolment.user_id:
        _check_decider(by, enrolment)
    if enrolment.holds_quota_slot:  # the freed place may go to anyone waiting: their countries first
        quota.lock_allocations(enrolment.intake.programme_id,
                               {enrolment.user.country_id} | _waiting_countries(enrolment.intake))
    _lock_enrolment(enrolment)
    if not enrolment.can_move_to(EnrolmentState.WITHDRAWN):
        raise EnrolmentRefused(_("This enrolment can no longer be withdrawn (status: %(state)s).",
                                 state=enrolment.state.label))
    freed = enrolment.holds_quota_slot
    before = enrolment.state.value
    enrolment.move_to(EnrolmentState.WITHDRAWN, by=by, reason=reason)
    record(by, "enrolment.withdrawn", enrolment, before={"state": before}, after={"state": "withdrawn"},
           reason=reason)
    db.session.flush()
    return promote_waitlist(enrolment.intake) if freed else []


# --- Coordinator decisions ---------------------------------------------------------------------

def approve_enrolment(enrolment: Enrolment, by: User, reason: str | None = None,
                      override_reason: str | None = None, today: date | None = None) -> Enrolment:
    _check_decider(by, enrolment)
    if override_reason and by.role is not Role.PROGRAMME_COORDINATOR:
        raise PermissionError("only programme coordinators may override the quota")
    quota.lock_allocation(enrolment.intake.programme_id, enrolment.user.country_id)
    _lock_enrolment(enrolment)
    if not enrolment.can_move_to(EnrolmentState.APPROVED):
        raise EnrolmentRefused(_("This request cannot be approved (status: %(state)s).", state=enrolment.state.label))
    if not enrolment.intake.accepts_decisions_on(today or _today()):
        raise EnrolmentRefused(_("This intake has ended; no one can be placed in it any more."))
    overridden = check_places(enrolment, override_reason=override_reason)
    before = enrolment.state.value
    enrolment.move_to(EnrolmentState.APPROVED, by=by, reason=reason)
    record(by, "enrolment.approved", enrolment, before={"state": before}, after={"state": "approved"}, reason=reason)
    if overridden:
        enrolment.quota_override_reason = override_reason
        record(by, "quota.override", enrolment, before={"state": before}, after={"state": "approved"},
               reason=override_reason)
    with speaking_to(enrolment.user):
        notify(enrolment.user, _("Your place in %(course)s (%(start)s) is confirmed.",
                                 course=enrolment.intake.course.title, start=format_date(enrolment.intake.starts_on, date_pattern())),
               link=_study_link(enrolment), mail_subject=_("Your place is confirmed"))
    _activate_if_running(enrolment)
    db.session.flush()
    return enrolment


def waitlist_enrolment(enrolment: Enrolment, by: User, reason: str) -> Enrolment:
    _check_decider(by, enrolment)
    _lock_enrolment(enrolment)
    if not enrolment.can_move_to(EnrolmentState.WAITLISTED):
        raise EnrolmentRefused(_("This request cannot be put on the waiting list (status: %(state)s).",
                                 state=enrolment.state.label))
    before = enrolment.state.value
    enrolment.move_to(EnrolmentState.WAITLISTED, by=by, reason=reason)
    record(by, "enrolment.waitlisted", enrolment, before={"state": before}, after={"state": "waitlisted"},
           reason=reason)
    with speaking_to(enrolment.user):
        notify(enrolment.user, _("Your request to join %(course)s is on the waiting list: %(reason)s",
                                 course=enrolment.intake.course.title, reason=reason),
               mail_subject=_("You are on the waiting list"))
    db.session.flush()
    return enrolment


def reject_enrolment(enrolment: Enrolment, by: User, reason: str) -> Enrolment:
    _check_decider(by, enrolment)
    _lock_enrolment(enrolment)
    if not enrolment.can_move_to(EnrolmentState.REJECTED):
        raise EnrolmentRefused(_("This request cannot be rejected (status: %(state)s).", state=enrolment.state.label))
    before = enrolment.state.value
    enrolment.move_to(EnrolmentState.REJECTED, by=by, reason=reason)
    record(by, "enrolment.rejected", enrolment, before={"state": before}, after={"state": "rejected"}, reason=reason)
    with speaking_to(enrolment.user):
        notify(enrolment.user, _("Your request to join %(course)s was not accepted: %(reason)s",
                                 course=enrolment.intake.course.title, reason=reason),
               mail_subject=_("Your request was not accepted"))
    db.session.flush()
    return enrolment


def _waiting_countries(intake: Intake) -> set[int]:
    return {enrolment.user.country_id for enrolment in waiting_in_order(intake)}


def promote_waitlist(intake: Intake) -> list[Enrolment]:
    """Give freed places to the waiting list, longest waiting first, as far as quota and capacity allow.

    The system decides (no person is recorded as the actor): the place was freed, nobody chose whom."""
    # The waiting people's countries' allocations in id order, then the waiting rows read again under
    # their locks, then the intake in check_places.
    quota.lock_allocations(intake.programme_id, _waiting_countries(intake))
    waiting = waiting_in_order(intake, lock=True)
    promoted = []
    for enrolment in waiting:
        try:
            check_places(enrolment)
        except IntakeFull:
            break
        except (QuotaFull, AlreadyInCourse):
            continue  # this person's country is full, or they hold a place elsewhere; the next in line may not
        enrolment.move_to(EnrolmentState.APPROVED, by=None, reason="A place was freed on the waiting list")
        record(None, "enrolment.approved", enrolment, before={"state": "waitlisted"}, after={"state": "approved"},
               reason="Promoted from the waiting list")
        with speaking_to(enrolment.user):
            notify(enrolment.user, _("A place opened up: you are now enrolled in %(course)s.",
                                     course=intake.course.title),
                   link=_study_link(enrolment), mail_subject=_("A place opened up for you"))
        _activate_if_running(enrolment)
        db.session.flush()
        promoted.append(enrolment)
    return promoted


def nominate(by: User, trainee: User, intake: Intake, reason: str | None = None,
             today: date | None = None) -> Enrolment:
    """A coordinator puts a trainee of their country forward and places them at once (quota permitting)."""
    if trainee.role is not Role.TRAINEE:
        raise EnrolmentRefused(_("%(email)s is not a trainee account.", email=trainee.email))
    existing = db.session.scalar(select(Enrolment).where(Enrolment.intake_id == intake.id,
                                                         Enrolment.user_id == trainee.id))
    if existing is not None:
        raise EnrolmentRefused(_("%(name)s is already in this intake (status: %(state)s).",
                                 name=trainee.full_name, state=existing.state.label))
    enrolment = Enrolment(intake=intake, user=trainee, requested_at=utcnow(), nominated_by=by)
    db.session.add(enrolment)
    return approve_enrolment(enrolment, by, reason=reason or "Nominated by the coordinator", today=today)
