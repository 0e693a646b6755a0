"""GET /healthz: a constant answer for load balancers and the benchmark's ceiling; it never touches the database.

GET /readyz: whether this server can do its work: each check in READINESS_CHECKS (the database answers, the
schema is at the migrations' head; more can be appended) says ok or what is wrong; 503 if any is not ok.
"""
import logging
import os
from collections.abc import Callable

from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import inspect, text

from lms.extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

# A check returns None when all is well, else a short text saying what is wrong (no secrets, no data).
ReadinessCheck = Callable[[], "str | None"]


@bp.route("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")


def database_answers() -> str | None:
    db.session.execute(text("SELECT 1"))
    return None


def migration_heads() -> set[str]:
    migrations = current_app.extensions["migrate"].directory
    return set(ScriptDirectory(os.fspath(migrations)).get_heads())


def schema_at_head() -> str | None:
    if not inspect(db.session.connection()).has_table("alembic_version"):
        return "no migration has been applied; run 'flask db upgrade'"
    applied = {row[0] for row in db.session.execute(text("SELECT version_num FROM alembic_version"))}
    heads = migration_heads()
    if applied != heads:
        return f"the schema is at {', '.join(sorted(applied)) or 'no revision'}; run 'flask db upgrade' to reach " \
               f"{', '.join(sorted(heads))}"
    return None


# (name, check) pairs, run in order; a domain appends its own (for example, that a job worker was seen lately).
READINESS_CHECKS: list[tuple[str, ReadinessCheck]] = [("database", database_answers), ("schema", schema_at_head)]


@bp.route("/readyz")
def readyz():
    results = {}
    for name, check in READINESS_CHECKS:
        try:
            problem = check()
        except Exception as error:  # noqa: BLE001 - any failure makes the server not ready, and is logged
            db.session.rollback()
            log.error("readiness check %s failed: %s", name, type(error).__name__)
            problem = f"failed: {type(error).__name__}"
        results[name] = {"ok": problem is None, **({"problem": problem} if problem else {})}
    ready = all(result["ok"] for result in results.values())
    db.session.rollback()
    return jsonify({"ready": ready, "checks": results}), 200 if ready else 503
