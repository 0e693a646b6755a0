"""Administration: users and roles, the mail outbox, the audit log."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from lms.admin import views  # noqa: E402,F401
