"""Administration: users and roles, the mail outbox, the audit log."""
from flask import Blueprint

bp = Blueprint("admin", __name__)
