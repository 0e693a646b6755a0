"""Mail that arrives, once: workers claim rows, send a batch over one verified TLS connection, retry with
growing delays, then mark the mail failed for the admins, who may send it again. Real servers on loopback."""
import threading
from email import message_from_bytes
from email.policy import default
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from lms.core import clock
from lms.notifications import delivery
from lms.notifications.models import MailStatus, OutboxMail
from lms.notifications.operations import send_mail
from tests.conftest import post_form
from tests.factories import make_user
from tests.job_runner import queued_names, run_queued_jobs
from tests.notifications.smtp_servers import Recorder, Server, make_certificate


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def smtp(app, monkeypatch, certificate):
    """Starts a server of the given kind and points the app's mail settings at it."""
    servers = []

    def start(mode: str = "starttls", trust: bool = True, **recorder_options) -> Server:
        server = Server(Recorder(**recorder_options), mode, *certificate).__enter__()
        servers.append(server)
        for key, value in {"MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": server.port, "MAIL_SMTP_SECURITY": mode,
                           "MAIL_SMTP_CA_FILE": str(certificate[0]) if trust else "", "MAIL_SMTP_TIMEOUT": 0.5,
                           "MAIL_SMTP_USER": ""}.items():
            monkeypatch.setitem(app.config, key, value)
        return server

    yield start
    for server in servers:
        server.__exit__()


def outbox(db_session) -> list[OutboxMail]:
    db_session.expire_all()
    return list(db_session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def queue_mails(db_session, count: int = 1) -> None:
    for number in range(count):
        send_mail(f"reader{number}@example.net", f"Lesson {number}", "Nội dung tiếng Việt, 中文, ภาษาไทย")
    db_session.commit()


def test_mail_is_delivered_by_the_job_queued_after_the_commit_over_starttls(db_session, smtp):
    server = smtp("starttls")
    send_mail("a@example.org", "Xin chào", "Nội dung tiếng Việt")
    assert queued_names() == []
    db_session.commit()
    assert queued_names() == ["deliver_mail"]
    run_queued_jobs()
    [(recipients, content)] = server.recorder.received
    message = message_from_bytes(content, policy=default)
    [mail] = outbox(db_session)
    assert recipients == ["a@example.org"] and message["Subject"] == "Xin chào"
    # The same id on every attempt, so a receiving server may drop a copy.
    assert message["Message-ID"] == f"<outbox-{mail.id}.{mail.created_at:%Y%m%d%H%M%S}@localhost>"
    assert "Nội dung tiếng Việt" in message.get_content()
    assert mail.status is MailStatus.SENT and mail.sent_at is not None and mail.attempts == 1
    run_queued_jobs()
    delivery.deliver_due()
    assert len(server.recorder.received) == 1  # once


def test_a_batch_goes_over_one_connection_with_implicit_tls(db_session, smtp):
    server = smtp("tls")
    queue_mails(db_session, 5)
    assert queued_names() == ["deliver_mail"]  # one delivery job for the whole transaction
    run_queued_jobs()
    assert len(server.recorder.received) == 5 and server.recorder.connections == 1
    assert {mail.status for mail in outbox(db_session)} == {MailStatus.SENT}


def test_a_server_certificate_that_does_not_verify_sends_nothing(db_session, smtp):
    server = smtp("starttls", trust=False)  # a self-signed certificate the system does not trust
    queue_mails(db_session)
    run_queued_jobs()
    [mail] = outbox(db_session)
    assert server.recorder.received == []
    assert mail.status is MailStatus.PENDING and mail.attempts == 1 and "CERTIFICATE_VERIFY_FAILED" in mail.error


def test_a_permanent_refusal_marks_the_mail_failed_at_once(db_session, smtp):
    smtp("starttls", refuse_with="550 5.1.1 No such mailbox")
    queue_mails(db_session)
    run_queued_jobs()
    [mail] = outbox(db_session)
    assert mail.status is MailStatus.FAILED and "No such mailbox" in mail.error


def test_a_temporary_refusal_is_retried_with_growing_delays_then_failed(app, db_session, smtp):
    server = smtp("starttls", refuse_with="451 4.3.0 Try again later")
    queue_mails(db_session)
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        run_queued_jobs()
        [mail] = outbox(db_session)
        delays = []
        while mail.status is MailStatus.PENDING:
            delays.append(mail.next_attempt_at - clock.now())
            traveller.move_to(mail.next_attempt_at - timedelta(seconds=1))
            assert delivery.deliver_due().sent == 0 and outbox(db_session)[0].attempts == len(delays)  # not yet due
            traveller.move_to(mail.next_attempt_at)
            delivery.deliver_due()
            [mail] = outbox(db_session)
    assert delays == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32, 60, 60)]  # doubling, at most an hour
    assert mail.status is MailStatus.FAILED and mail.attempts == app.config["MAIL_MAX_ATTEMPTS"] == 8
    assert "Try again later" in mail.error and server.recorder.received == []


