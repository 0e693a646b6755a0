"""Assessments: quiz attempts and assignment submissions."""
from flask import Blueprint

bp = Blueprint("assessments", __name__)
