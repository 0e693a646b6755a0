"""Mail always lands in the outbox; with SMTP configured it is delivered and marked sent."""
import smtplib

import pytest
from sqlalchemy import select

from lms.notifications.models import OutboxMail
from lms.notifications.operations import deliver_outbox, send_mail


class RecordingSMTP:
    """Stands in for an SMTP server connection and keeps what it was asked to send."""

    sent: list = []
    fail_with: Exception | None = None

    def __init__(self, host, port, timeout):
        self.host, self.port = host, port

    def __enter__(self):
        if RecordingSMTP.fail_with:
            raise RecordingSMTP.fail_with
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        RecordingSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    RecordingSMTP.sent, RecordingSMTP.fail_with = [], None
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    monkeypatch.setitem(app.config, "MAIL_SMTP_HOST", "smtp.example.org")
    return RecordingSMTP


def test_without_smtp_mail_stays_in_the_outbox(db_session):
    send_mail("a@example.org", "Hello", "Body")
    assert deliver_outbox() == 0
    assert db_session.scalars(select(OutboxMail)).one().sent_at is None


def test_with_smtp_pending_mail_is_sent_once(db_session, smtp):
    send_mail("a@example.org", "Xin chào", "Nội dung tiếng Việt")
    db_session.flush()
    assert deliver_outbox() == 1
    assert deliver_outbox() == 0
    message = smtp.sent[0]
    assert message["To"] == "a@example.org" and message["Subject"] == "Xin chào"
    assert "Nội dung tiếng Việt" in message.get_content()
    assert db_session.scalars(select(OutboxMail)).one().sent_at is not None


def test_a_failed_delivery_is_recorded_and_retried_later(db_session, smtp):
    smtp.fail_with = ConnectionRefusedError("connection refused")
    send_mail("a@example.org", "Hello", "Body")
    db_session.flush()
    assert deliver_outbox() == 0
    mail = db_session.scalars(select(OutboxMail)).one()
    assert mail.sent_at is None and "refused" in mail.error
    smtp.fail_with = None
    assert deliver_outbox() == 1 and mail.error is None
