"""The catalogue: courses imported from files, their outline and lessons."""
from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from lms.catalogue import views  # noqa: E402,F401
