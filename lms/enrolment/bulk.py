"""Deciding several requests at once: the whole selection checked against quota and capacity, then all
decided or none (the caller rolls back on EnrolmentRefused), as a CSV nomination is."""
from collections import Counter

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.enrolment.operations import (EnrolmentRefused, IntakeFull, QuotaFull, approve_enrolment, may_decide,
                                      reject_enrolment, waitlist_enrolment)
from lms.programme import quota

DECIDABLE = (EnrolmentState.REQUESTED, EnrolmentState.WAITLISTED)


def check_selection(enrolments: list[Enrolment], by: User, decision: str) -> None:
    """Raises EnrolmentRefused naming the first person or the first full country or intake."""
    if not enrolments:
        raise EnrolmentRefused(_("Select at least one request."))
    for enrolment in enrolments:
        if not may_decide(by, enrolment):
            raise PermissionError("not allowed to decide on this enrolment")
        if enrolment.state not in DECIDABLE or (decision == "waitlist" and enrolment.state is EnrolmentState.WAITLISTED):
            raise EnrolmentRefused(_("%(name)s can no longer be decided here (status: %(state)s). Nothing was changed.",
                                     name=enrolment.user.full_name, state=enrolment.state.label))
    if decision != "approve":
        return
    programme_ids = {enrolment.intake.programme_id for enrolment in enrolments}
    for programme_id in sorted(programme_ids):
        # Every country's allocation of the selection first, in id order, before any intake: no deadlock.
        quota.lock_allocations(programme_id, {e.user.country_id for e in enrolments
                                              if e.intake.programme_id == programme_id})
    per_intake = Counter(enrolment.intake for enrolment in enrolments)
    for intake, count in sorted(per_intake.items(), key=lambda item: item[0].id):
        free = quota.places_left(intake.capacity, quota.places_taken(intake))
        if count > free:
            raise IntakeFull(_("%(intake)s has %(free)d free places, but %(count)d people are selected for it. "
                               "Nothing was changed.", intake=intake.title, free=free, count=count))
    new_people: Counter = Counter()
    seen: set[tuple[int, int]] = set()
    for enrolment in enrolments:
        key = (enrolment.intake.programme_id, enrolment.user_id)
        if key in seen or quota.holds_place_already(enrolment.user, enrolment.intake.programme_id):
            continue  # a person counts once in the programme
        seen.add(key)
        new_people[(enrolment.intake.programme, enrolment.user.country)] += 1
    for (programme, country), count in sorted(new_people.items(), key=lambda item: item[0][1].id):
        free = quota.places_left(programme.allocation_for(country),
                                 quota.people_holding_places(programme.id, country.id))
        if count > free:
            raise QuotaFull(_("The selection needs %(count)d places of %(country)s's allocation, but %(free)d remain. "
                              "Nothing was changed: select fewer, or put some on the waiting list.",
                              count=count, country=country.name, free=free))


def decide_all(enrolments: list[Enrolment], by: User, decision: str, reason: str | None) -> list[Enrolment]:
    """Approve, waitlist or reject every enrolment of the selection, in the order they asked."""
    check_selection(enrolments, by, decision)
    enrolments = sorted(enrolments, key=lambda e: (e.requested_at, e.id))
    for enrolment in enrolments:
        try:
            if decision == "approve":
                approve_enrolment(enrolment, by, reason)
            elif decision == "waitlist":
                waitlist_enrolment(enrolment, by, reason)
            else:
                reject_enrolment(enrolment, by, reason)
        except EnrolmentRefused as refused:
            raise type(refused)(_("%(name)s: %(message)s Nothing was changed.", name=enrolment.user.full_name,
                                  message=refused.message)) from None
    return enrolments


def decision_message(decision: str, enrolment: Enrolment) -> str:
    """What was done, in words: 'Approved Chea Sophea for Universal Service: online, Feb 2027'."""
    values = {"name": enrolment.user.full_name, "intake": enrolment.intake.title}
    if decision == "approve":
        return _("Approved %(name)s for %(intake)s", **values)
    if decision == "waitlist":
        return _("Put %(name)s on the waiting list of %(intake)s", **values)
    return _("Rejected %(name)s's request for %(intake)s", **values)
