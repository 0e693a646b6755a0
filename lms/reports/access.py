"""Who may read which quota report: coordinators and admins; a country coordinator only their own country."""
from flask import abort

from lms.accounts.models import User
from lms.core.permissions import COORDINATOR_ROLES
from lms.programme.models import Country
from lms.reports.queries import country_by_code

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
