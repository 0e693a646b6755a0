"""The courses shipped in courses/ are complete enough to run the programme."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.catalogue.models import Area, AssessmentKind, Course, CourseVersion, Module, QuestionType, Subject


def test_six_courses_cover_every_subject_and_area_of_the_programme(db_session):
    courses = db_session.scalars(select(Course)).all()
    assert len(courses) >= 6
    assert {course.subject for course in courses} == set(Subject)
    required_areas = set(Area) - {Area.HUMAN_CAPACITY}
    assert required_areas <= {course.area for course in courses}
    assert all(course.title_zh for course in courses)


def test_every_course_has_enough_modules_lessons_quizzes_and_an_assignment(db_session):
    courses = db_session.scalars(select(Course).options(
        selectinload(Course.current_version).selectinload(CourseVersion.modules).selectinload(Module.lessons),
        selectinload(Course.current_version).selectinload(CourseVersion.modules).selectinload(Module.assessments)
    )).all()
    for course in courses:
        assert len(course.modules) >= 3, course.slug
        assignments = []
        for module in course.modules:
            assert len(module.lessons) >= 2, (course.slug, module.slug)
            quizzes = [a for a in module.assessments if a.kind is AssessmentKind.QUIZ]
            assert quizzes and all(len(quiz.questions) >= 5 for quiz in quizzes), (course.slug, module.slug)
            assignments += [a for a in module.assessments if a.kind is AssessmentKind.ASSIGNMENT]
        assert assignments and all(len(a.rubric) >= 2 for a in assignments), course.slug
        for lesson in course.lessons:
            assert len(lesson.body_markdown.split()) > 300, (course.slug, lesson.slug)


def test_the_catalogue_uses_every_question_type(db_session):
    from lms.catalogue.models import Question

    assert {question.type for question in db_session.scalars(select(Question))} == set(QuestionType)
