"""A trainee corrects her work details on her profile: checked as on registration, audited, counted at once."""
import re

import pytest
from sqlalchemy import select

from lms.accounts.models import Category, Gender, OrganisationType, Role
from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.reports.freshness import rendered_reports, report_version
from tests.conftest import post_form
from tests.factories import make_user
from tests.reports.helpers import small_programme


def details(**overrides) -> dict:
    data = {"organisation": "Ministry of Digital Economy", "organisation_type": "government",
            "position": "Head of spectrum", "category": "high_manager", "gender": "female"}
    data.update(overrides)
    return data


def test_a_trainee_changes_her_work_details_and_the_change_is_audited(trainee_client, db_session):
    trainee = trainee_client.user
    page = trainee_client.get("/profile/work").get_data(as_text=True)
    assert 'value="Ministry of ICT"' in page and 'value="Engineer"' in page  # the form starts from what she said
    assert 'href="/profile/work"' in trainee_client.get("/profile").get_data(as_text=True)

    response = post_form(trainee_client, "/profile/work", details())
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    profile = trainee.profile
    assert (profile.organisation, profile.position) == ("Ministry of Digital Economy", "Head of spectrum")
    assert profile.category is Category.HIGH_MANAGER and profile.organisation_type is OrganisationType.GOVERNMENT
    assert profile.gender is Gender.FEMALE
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "user.work_details_changed"))
    assert entry.actor == trainee and entry.object_id == trainee.id
    assert entry.before == {"organisation": "Ministry of ICT", "position": "Engineer", "category": "technician",
                            "organisation_type": None}
    assert entry.after["category"] == "high_manager" and "gender" not in entry.after  # unchanged: not listed

    # "Prefer not to say" takes the gender away.
    assert post_form(trainee_client, "/profile/work", details(gender="")).status_code == 302
    assert trainee.profile.gender is None


@pytest.mark.parametrize("field, value, message", [
    ("organisation", "", "Please enter your organisation."),
    ("position", "", "Please enter your position."),
    ("category", "", "Please choose the category that fits your job."),
    ("category", "astronaut", "Please choose the category that fits your job."),
    ("gender", "robot", "Please choose one of the options."),
    ("organisation_type", "club", "Please choose one of the options."),
    ("position", "Engineer\u202e", "Please remove control characters"),
    ("organisation", "x" * 161, "Field cannot be longer than 160 characters."),
])
def test_refused_details_change_nothing_and_keep_what_was_typed(trainee_client, db_session, field, value, message):
    trainee = trainee_client.user
    typed = details(**{field: value})
    response = post_form(trainee_client, "/profile/work", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert 'value="Head of spectrum"' in page or field == "position"  # the other fields keep what was typed
    assert 'value="Ministry of Digital Economy"' in page or field == "organisation"
    db_session.expire_all()
    assert trainee.profile.organisation == "Ministry of ICT" and trainee.profile.category is Category.TECHNICIAN
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "user.work_details_changed")) is None


def test_staff_have_no_work_details_to_edit(country_coordinator_client, db_session):
    assert country_coordinator_client.get("/profile/work").status_code == 403
    page = country_coordinator_client.get("/profile").get_data(as_text=True)
    assert 'href="/profile/work"' not in page and "Organisation" not in page
    assert 'href="/profile/name"' not in page  # staff names are an administrator's


def certified_by_category(page: str) -> dict[str, int]:
    table = re.search(r'data-breakdown="category">(.*?)</table>', page, re.S).group(1)
    return {label: int(count) for label, count in
            re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', table)}


def test_the_quota_report_counts_the_new_category_at_once(app, signed_in_client, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_CACHE_SECONDS", 300)  # reports kept as in production
    rendered_reports.clear()
    small = small_programme()
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    db.session.commit()
    as_coordinator = signed_in_client(coordinator)
    before = certified_by_category(as_coordinator.get("/reports/quota").get_data(as_text=True))
    assert before["High-level manager"] == 1 and before["Technician"] == 2
    version = report_version()

    as_trainee = signed_in_client(small.people["th2"])  # certified as a high-level manager
    assert post_form(as_trainee, "/profile/work", details(category="technician")).status_code == 302
    assert report_version() > version

    after = certified_by_category(as_coordinator.get("/reports/quota").get_data(as_text=True))
    assert after["High-level manager"] == 0 and after["Technician"] == 3
    rendered_reports.clear()
