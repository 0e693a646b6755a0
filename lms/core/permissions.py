"""Guards for views: a role decorator for coarse gates; models answer per-object questions."""
from functools import wraps

from flask import abort
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


STAFF_ROLES = (Role.INSTRUCTOR, Role.COUNTRY_COORDINATOR, Role.PROGRAMME_COORDINATOR, Role.ADMIN)
COORDINATOR_ROLES = (Role.COUNTRY_COORDINATOR, Role.PROGRAMME_COORDINATOR, Role.ADMIN)
