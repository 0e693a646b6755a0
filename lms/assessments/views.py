"""Pages of the assessments domain."""
from lms.assessments import bp  # noqa: F401
