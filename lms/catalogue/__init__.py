"""The catalogue: courses imported from files, their outline and lessons."""
from flask import Blueprint

bp = Blueprint("catalogue", __name__)
