"""Explicit JSON shapes of the API: only what is listed here leaves the server."""
from lms.catalogue.models import Course
from lms.core.urls import external_url


def course_summary(course: Course, counts: dict[str, int]) -> dict:
    return {
        "slug": course.slug,
        "title": course.title,
        "title_zh": course.title_zh,
        "version": course.version,
        "subject": course.subject.value,
        "area": course.area.value,
        "hours": course.hours,
        "pass_mark": course.pass_mark,
        "summary": course.summary,
        "modules": counts.get("modules", 0),
        "lessons": counts.get("lessons", 0),
        "assessments": counts.get("assessments", 0),
        "url": external_url("catalogue.show_course", slug=course.slug),
    }


def course_outline(course: Course) -> dict:
    return {
        **course_summary(course, {
            "modules": len(course.modules),
            "lessons": sum(len(module.lessons) for module in course.modules),
            "assessments": sum(len(module.assessments) for module in course.modules),
        }),
        "objectives": course.objectives,
        "outline": [
            {
                "slug": module.slug,
                "title": module.title,
                "lessons": [{"slug": lesson.slug, "title": lesson.title, "minutes": lesson.minutes,
                             "required": lesson.is_required} for lesson in module.lessons],
                "assessments": [{"slug": assessment.slug, "title": assessment.title,
                                 "kind": assessment.kind.value, "weight": float(assessment.weight)}
                                for assessment in module.assessments],
            }
            for module in course.modules
        ],
    }
