"""Fixtures for the certificate tests."""
import pytest

from lms.enrolment.models import DeliveryMode
from tests.factories import make_intake, make_programme


@pytest.fixture
def intake(db_session):
    """A face-to-face intake (it has a place) of a programme with a Chinese title."""
    return make_intake(make_programme(), mode=DeliveryMode.FACE_TO_FACE)
