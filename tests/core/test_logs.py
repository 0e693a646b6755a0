"""Structured logs: JSON lines in production, the request id on every line, operations logged by ids only."""
import json
import logging

from lms.accounts.models import Role
from lms.core.logs import _handler
from lms.enrolment.operations import approve_enrolment
from lms.notifications import delivery
from lms.notifications.operations import send_mail
from tests.enrolment.helpers import requested, upcoming_intake
from tests.factories import make_user


def test_production_logs_are_one_json_object_a_line(app):
    record = logging.LogRecord("lms.operations", logging.INFO, __file__, 1, "enrolment.approved %s", (7,), None)
    record.actor_id = 3
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "abcdef0123456789"
        handler = _handler("json")
        handler.filter(record)
        line = json.loads(handler.format(record))
    assert line["message"] == "enrolment.approved 7" and line["level"] == "INFO"
    assert line["request_id"] == "abcdef0123456789" and line["actor_id"] == 3 and "time" in line


def test_each_request_is_logged_with_its_id_and_route_never_its_tokens(client, caplog):
    caplog.set_level(logging.INFO, logger="lms")
    response = client.get("/reset-password/a-secret-token-from-a-mail")
    request_lines = [r for r in caplog.records if getattr(r, "route", None) == "/reset-password/<token>"]
    assert request_lines and request_lines[0].request_id == response.headers["X-Request-ID"]
    assert "a-secret-token" not in caplog.text


def test_operations_log_actor_action_and_ids_without_personal_data(client, caplog, db_session):
    caplog.set_level(logging.INFO, logger="lms.operations")
    coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    enrolment = requested(upcoming_intake(), "TH", full_name="Private Name", email="private@example.org")
    approve_enrolment(enrolment, coordinator)
    line = next(r for r in caplog.records if getattr(r, "action", None) == "enrolment.approved")
    assert (line.actor_id, line.object_type, line.object_id) == (coordinator.id, "enrolment", enrolment.id)
    assert "Private Name" not in caplog.text and "private@example.org" not in caplog.text


def test_mail_that_cannot_be_sent_is_logged_as_an_error(app, db_session, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_SMTP_PORT", 9)  # discard: nothing listens
    mail = send_mail("someone@example.org", "Subject", "Body")
    db_session.flush()
    with app.app_context():
        delivery.deliver_due()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "lms.notifications.delivery"]
    assert errors and errors[0].mail_id == mail.id and "someone@example.org" not in caplog.text


def test_a_failed_pdf_render_is_logged_as_an_error(app, caplog):
    from lms.core import pdf

    with app.app_context():
        try:
            pdf.render_pdf("<p>x</p>", stylesheets=("no-such-sheet.css",))
        except Exception:  # noqa: BLE001 - the failure itself is not what is tested
            pass
    assert any(r.levelno == logging.ERROR and r.name == "lms.core.pdf" for r in caplog.records)


def test_each_request_line_is_written_once_in_the_configured_format():
    import io

    from config import TestConfig
    from lms import create_app

    logger = logging.getLogger("lms")
    before, propagate = list(logger.handlers), logger.propagate
    # As in a new process, where no logger has a handler yet (pytest gives the root logger its own).
    for handler in before:
        logger.removeHandler(handler)
    logger.propagate = False
    try:
        client = create_app(TestConfig).test_client()
        written = io.StringIO()
        for handler in logger.handlers:
            handler.setStream(written)
        client.get("/login")
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        for handler in before:
            logger.addHandler(handler)
        logger.propagate = propagate
    lines = [line for line in written.getvalue().splitlines() if "GET /login" in line]
    assert len(lines) == 1, lines  # not once more in Flask's own format
