"""Quota reports: progress toward the target, per country, on screen and as PDF, CSV and JSON."""
from flask import Blueprint

bp = Blueprint("reports", __name__)
