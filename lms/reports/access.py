"""Who may read which quota report (coordinators and admins; a country coordinator only their own country), and
who keeps which report schedule."""
from typing import TYPE_CHECKING

from flask import abort

from lms.accounts.models import Role, User
from lms.core.permissions import COORDINATOR_ROLES, SCHEDULE_KEEPERS
from lms.programme.models import Country
from lms.reports.queries import country_by_code

if TYPE_CHECKING:
    from lms.reports.models import ReportSchedule

REPORT_READERS = COORDINATOR_ROLES


def report_country(user: User, code: str | None) -> Country | None:
    """The country the user's report covers (None: the whole programme); aborts 404 or 403.

    Without a code, programme staff get the whole programme and a country coordinator their country.
    """
    if not user.has_role(*REPORT_READERS):
        abort(403)
    if not code:
        return None if user.sees_whole_programme else user.country
    country = country_by_code(code) or abort(404)
    if not user.can_manage_country(country.id):
        abort(403)
    return country


# Report schedules: programme coordinators keep the programme's; a country coordinator keeps her own subscription.


def may_manage_schedule(user: User, schedule: "ReportSchedule") -> bool:
    """A subscription is its subscriber's alone; a programme schedule is the programme coordinators'."""
    if schedule.is_subscription:
        return schedule.subscriber_id == user.id
    return user.role is Role.PROGRAMME_COORDINATOR


def may_subscribe(user: User) -> bool:
    return user.role is Role.COUNTRY_COORDINATOR and user.country_id is not None
