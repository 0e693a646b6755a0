"""Intakes and enrolments: requests, decisions under the quota, nominations, withdrawals."""
from flask import Blueprint

bp = Blueprint("enrolment", __name__)
