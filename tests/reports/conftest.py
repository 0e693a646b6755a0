"""Fixtures for the report tests: the small programme of helpers.py and signed-in coordinators."""
import pytest

from lms.accounts.models import Role
from tests.factories import make_user
from tests.reports.helpers import small_programme


@pytest.fixture
def small(db_session):
    return small_programme()


@pytest.fixture
def programme_coordinator(db_session):
    return make_user(Role.PROGRAMME_COORDINATOR, email="pc@example.org")


@pytest.fixture
def thai_coordinator(db_session):
    return make_user(Role.COUNTRY_COORDINATOR, country_code="TH", email="th.cc@example.org")
