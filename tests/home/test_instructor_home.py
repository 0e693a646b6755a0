"""The instructor's home: their intakes under running now, starting later and finished, each with its work."""
from datetime import timedelta

from lms.accounts.models import Role
from lms.core import clock
from lms.enrolment.models import DeliveryMode
from lms.extensions import db
from tests.factories import make_intake, make_programme, make_user


def taught(instructor, title: str, starts_in_days: int, lasts_days: int = 30, mode=DeliveryMode.ONLINE):
    intake = make_intake(make_programme(), mode=mode, instructors=[instructor])
    intake.title = title
    intake.starts_on = clock.today() + timedelta(days=starts_in_days)
    intake.ends_on = intake.starts_on + timedelta(days=lasts_days)
    db.session.flush()
    return intake


def section(page: str, heading: str) -> str:
    start = page.index(f">{heading}</h2>")
    end = page.find("<h2", start)
    return page[start:end if end != -1 else len(page)]


def test_intakes_are_grouped_under_running_later_and_finished(signed_in_client, db_session):
    instructor = make_user(Role.INSTRUCTOR)
    taught(instructor, "Now Cohort", -10)
    taught(instructor, "Ends Today Cohort", -30, lasts_days=30)
    taught(instructor, "Next Year Cohort", 40)
    taught(instructor, "Spring Cohort", 10)
    taught(instructor, "Old Cohort", -100)
    taught(make_user(Role.INSTRUCTOR), "Someone Else's Cohort", -10)
    client = signed_in_client(instructor)
    page = client.get("/").get_data(as_text=True)
    running, later, finished = (section(page, heading) for heading in ("Running now", "Starting later", "Finished"))
    assert "Now Cohort" in running and "Ends Today Cohort" in running  # the last day still runs
    assert "Spring Cohort" in later and "Next Year Cohort" in later
    assert later.index("Spring Cohort") < later.index("Next Year Cohort")  # the soonest first
    assert "Old Cohort" in finished
    for part, absent in ((running, "Old Cohort"), (later, "Now Cohort"), (finished, "Spring Cohort")):
        assert absent not in part
    assert "Someone Else" not in page
    assert page.index("Running now") < page.index("Starting later") < page.index("Finished")


def test_an_empty_period_says_so_and_face_to_face_intakes_link_to_attendance(signed_in_client, db_session):
    instructor = make_user(Role.INSTRUCTOR)
    classroom = taught(instructor, "Classroom Cohort", -5, mode=DeliveryMode.FACE_TO_FACE)
    client = signed_in_client(instructor)
    page = client.get("/").get_data(as_text=True)
    assert "No intake of yours is planned." in section(page, "Starting later")
    assert "None of your intakes has finished yet." in section(page, "Finished")
    assert f'href="/teach/intakes/{classroom.id}/attendance"' in section(page, "Running now")


def test_an_instructor_without_intakes_is_told(instructor_client, db_session):
    page = instructor_client.get("/").get_data(as_text=True)
    assert "You are not teaching any intake yet." in page and "Running now" not in page
