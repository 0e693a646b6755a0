"""Announcements: an intake's instructors and programme coordinators write to every trainee holding a place."""
from flask import Blueprint

bp = Blueprint("announcements", __name__)
