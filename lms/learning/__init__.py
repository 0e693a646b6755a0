"""Studying: an enrolled trainee's intake, lessons and progress."""
from flask import Blueprint

bp = Blueprint("learning", __name__)
