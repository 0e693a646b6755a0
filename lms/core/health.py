"""GET /healthz: a constant answer for load balancers and the benchmark's ceiling; it never touches the database."""
from flask import Blueprint, Response

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")
