"""The catalogue: courses imported from files, their outline and lessons."""
from flask import Blueprint

bp = Blueprint("catalogue", __name__)


@bp.app_context_processor
def content_in_the_readers_language():
    from lms.catalogue.translations import shown_assessment, shown_course, shown_lesson

    return {"shown_lesson": shown_lesson, "shown_course": shown_course, "shown_assessment": shown_assessment}
