"""The front page and each role's home page."""
from flask import Blueprint

bp = Blueprint("home", __name__)

from lms.home import views  # noqa: E402,F401
