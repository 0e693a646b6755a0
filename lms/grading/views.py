"""Pages of the grading domain."""
from lms.grading import bp  # noqa: F401
