"""Programme staff create and change intakes; the rules a real timetable needs are checked."""
import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.enrolment.models import DeliveryMode, Intake
from tests.conftest import post_form
from tests.enrolment.helpers import holding, upcoming_intake
from tests.factories import any_course, make_programme, make_user


def intake_form(the_course, instructor, **overrides) -> dict:
    data = {"course": str(the_course.id), "title": "Regulation, Vientiane, 2027", "mode": "face_to_face",
            "starts_on": "2027-03-01", "ends_on": "2027-03-26", "capacity": "25", "location": "Vientiane, Lao PDR",
            "attendance_threshold": "80", "instructors": [str(instructor.id)]}
    data.update(overrides)
    return data


@pytest.fixture
def staff(db_session):
    """The instructor of the intakes the programme coordinator makes, once there is a programme."""
    make_programme()
    return make_user(Role.INSTRUCTOR, full_name="Teaching Person")


def test_a_programme_coordinator_creates_an_intake_with_instructors(programme_coordinator_client, db_session, staff):
    course = any_course()
    response = post_form(programme_coordinator_client, "/intakes/new", intake_form(course, staff))
    assert response.status_code == 302
    intake = db_session.scalars(select(Intake).where(Intake.title == "Regulation, Vientiane, 2027")).one()
    assert intake.mode is DeliveryMode.FACE_TO_FACE and intake.capacity == 25 and intake.instructors == [staff]
    assert staff.teaches(intake)
    assert db_session.scalars(select(AuditEntry).where(AuditEntry.action == "intake.created")).one()
    assert "Regulation, Vientiane, 2027" in programme_coordinator_client.get("/intakes").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("ends_on", "2027-02-01", "The last day cannot be before the first day."),
    ("starts_on", "not a date", "Please give a valid date."),
    ("location", "", "Face-to-face and blended intakes need a place."),
    ("capacity", "0", "Number must be between 1 and 1000."),
    ("attendance_threshold", "120", "Number must be between 0 and 100."),
    ("course", "999999", "Please choose a course from the list."),
    ("mode", "carrier pigeon", "Please choose a delivery mode."),
    ("title", "", "Please give the intake a title."),
])
def test_bad_intake_input_is_explained_next_to_the_field(programme_coordinator_client, staff, field, value, message):
    response = post_form(programme_coordinator_client, "/intakes/new",
                         intake_form(any_course(), staff, **{field: value}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page


def test_capacity_cannot_drop_below_the_places_given(programme_coordinator_client, db_session, staff):
    intake = upcoming_intake(capacity=5)
    for _ in range(3):
        holding(intake)
    response = post_form(programme_coordinator_client, f"/intakes/{intake.id}/edit",
                         intake_form(intake.course, staff, capacity="2"))
    assert response.status_code == 409
    assert "3 people already hold a place" in response.get_data(as_text=True)
    assert intake.capacity == 5


def test_the_edit_form_is_prefilled(programme_coordinator_client, staff):
    intake = upcoming_intake()
    page = programme_coordinator_client.get(f"/intakes/{intake.id}/edit").get_data(as_text=True)
    assert f'value="{intake.title}"' in page and f'value="{intake.capacity}"' in page


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.INSTRUCTOR, Role.COUNTRY_COORDINATOR])
def test_other_roles_cannot_manage_intakes(signed_in_client, role):
    client = signed_in_client(role)
    assert client.get("/intakes").status_code == 403
    assert client.get("/intakes/new").status_code == 403
