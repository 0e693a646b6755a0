"""API endpoints; they call the same queries as the pages."""
from flask import jsonify

from lms.api import bp
from lms.api import certificates, openapi, quota  # noqa: F401 - their routes join the blueprint
from lms.api.serialisers import course_outline, course_summary
from lms.catalogue import queries as catalogue_queries
from lms.core.errors import json_error



@bp.route("/courses")
def list_courses():
    counts = catalogue_queries.course_content_counts()
    courses = catalogue_queries.list_courses()
    return jsonify({"courses": [course_summary(course, counts.get(course.id, {})) for course in courses],
                    "count": len(courses)})


@bp.route("/courses/<slug>")
def show_course(slug: str):
    course = catalogue_queries.get_course_outline(slug)
    if course is None:
        return json_error(404, f"No course with the slug {slug!r}.")
    return jsonify(course_outline(course))
