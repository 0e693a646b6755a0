"""GET /api/v1/courses: the catalogue as JSON."""
from sqlalchemy import func, select

from lms.catalogue.models import Course


def test_the_api_lists_every_course_with_its_facts(client, db_session):
    response = client.get("/api/v1/courses")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["count"] == db_session.scalar(select(func.count()).select_from(Course)) == len(body["courses"])
    course = next(c for c in body["courses"] if c["slug"] == "universal-service-rural-remote")
    assert course["title"] == "Universal Service for Rural and Remote Areas"
    assert course["subject"] == "regulation" and course["area"] == "universal-service"
    assert course["modules"] >= 3 and course["lessons"] >= 6 and course["assessments"] >= 4
    assert course["url"].endswith("/courses/universal-service-rural-remote")


def test_a_course_outline_never_contains_answers(client):
    body = client.get("/api/v1/courses/network-information-security").get_json()
    assert len(body["outline"]) >= 3
    text = str(body)
    assert "correct" not in text and "'answer" not in text and "tolerance" not in text


def test_unknown_course_and_unknown_endpoint_answer_json_errors(client):
    response = client.get("/api/v1/courses/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    response = client.post("/api/v1/courses")
    assert response.status_code in (400, 405) and response.is_json
