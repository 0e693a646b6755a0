"""API: quota figures."""
from lms.api import bp  # noqa: F401
