"""Who may do what, in one place: the role groups every view, template and job asks, a role decorator for
coarse gates, and `can_open(endpoint)` for templates (the navigation shows a link only where its view would
let the reader in). Models answer the per-object questions (this trainee's country, this intake's staff)."""
from functools import wraps

from flask import abort, current_app
from flask_login import current_user, login_required

from lms.accounts.models import Role


def role_required(*roles: Role):
    """Let a signed-in user through only if their role is one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = roles
        return guarded

    return decorator


def can_open(endpoint: str) -> bool:
    """Whether the signed-in reader passes the role gate of `endpoint`'s view (a view with none: anyone).
    The object-level checks still run when the page is opened; this decides which links to offer."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    roles = getattr(view, "allowed_roles", None)
    if roles is None:
        return True
    return current_user.is_authenticated and current_user.has_role(*roles)


# The role groups. A group is named for what its members may do; per-object rules narrow it further.
STAFF_ROLES = (Role.INSTRUCTOR, Role.COUNTRY_COORDINATOR, Role.PROGRAMME_COORDINATOR, Role.ADMIN)
# Read the quota reports, issued certificates and API tokens (a country coordinator: her country's).
COORDINATOR_ROLES = (Role.COUNTRY_COORDINATOR, Role.PROGRAMME_COORDINATOR, Role.ADMIN)
# Decide enrolment requests and waiting lists, and trainees' name corrections (a country coordinator:
# her country's people). Admins keep accounts, not places.
DECIDERS = (Role.COUNTRY_COORDINATOR, Role.PROGRAMME_COORDINATOR)
# Create and run intakes, and keep the course catalogue's versions.
INTAKE_STAFF = (Role.PROGRAMME_COORDINATOR, Role.ADMIN)
# See trainees' grades and work, give extensions and write announcements (an instructor: her intakes').
GRADE_VIEWERS = (Role.INSTRUCTOR, Role.PROGRAMME_COORDINATOR, Role.ADMIN)
# Keep scheduled quota reports (a country coordinator: her own subscription).
SCHEDULE_KEEPERS = (Role.PROGRAMME_COORDINATOR, Role.COUNTRY_COORDINATOR)
# Read the audit log.
AUDIT_READERS = (Role.ADMIN, Role.PROGRAMME_COORDINATOR)
# Must use two-factor sign-in where production requires it.
TWO_FACTOR_ROLES = (Role.ADMIN, Role.PROGRAMME_COORDINATOR, Role.COUNTRY_COORDINATOR, Role.INSTRUCTOR)
