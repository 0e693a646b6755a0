"""Pages of the certificates domain."""
from lms.certificates import bp  # noqa: F401
