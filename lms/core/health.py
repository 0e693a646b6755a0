"""GET /healthz: a constant answer for load balancers and the benchmark's ceiling; it never touches the database.

GET /readyz: whether this server can reach its database now (503 when not), for a load balancer that
should stop sending people to it.
"""
from flask import Blueprint, Response
from sqlalchemy import text

from lms.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")


@bp.route("/readyz")
def readyz() -> Response:
    db.session.execute(text("SELECT 1"))  # an outage is answered 503 with Retry-After by lms/core/outage.py
    return Response("ok", mimetype="text/plain")
