"""The programme: countries, target, dates and allocations."""
from flask import Blueprint

bp = Blueprint("programme", __name__)
