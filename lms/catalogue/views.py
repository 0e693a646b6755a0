"""The public catalogue, a course's outline and its lessons."""

from flask import abort, render_template, request
from flask_login import current_user, login_required

from lms.accounts.models import Role

from lms.catalogue import bp
from lms.catalogue.models import Area, Subject
from lms.enrolment import queries as enrolment_queries
from lms.catalogue import queries
from lms.core import clock


def _enum_arg(name: str, enum_class):
    value = request.args.get(name)
    if not value:
        return None
    try:
        return enum_class(value)
    except ValueError:
        abort(400)


@bp.route("/courses")
def list_courses():
    subject, area = _enum_arg("subject", Subject), _enum_arg("area", Area)
    return render_template(
        "catalogue/list.html", courses=queries.list_courses(subject, area), counts=queries.course_content_counts(),
        subjects=list(Subject), areas=list(Area), subject=subject, area=area,
    )


@bp.route("/courses/<slug>")
def show_course(slug: str):
    course = queries.get_course_outline(slug) or abort(404)
    intakes = queries.upcoming_intakes(course, clock.today())
    mine = {}
    if current_user.is_authenticated and current_user.role is Role.TRAINEE:
        mine = enrolment_queries.own_enrolments_by_intake(current_user, [intake.id for intake in intakes])
    return render_template("catalogue/course.html", course=course, intakes=intakes, my_enrolments=mine,
                           today=clock.today())


@bp.route("/courses/<slug>/lessons/<lesson_slug>")
@login_required
def show_lesson(slug: str, lesson_slug: str):
    course = queries.get_course(slug) or abort(404)
    lesson = queries.get_lesson(course, lesson_slug) or abort(404)
    previous_lesson, next_lesson = queries.adjacent_lessons(lesson)
    return render_template("catalogue/lesson.html", course=course, lesson=lesson,
                           previous_lesson=previous_lesson, next_lesson=next_lesson)
