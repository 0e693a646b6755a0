"""API: certificate verification."""
from lms.api import bp  # noqa: F401
