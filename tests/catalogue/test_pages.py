"""The public catalogue, course outlines and lesson pages."""
import re

from sqlalchemy import select

from lms.catalogue.models import Course, Lesson


def test_the_catalogue_lists_every_course_to_anyone(client, db_session):
    page = client.get("/courses").get_data(as_text=True)
    for course in db_session.scalars(select(Course)):
        assert course.title in page
        assert course.title_zh in page


def test_the_catalogue_filters_by_subject_and_area(client):
    page = client.get("/courses?subject=information-security").get_data(as_text=True)
    assert "Network and Information Security" in page or "network-information-security" in page
    assert "Broadband Infrastructure Planning" not in page
    page = client.get("/courses?area=universal-service").get_data(as_text=True)
    assert "Universal Service for Rural and Remote Areas" in page
    assert "Broadband Infrastructure Planning" not in page


def test_an_unknown_filter_value_is_a_clear_bad_request(client):
    response = client.get("/courses?subject=<script>")
    assert response.status_code == 400
    assert "<script>" not in response.get_data(as_text=True)


def test_a_course_outline_shows_modules_lessons_and_assessments(client, db_session):
    course = db_session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    for module in course.modules:
        assert module.title in page
        for lesson in module.lessons:
            assert lesson.title in page
        for assessment in module.assessments:
            assert assessment.title in page
    # Visitors see the outline but lesson links need an account.
    assert f'/courses/{course.slug}/lessons/' not in page


def test_an_unknown_course_or_lesson_is_not_found(client, trainee_client):
    assert client.get("/courses/no-such-course").status_code == 404
    assert trainee_client.get("/courses/universal-service-rural-remote/lessons/no-such-lesson").status_code == 404


def test_lessons_need_an_account_and_then_show_their_rendered_text(client, trainee_client, db_session):
    lesson = db_session.scalar(select(Lesson).join(Course, Lesson.course_id == Course.id)
                               .where(Course.slug == "telecom-regulation-policy").order_by(Lesson.id))
    url = f"/courses/telecom-regulation-policy/lessons/{lesson.slug}"
    assert client.get(url).status_code == 302
    page = trainee_client.get(url).get_data(as_text=True)
    assert lesson.title in page
    assert "<h2>" in page  # Markdown rendered to HTML
    assert 'rel="next"' in page


def test_pages_load_nothing_from_other_hosts(client):
    page = client.get("/courses").get_data(as_text=True)
    assert "http://" not in page.replace("http://localhost", "") and "https://" not in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/lms.js" defer>']  # only our own
