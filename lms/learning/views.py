"""Pages of the learning domain."""
from lms.learning import bp  # noqa: F401
