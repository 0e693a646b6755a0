"""The gradebook: the score that counts per trainee and assessment, weighted totals, pass/fail, and its CSV."""
import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.models import Assessment, Course
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from tests.queries import counted_queries
from tests.factories import make_intake, make_programme, make_user

FORMULA_NAME = '=HYPERLINK("http://example.org","click")'


@pytest.fixture
def course(db_session) -> Course:
    return db_session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))


@pytest.fixture
def intake(course):
    intake = make_intake(make_programme(), course, instructors=[make_user(Role.INSTRUCTOR)])
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=20), today + timedelta(days=20)
    return intake


def by_slug(course, slug) -> Assessment:
    return next(a for a in course.assessments if a.slug == slug)


def enrol(intake, name, state=EnrolmentState.ACTIVE, email=None) -> Enrolment:
    enrolment = Enrolment(intake=intake, user=make_user(full_name=name, email=email), state=state)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def attempts(enrolment, quiz, *scores) -> list[Attempt]:
    made = [Attempt(enrolment=enrolment, assessment=quiz, number=number, score=score, submitted_at=utcnow())
            for number, score in enumerate(scores, start=1)]
    db.session.add_all(made)
    return made


def returned(enrolment, assignment, score) -> Submission:
    submission = Submission(enrolment=enrolment, assessment=assignment, state=SubmissionState.RETURNED,
                            submitted_at=utcnow(), times_submitted=1, score=score, feedback="ok")
    db.session.add(submission)
    return submission


@pytest.fixture
def book(intake, course):
    """Three trainees with scores whose weighted grades are worked out by hand below."""
    access, funding = by_slug(course, "access-gap-quiz"), by_slug(course, "funding-quiz")  # highest, average
    last_mile, adoption = by_slug(course, "last-mile-delivery-quiz"), by_slug(course, "adoption-results-quiz")
    assignment = by_slug(course, "universal-service-programme")

    anan = enrol(intake, "Anan Partial", email="anan@example.org")
    attempts(anan, access, 60, 80)      # highest: 80
    attempts(anan, funding, 50, 70)     # average: 60
    returned(anan, assignment, 70)      # last mile and adoption missing: 0
    # (15*80 + 15*60 + 15*0 + 15*0 + 40*70) / 100 = 49

    bopha = enrol(intake, "Bopha Strong", email="bopha@example.org")
    attempts(bopha, access, 100)
    attempts(bopha, funding, 100)
    later = attempts(bopha, last_mile, 100, 40)[1]  # last: 40, overridden to 90 below
    later.override_score, later.override_reason = 90, "Question 4 was ambiguous"
    attempts(bopha, adoption, 100)
    returned(bopha, assignment, 50)
    # (15*100 + 15*100 + 15*90 + 15*100 + 40*50) / 100 = 78.5

    formula = enrol(intake, FORMULA_NAME, email="formula@example.org")  # nothing done yet: 0
    enrol(intake, "Withdrawn Wan", state=EnrolmentState.WITHDRAWN)
    enrol(intake, "Requested Rot", state=EnrolmentState.REQUESTED)
    db.session.flush()
    return {"anan": anan, "bopha": bopha, "formula": formula}


def row_of(page: str, name: str) -> str:
    start = page.index(name)
    return page[start:page.index("</tr>", start)]


def test_the_gradebook_shows_the_scores_that_count_and_weighted_grades(signed_in_client, intake, book):
    client = signed_in_client(intake.instructors[0])
    response = client.get(f"/teach/intakes/{intake.id}/gradebook")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    anan = row_of(page, "Anan Partial")
    assert "<strong>49</strong>" in anan and ">below pass mark so far<" in anan  # still active: not failed yet
    assert anan.count("—") == 2  # the two quizzes without a score
    bopha = row_of(page, "Bopha Strong")
    assert "<strong>78.5</strong>" in bopha and ">pass<" in bopha and ">90" in bopha
    assert "<strong>0</strong>" in row_of(page, "=HYPERLINK")
    assert "Withdrawn Wan" not in page and "Requested Rot" not in page
    assert "Course pass mark: 60%" in page


def test_the_gradebook_links_to_grading_and_to_attempts(signed_in_client, intake, book):
    submission = db.session.scalar(select(Submission).where(Submission.enrolment_id == book["anan"].id))
    client = signed_in_client(intake.instructors[0])
    page = client.get(f"/teach/intakes/{intake.id}/gradebook").get_data(as_text=True)
    assert f'href="/teach/submissions/{submission.id}"' in page
    assert f'href="/teach/intakes/{intake.id}/trainees/{book["bopha"].id}/attempts"' in page
    assert f'href="/teach/intakes/{intake.id}/queue"' in page


