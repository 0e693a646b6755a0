"""Routes: see the module's docstring once written."""
from lms.assessments import bp  # noqa: F401
