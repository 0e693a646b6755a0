"""Pages of the reports domain."""
from lms.reports import bp  # noqa: F401
