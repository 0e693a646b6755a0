"""Pages of the enrolment domain."""
from lms.enrolment import bp  # noqa: F401
