"""Programme settings: target, dates and allocations, validated, audited, errors next to the fields."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.programme.models import CountryAllocation
from lms.programme.operations import AllocationError, update_settings
from lms.programme.queries import all_countries
from tests.conftest import post_form
from tests.factories import country, make_user
from tests.reports.helpers import small_programme

URL = "/programme/settings"


@pytest.fixture
def small(db_session):
    return small_programme()


def form_data(programme, **changes) -> dict:
    """What the page sends back unchanged, with `changes` applied (allocations as allocation_XX)."""
    data = {"target": str(programme.target), "starts_on": programme.starts_on.isoformat(),
            "ends_on": programme.ends_on.isoformat(), "reason": ""}
    data |= {f"allocation_{c.code}": str(programme.allocation_for(c)) for c in all_countries()}
    return data | {key: str(value) for key, value in changes.items()}


def error_after(page: str, field_id: str) -> str:
    """The error message shown next to a field."""
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]+)</p>', page)
    assert match, f"no error next to {field_id}"
    return match.group(1)


def allocations(programme) -> dict[str, int]:
    return {row.country.code: row.allocation for row in programme.allocations}


def test_the_page_shows_the_settings_and_what_each_country_already_counts(programme_coordinator_client, small):
    page = programme_coordinator_client.get(URL).get_data(as_text=True)
    assert 'name="target"' in page and 'value="100"' in page and 'value="2025-04-01"' in page
    assert 'id="allocation_TH"' in page and 'id="allocation_BN"' in page
    # Thailand: five people hold a place (th1 th2 th3 th5 th7), two are certified: at least 5
    assert "At least 5: people already counted for Thailand." in page
    assert "At least 0: people already counted for Lao PDR." in page
    assert "holding a place (an approved, active or completed enrolment) or certified, whichever is larger" in page


def test_a_change_is_saved_and_audited_with_only_what_changed(programme_coordinator_client, small, db_session):
    response = post_form(programme_coordinator_client, URL,
                         form_data(small.programme, target=120, ends_on="2030-06-30", allocation_TH=40,
                                   allocation_BN=5, reason="Ministers' meeting of May 2027"))
    assert response.status_code == 302 and response.headers["Location"] == URL
    programme = small.programme
    assert programme.target == 120 and programme.ends_on == date(2030, 6, 30)
    assert allocations(programme)["TH"] == 40 and allocations(programme)["BN"] == 5
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "programme.settings_changed")).one()
    assert entry.actor_id == programme_coordinator_client.user.id and entry.object_id == programme.id
    assert entry.before == {"target": 100, "ends_on": "2030-03-31", "allocations": {"BN": 0, "TH": 30}}
    assert entry.after == {"target": 120, "ends_on": "2030-06-30", "allocations": {"BN": 5, "TH": 40}}
    assert entry.reason == "Ministers' meeting of May 2027"
    page = programme_coordinator_client.get(URL).get_data(as_text=True)
    assert "programme.settings_changed" in page and "The programme settings are saved." in page


def test_saving_without_a_change_writes_no_audit_entry(programme_coordinator_client, small, db_session):
    assert post_form(programme_coordinator_client, URL, form_data(small.programme)).status_code == 302
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "programme.settings_changed")) is None


def test_allocations_above_the_target_are_refused_next_to_the_target_and_nothing_is_lost(
        programme_coordinator_client, small):
    response = post_form(programme_coordinator_client, URL,
                         form_data(small.programme, allocation_ID=60, allocation_PH=7))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_after(page, "target") == ("The allocations add up to 112, above the target of 100. Raise the "
                                           "target or lower some allocations.")
    assert re.search(r'id="allocation_ID"[^>]*value="60"', page) and re.search(r'id="allocation_PH"[^>]*value="7"',
                                                                              page)
    assert allocations(small.programme).get("ID", 0) == 0  # nothing saved


def test_an_allocation_below_the_people_already_counted_is_refused_next_to_it(programme_coordinator_client, small):
    response = post_form(programme_coordinator_client, URL,
                         form_data(small.programme, allocation_TH=4, allocation_VN=1))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_after(page, "allocation_TH") == ("Thailand already counts 5 people (holding a place or certified); "
                                                  "the allocation cannot be lower.")
    assert "Viet Nam already counts 2 people" in error_after(page, "allocation_VN")
    assert allocations(small.programme)["TH"] == 30


@pytest.mark.parametrize("changes, field, message", [
    ({"target": "many"}, "target", "Please give a whole number, such as 25."),
    ({"allocation_LA": "2.5"}, "allocation_LA", "Please give a whole number, such as 25."),
    ({"target": "0"}, "target", "The target must be between 1 and 100000."),
    ({"allocation_LA": "-3"}, "allocation_LA", "An allocation is between 0 and 100000."),
    ({"allocation_LA": ""}, "allocation_LA", "Please give the allocation as a whole number (0 for none)."),
    ({"ends_on": "2025-01-01"}, "ends_on", "The end date must be after the start date."),
    ({"starts_on": "not a date"}, "starts_on", "Please give a valid date."),
])
def test_bad_input_is_explained_next_to_the_field(programme_coordinator_client, small, changes, field, message):
    response = post_form(programme_coordinator_client, URL, form_data(small.programme, **changes))
    assert response.status_code == 400
    assert error_after(response.get_data(as_text=True), field) == message


def test_the_operation_checks_again_under_lock(small, db_session):
    """Places given while the form was open still cannot be cut away."""
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    with pytest.raises(AllocationError) as refused:
        update_settings(small.programme, coordinator, target=100, starts_on=small.programme.starts_on,
                        ends_on=small.programme.ends_on, allocations={country("TH"): 2, country("MY"): 200})
    assert set(refused.value.errors) == {"allocation_TH", "target"}


def test_a_country_without_an_allocation_row_gets_one(small, db_session):
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    update_settings(small.programme, coordinator, target=100, starts_on=small.programme.starts_on,
                    ends_on=small.programme.ends_on, allocations={country("KH"): 8})
    row = db_session.scalar(select(CountryAllocation).where(CountryAllocation.country_id == country("KH").id,
                                                            CountryAllocation.programme_id == small.programme.id))
    assert row.allocation == 8


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.INSTRUCTOR, Role.COUNTRY_COORDINATOR, Role.ADMIN])
def test_only_programme_coordinators_change_the_settings(signed_in_client, small, role):
    client = signed_in_client(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=form_data(small.programme)).status_code in (400, 403)
    assert small.programme.target == 100


def test_without_a_programme_there_is_nothing_to_set(programme_coordinator_client, db_session):
    assert programme_coordinator_client.get(URL).status_code == 404


def test_the_aqrf_level_is_a_programme_setting_audited_and_checked(programme_coordinator_client, small, db_session):
    response = post_form(programme_coordinator_client, URL,
                         form_data(small.programme, aqrf_level=5, reason="Mapped to AQRF level 5"))
    assert response.status_code == 302 and small.programme.aqrf_level == 5
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "programme.settings_changed")).one()
    assert entry.before == {"aqrf_level": None} and entry.after == {"aqrf_level": 5}
    response = post_form(programme_coordinator_client, URL, form_data(small.programme, aqrf_level=9))
    assert response.status_code == 400 and "An AQRF level is between 1 and 8." in response.get_data(as_text=True)
    assert small.programme.aqrf_level == 5
    assert post_form(programme_coordinator_client, URL, form_data(small.programme, aqrf_level="")).status_code == 302
    assert small.programme.aqrf_level is None
