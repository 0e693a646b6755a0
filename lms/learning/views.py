"""The trainee's intake page, lessons in study mode and marking them done."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import defer

from lms.accounts.models import Role
from lms.announcements.queries import announcements_of
from lms.catalogue import offline
from lms.catalogue.models import Assessment, AssessmentKind, Lesson, PackKind
from lms.catalogue.queries import adjacent_lessons
from lms.core.i18n import current_language
from lms.core.permissions import role_required
from lms.enrolment.queries import get_own_enrolment_or_404
from lms.core.transactions import keep_visit_record
from lms.extensions import db
from lms.grading.completion import evaluate_completion, standing
from lms.learning import bp
from lms.learning.operations import mark_done, record_view
from lms.learning.queries import own_assessment, study_outline


def _load(enrolment_id: int):
    return get_own_enrolment_or_404(enrolment_id, current_user)


def _lesson_of(enrolment, lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id, options=[defer(Lesson.body_markdown)])  # the page shows body_html
    if lesson is None or lesson.version_id != enrolment.intake.course_version_id:
        abort(404)
    return lesson


def _module_work_after(lesson: Lesson, next_lesson: Lesson | None) -> list[Assessment]:
    """After a module's last lesson come that module's quizzes and assignment, before the next module."""
    if next_lesson is not None and next_lesson.module_id == lesson.module_id:
        return []
    return list(lesson.module.assessments)


def _assessment_url(enrolment, assessment: Assessment) -> str:
    endpoint = "assessments.show_quiz" if assessment.kind is AssessmentKind.QUIZ else "assessments.edit_submission"
    return url_for(endpoint, enrolment_id=enrolment.id, assessment_id=assessment.id)


@bp.route("/<int:enrolment_id>")
@role_required(Role.TRAINEE)
def show_intake(enrolment_id: int):
    enrolment = _load(enrolment_id)
    language = current_language().code
    packs, pack_language = offline.packs_for(enrolment.intake.version, language)
    return render_template("learning/intake.html", enrolment=enrolment, course=enrolment.intake.course,
                           modules=enrolment.intake.version.modules,
                           outline=study_outline(enrolment), standing=standing(enrolment),
                           announcements=announcements_of(enrolment.intake),
                           packs=packs, PackKind=PackKind, packs_in_english=pack_language != language)


@bp.route("/<int:enrolment_id>/offline.<any(zip, pdf):kind>")
@role_required(Role.TRAINEE)
def download_offline_pack(enrolment_id: int, kind: str):
    """The intake's course version to read offline, in the trainee's language (English if it has none)."""
    enrolment = _load(enrolment_id)
    packs, _language = offline.packs_for(enrolment.intake.version, current_language().code)
    pack = packs.get(PackKind(kind))
    path = offline.stored_path(pack) if pack else None
    if path is None or not path.is_file():
        flash(_("The offline copy of this course is being prepared. Please try again later."), "info")
        return redirect(url_for(".show_intake", enrolment_id=enrolment.id))
    return offline.send_pack(pack)


@bp.route("/courses/<slug>/assessments/<assessment_slug>")
@login_required
def open_assessment(slug: str, assessment_slug: str):
    """Where an offline pack's link to a quiz or assignment leads: that work in the reader's own intake."""
    found = own_assessment(current_user, slug, assessment_slug)
    if found is None:
        return redirect(url_for("catalogue.show_course", slug=slug))
    enrolment, assessment = found
    if assessment.kind is AssessmentKind.QUIZ:
        return redirect(url_for("assessments.show_quiz", enrolment_id=enrolment.id, assessment_id=assessment.id))
    return redirect(url_for("assessments.edit_submission", enrolment_id=enrolment.id, assessment_id=assessment.id))


@bp.route("/<int:enrolment_id>/lessons/<int:lesson_id>")
@role_required(Role.TRAINEE)
def show_lesson(enrolment_id: int, lesson_id: int):
    enrolment = _load(enrolment_id)
    lesson = _lesson_of(enrolment, lesson_id)
    progress = record_view(enrolment, lesson)
    keep_visit_record()  # the last view, which the intake page resumes from
    previous_lesson, next_lesson = adjacent_lessons(lesson)
    module_work = [(assessment, _assessment_url(enrolment, assessment))
                   for assessment in _module_work_after(lesson, next_lesson)]
    # Committed after it returns (lms/core/transactions.py), so the page renders with the objects already loaded.
    return render_template("learning/lesson.html", enrolment=enrolment, lesson=lesson, progress=progress,
                           previous_lesson=previous_lesson, next_lesson=next_lesson, module_work=module_work)


@bp.route("/<int:enrolment_id>/lessons/<int:lesson_id>/done", methods=["POST"])
@role_required(Role.TRAINEE)
def mark_lesson_done(enrolment_id: int, lesson_id: int):
    enrolment = _load(enrolment_id)
    lesson = _lesson_of(enrolment, lesson_id)  # the app checks the CSRF token of every POST
    if not enrolment.can_work:
        flash(_("Lessons can be marked done while the intake is running."), "error")
        return redirect(url_for("learning.show_lesson", enrolment_id=enrolment.id, lesson_id=lesson.id))
    mark_done(enrolment, lesson)
    completed = evaluate_completion(enrolment, by=current_user)
    if completed:
        flash(_("You have completed the course. Congratulations!"), "success")
        return redirect(url_for("learning.show_intake", enrolment_id=enrolment.id))
    _previous, next_lesson = adjacent_lessons(lesson)
    if module_work := _module_work_after(lesson, next_lesson):
        return redirect(_assessment_url(enrolment, module_work[0]))
    if next_lesson is not None:
        return redirect(url_for("learning.show_lesson", enrolment_id=enrolment.id, lesson_id=next_lesson.id))
    return redirect(url_for("learning.show_intake", enrolment_id=enrolment.id))
