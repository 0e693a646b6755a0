"""Grading: the instructor's queue, rubrics, gradebook, attendance and completion."""
from flask import Blueprint

bp = Blueprint("grading", __name__)