def test_the_csv_has_the_same_numbers_as_numbers_and_defuses_formulas(signed_in_client, intake, book):
    client = signed_in_client(intake.instructors[0])
    response = client.get(f"/teach/intakes/{intake.id}/gradebook.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == f'attachment; filename="gradebook-intake-{intake.id}.csv"'
    text = response.get_data(as_text=True).lstrip("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:4] == ["Trainee", "E-mail", "Country", "Enrolment state"]
    assert header[4:9] == [by_slug(intake.course, slug).title for slug in (
        "access-gap-quiz", "funding-quiz", "last-mile-delivery-quiz", "adoption-results-quiz",
        "universal-service-programme")]
    assert header[9:] == ["Weighted grade", "Pass mark", "Result", "Required lessons done", "Required lessons"]
    by_email = {row[1]: row for row in rows}
    assert set(by_email) == {"anan@example.org", "bopha@example.org", "formula@example.org"}
    # Still active, so below the pass mark "so far" (as on the page), not failed.
    assert by_email["anan@example.org"][4:12] == ["80", "60", "", "", "70", "49", "60",
                                                  "below pass mark so far"]
    assert by_email["bopha@example.org"][4:12] == ["100", "100", "90", "100", "50", "78.5", "60", "pass"]
    assert by_email["formula@example.org"][0] == "'" + FORMULA_NAME
    assert by_email["formula@example.org"][9:12] == ["0", "60", "below pass mark so far"]
    anan_line = next(line for line in text.splitlines() if "anan@example.org" in line)
    assert anan_line == "Anan Partial,anan@example.org,Thailand,active,80,60,,,70,49,60,below pass mark so far,0,8"


def test_a_face_to_face_gradebook_shows_attendance(signed_in_client, intake, book):
    intake.mode, intake.location, intake.attendance_threshold = intake.mode.FACE_TO_FACE, "Hanoi", 75
    db.session.flush()
    client = signed_in_client(intake.instructors[0])
    assert "Attendance" in client.get(f"/teach/intakes/{intake.id}/gradebook").get_data(as_text=True)
    text = client.get(f"/teach/intakes/{intake.id}/gradebook.csv").get_data(as_text=True)
    assert text.splitlines()[0].endswith("Attendance (%)")


def count_queries(client, url) -> int:
    with counted_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_gradebook_runs_the_same_number_of_queries_for_more_trainees(signed_in_client, intake, book, course):
    client = signed_in_client(intake.instructors[0])
    url = f"/teach/intakes/{intake.id}/gradebook"
    count_queries(client, url)  # first request warms the caches of the app
    few = count_queries(client, url)
    assert few > 5  # the listener sees the requests' queries
    assignment = by_slug(course, "universal-service-programme")
    for number in range(6):
        enrolment = enrol(intake, f"Extra {number}")
        attempts(enrolment, by_slug(course, "access-gap-quiz"), 50)
        returned(enrolment, assignment, 60)
    db.session.flush()
    assert count_queries(client, url) == few
    assert count_queries(client, f"/teach/intakes/{intake.id}/gradebook.csv") <= few


def names_in_order(page: str) -> list[str]:
    found = {name: page.index(name) for name in ("Anan Partial", "Bopha Strong", "=HYPERLINK")}
    return sorted(found, key=found.get)


def test_any_column_sorts_from_its_heading_and_keeps_the_sort_in_the_address(signed_in_client, intake, book, course):
    client = signed_in_client(intake.instructors[0])
    url = f"/teach/intakes/{intake.id}/gradebook"
    page = client.get(url).get_data(as_text=True)
    assert names_in_order(page) == ["=HYPERLINK", "Anan Partial", "Bopha Strong"]  # by name at first
    assert f'href="{url}?sort=-grade"' not in page and f'href="{url}?sort=grade"' in page

    page = client.get(f"{url}?sort=grade").get_data(as_text=True)
    assert names_in_order(page) == ["=HYPERLINK", "Anan Partial", "Bopha Strong"]  # 0, 49, 78.5
    assert 'aria-sort="ascending"' in page and f'href="{url}?sort=-grade"' in page  # the heading now reverses

    page = client.get(f"{url}?sort=-grade").get_data(as_text=True)
    assert names_in_order(page) == ["Bopha Strong", "Anan Partial", "=HYPERLINK"]
    assert 'aria-sort="descending"' in page

    # An assessment's column: the trainee without a score comes last whichever way it is sorted.
    last_mile = by_slug(course, "last-mile-delivery-quiz")
    assert f'href="{url}?sort=a{last_mile.id}"' in page
    for sort in (f"a{last_mile.id}", f"-a{last_mile.id}"):
        page = client.get(f"{url}?sort={sort}").get_data(as_text=True)
        assert names_in_order(page)[0] == "Bopha Strong" and names_in_order(page)[-1] == "Anan Partial"

    page = client.get(f"{url}?sort=-result").get_data(as_text=True)
    assert names_in_order(page)[0] == "Bopha Strong"  # the only pass
    assert client.get(f"{url}?sort=-state").status_code == 200


def test_a_sort_it_does_not_know_falls_back_to_names(signed_in_client, intake, book):
    client = signed_in_client(intake.instructors[0])
    for sort in ("a999999", "password", "-", "a"):
        response = client.get(f"/teach/intakes/{intake.id}/gradebook?sort={sort}")
        assert response.status_code == 200
        assert names_in_order(response.get_data(as_text=True)) == ["=HYPERLINK", "Anan Partial", "Bopha Strong"]


def test_the_csv_link_keeps_the_order_shown(signed_in_client, intake, book):
    client = signed_in_client(intake.instructors[0])
    page = client.get(f"/teach/intakes/{intake.id}/gradebook?sort=-grade").get_data(as_text=True)
    assert f'href="/teach/intakes/{intake.id}/gradebook.csv?sort=-grade"' in page
    text = client.get(f"/teach/intakes/{intake.id}/gradebook.csv?sort=-grade").get_data(as_text=True)
    assert [row[1] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:] == [
        "bopha@example.org", "anan@example.org", "formula@example.org"]
    text = client.get(f"/teach/intakes/{intake.id}/gradebook.csv").get_data(as_text=True)
    assert [row[1] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:] == [
        "formula@example.org", "anan@example.org", "bopha@example.org"]
