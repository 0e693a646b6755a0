"""Rendered reports are kept until their figures change: counted once, shown again, never stale after a change."""
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from lms.accounts.models import Category, Role
from lms.certificates.models import Certificate
from lms.enrolment.models import Enrolment
from lms.extensions import db
from lms.notifications.models import Notification
from lms.reports import freshness
from lms.reports.freshness import report_version, rendered_reports
from tests.reports.test_query_count import counted_queries

THAI_FIGURES = "Thailand: %d certified of 30"


@pytest.fixture
def kept_reports(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_CACHE_SECONDS", 300)
    rendered_reports.clear()
    yield
    rendered_reports.clear()


def dashboard(client, path="/reports/quota") -> tuple[str, list[str]]:
    """The page, its forms' CSRF tokens left out (they carry the second they were made in), and its queries."""
    with counted_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return CSRF_TOKEN.sub(r"\1", response.get_data(as_text=True)), list(statements)


CSRF_TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*')


def counts_figures(statements: list[str]) -> bool:
    return any("row_number" in statement for statement in statements)


def thai_certificate(small) -> Certificate:
    return db.session.scalars(select(Certificate).where(Certificate.user == small.people["th2"])).one()


def revoke(certificate: Certificate) -> None:
    certificate.revoked_at = datetime(2027, 1, 20, tzinfo=timezone.utc)
    certificate.revocation_reason = "Issued by mistake"


def test_the_report_is_counted_once_and_again_after_a_change(signed_in_client, small, programme_coordinator,
                                                             kept_reports):
    client = signed_in_client(programme_coordinator)
    first, statements = dashboard(client)
    assert THAI_FIGURES % 2 in first and counts_figures(statements)
    again, statements = dashboard(client)
    assert THAI_FIGURES % 2 in again and not counts_figures(statements)

    revoke(thai_certificate(small))
    db.session.commit()
    after, statements = dashboard(client)
    assert THAI_FIGURES % 1 in after and counts_figures(statements)


def test_each_country_and_role_gets_its_own_report(signed_in_client, small, programme_coordinator, kept_reports):
    as_programme_coordinator = signed_in_client(programme_coordinator)
    programme_page, _ = dashboard(as_programme_coordinator)
    thai_page, statements = dashboard(as_programme_coordinator, "/reports/quota?country=TH")
    assert counts_figures(statements) and "Thailand: progress toward its allocation" in thai_page
    assert 'href="/programme/settings"' in programme_page
    as_admin = signed_in_client(Role.ADMIN)
    admin_page, statements = dashboard(as_admin)
    assert counts_figures(statements) and 'href="/programme/settings"' not in admin_page


def test_only_changes_to_what_the_figures_count_move_the_version(small, kept_reports):
    db.session.commit()  # the programme as built
    version = report_version()
    person = small.people["th3"]
    person.last_login_at = datetime(2027, 3, 1, tzinfo=timezone.utc)
    db.session.commit()
    assert report_version() == version
    db.session.add(Notification(user=person, message="Your assignment was graded."))
    db.session.commit()
    assert report_version() == version
    person.profile.category = Category.HIGH_MANAGER
    db.session.commit()
    assert report_version() == version + 1
    thai_certificate(small).revoked_at = datetime(2027, 1, 20, tzinfo=timezone.utc)
    db.session.rollback()
    db.session.commit()
    assert report_version() == version + 1  # a change rolled back is no change
    withdrawn = db.session.scalars(select(Enrolment).where(Enrolment.user == small.people["th4"])).one()
    withdrawn.intake = small.intakes["classroom"]  # through the relationship: the column is set only by the flush
    db.session.commit()
    assert report_version() == version + 2


def test_a_kept_report_expires(signed_in_client, small, programme_coordinator, kept_reports, monkeypatch):
    client = signed_in_client(programme_coordinator)
    dashboard(client)
    later = freshness.monotonic() + 301
    monkeypatch.setattr(freshness, "monotonic", lambda: later)
    _, statements = dashboard(client)
    assert counts_figures(statements)


def test_the_trainee_list_is_kept_per_page_and_shows_a_renamed_trainee(signed_in_client, small, thai_coordinator,
                                                                       kept_reports, monkeypatch):
    monkeypatch.setattr("lms.reports.queries.TRAINEES_PER_PAGE", 3)
    client = signed_in_client(thai_coordinator)
    first, _ = dashboard(client)
    again, statements = dashboard(client)
    assert again == first and "Anong Rattanakul" in again and not counts_figures(statements)
    second_page, statements = dashboard(client, "/reports/quota?page=3")
    assert "Ganya Prasert" in second_page and "Anong Rattanakul" not in second_page
    assert any("LIMIT" in statement.upper() for statement in statements)  # its own page, counted

    small.people["th1"].full_name = "Anong Srisuk"
    db.session.commit()
    renamed, _ = dashboard(client)
    assert "Anong Srisuk" in renamed and "Anong Rattanakul" not in renamed


def test_the_quota_api_is_counted_once_and_again_after_a_change(signed_in_client, small, programme_coordinator,
                                                                kept_reports):
    client = signed_in_client(programme_coordinator)
    first, statements = dashboard(client, "/api/v1/quota?country=TH")
    assert '"certified": 2' in first and counts_figures(statements)
    again, statements = dashboard(client, "/api/v1/quota?country=TH")
    assert again == first and not counts_figures(statements)
    revoke(thai_certificate(small))
    db.session.commit()
    after, statements = dashboard(client, "/api/v1/quota?country=TH")
    assert '"certified": 1' in after and counts_figures(statements)
