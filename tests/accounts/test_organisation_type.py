"""A trainee says what kind of organisation they work for when registering; the profile shows it."""
from sqlalchemy import select

from lms.accounts.models import OrganisationType, User
from lms.core.db import utcnow
from tests.accounts.test_registration import valid_form
from tests.conftest import post_form, sign_in

PASSWORD = "a long enough passphrase"  # the one valid_form registers with


def test_registration_records_the_organisation_type_and_the_profile_shows_it(client, db_session):
    response = post_form(client, "/register", valid_form(organisation_type="government"))
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "somchai.w@example.org"))
    assert user.profile.organisation_type is OrganisationType.GOVERNMENT
    user.email_confirmed_at = utcnow()  # as the link in the confirmation mail does
    sign_in(client, user, password=PASSWORD)
    assert "Ministry or regulator" in client.get("/profile").get_data(as_text=True)


def test_an_unknown_organisation_type_is_refused_next_to_the_field(client, db_session):
    response = post_form(client, "/register", valid_form(organisation_type="club"))
    assert response.status_code == 400
    assert "Please choose one of the options." in response.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.email == "somchai.w@example.org")) is None
