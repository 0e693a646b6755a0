"""The front page and each role's home page."""
from flask import Blueprint

bp = Blueprint("home", __name__)