def test_a_slow_server_costs_a_timeout_and_a_retry_not_a_lost_mail(db_session, smtp):
    server = smtp("starttls", hold=threading.Event())
    queue_mails(db_session, 2)
    run_queued_jobs()  # the first DATA outlasts the 0.5 s timeout
    mails = outbox(db_session)
    assert all(mail.status is MailStatus.PENDING and mail.attempts == 1 for mail in mails)
    assert "timed out" in mails[0].error
    server.recorder.hold.set()


def test_two_workers_never_claim_the_same_mail(db_session):
    queue_mails(db_session, 3)
    first = delivery.claim_batch(2)
    second = delivery.claim_batch(5)
    assert len(first) == 2 and len(second) == 1
    assert not {mail.id for mail in first} & {mail.id for mail in second}
    assert delivery.claim_batch(5) == []


def test_a_claim_of_a_worker_that_died_is_taken_again_after_the_lease(db_session, smtp):
    server = smtp("starttls")
    queue_mails(db_session)
    assert len(delivery.claim_batch(5)) == 1  # a worker claims it, then is killed before sending
    db_session.commit()
    assert delivery.deliver_due().sent == 0  # another worker leaves it alone while the claim is fresh
    with time_machine.travel(clock.now() + delivery.CLAIM_LEASE + timedelta(seconds=1), tick=False):
        assert delivery.deliver_due().sent == 1
    assert len(server.recorder.received) == 1


def test_without_an_smtp_host_mail_stays_in_the_outbox(db_session):
    queue_mails(db_session)
    run_queued_jobs()
    assert outbox(db_session)[0].status is MailStatus.PENDING


def test_admins_see_failed_mail_with_its_error_and_send_it_again(admin_client, db_session, smtp):
    smtp("starttls", refuse_with="550 5.1.1 No such mailbox")
    queue_mails(db_session)
    run_queued_jobs()
    [mail] = outbox(db_session)
    page = admin_client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert mail.subject in page and "No such mailbox" in page
    server = smtp("starttls")  # the mailbox exists now
    response = post_form(admin_client, f"/admin/outbox/{mail.id}/resend", {}, form_url=f"/admin/outbox/{mail.id}")
    assert response.status_code == 302
    run_queued_jobs()
    assert outbox(db_session)[0].status is MailStatus.SENT and len(server.recorder.received) == 1


def test_forgot_password_sends_nothing_inside_the_request(client, db_session, smtp):
    server = smtp("starttls")
    user = make_user()
    queue_mails(db_session, 3)  # other people's mail waiting
    response = post_form(client, "/forgot-password", {"email": user.email})
    assert response.status_code == 302
    assert server.recorder.received == []  # the request did not deliver anything
    assert db_session.scalar(select(func.count()).select_from(OutboxMail)
                             .where(OutboxMail.to_address == user.email)) == 1
    assert "deliver_mail" in queued_names()


def test_a_relay_on_loopback_without_tls_takes_the_mail(db_session, smtp):
    server = smtp("none")
    queue_mails(db_session, 2)
    run_queued_jobs()
    assert len(server.recorder.received) == 2
    assert {mail.status for mail in outbox(db_session)} == {MailStatus.SENT}
