"""The trainee's assignment page (draft, files, submit) and the download of submitted files."""
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import Length

from lms.assessments import bp, submissions, uploads
from lms.assessments.deadlines import terms_for
from lms.assessments.models import Submission, SubmissionFile, SubmissionState
from lms.catalogue.models import Assessment, AssessmentKind, SubmissionKind
from lms.core.forms import BaseForm
from lms.core.transactions import keep_nothing
from lms.enrolment.models import Enrolment
from lms.enrolment.queries import get_own_enrolment_or_404
from lms.extensions import db
from lms.grading.queries import chosen_levels

MAX_TEXT_LENGTH = 100_000


class SubmissionForm(BaseForm):
    text = TextAreaField(_l("Your answer"), render_kw={"rows": 14}, validators=[Length(
        max=MAX_TEXT_LENGTH, message=_l("Please keep your answer under %(max)d characters.", max=MAX_TEXT_LENGTH))])
    files = MultipleFileField(_l("Add files"))
    take_back = BooleanField(_l("Take my submitted work back to a draft (it is not graded until I submit it again)"))
    save_draft = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit"))

    def __init__(self, *args, assessment: Assessment, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        if submission.state is not SubmissionState.SUBMITTED:
            del self.take_back
        if assessment.submission_kind is SubmissionKind.FILE:
            del self.text
        if assessment.submission_kind is SubmissionKind.TEXT:
            del self.files
        else:
            # static/js/lms.js refuses what the server would, before it is sent; the server still checks.
            self.files.render_kw = {
                "accept": uploads.accept_attribute(assessment),
                "data-max-bytes": assessment.max_file_mb * 1024 * 1024,
                "data-max-files": max(0, uploads.MAX_FILES - len(submission.files)),
                "data-too-large": _("Not sent: {names} is larger than %(mb)d MB. Make it smaller (for example, "
                                    "save it as PDF) and choose it again.", mb=assessment.max_file_mb),
                "data-too-many": _("Not sent: a submission keeps at most %(count)d files. Remove one first.",
                                   count=uploads.MAX_FILES),
            }
            self.files.description = _l(
                "Up to %(count)d files, each at most %(mb)d MB. Accepted types: %(types)s.", count=uploads.MAX_FILES,
                mb=assessment.max_file_mb, types=", ".join(uploads.allowed_extensions(assessment)))


def _assignment_or_404(enrolment: Enrolment, assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    if (assessment is None or assessment.kind is not AssessmentKind.ASSIGNMENT
            or assessment.version_id != enrolment.intake.course_version_id):
        abort(404)
    return assessment


def _render(enrolment: Enrolment, assessment: Assessment, submission: Submission, form: SubmissionForm,
            unsaved_text: str | None = None):
    return render_template(
        "assessments/assignment.html", enrolment=enrolment, assessment=assessment, submission=submission,
        form=form, lock_reason=submissions.lock_reason(submission), unsaved_text=unsaved_text,
        terms=terms_for(enrolment, assessment),
        chosen=chosen_levels(submission) if submission.id else {},
    )


def _refuse_locked(reason: str, enrolment: Enrolment, assessment: Assessment, submission: Submission,
                   form: SubmissionForm):
    """The page again with why the work cannot change, keeping the text that was sent to copy elsewhere."""
    flash(reason, "error")
    return _render(enrolment, assessment, submission, form,
                   unsaved_text=form.text.data if "text" in form else None), 409


def _save(form: SubmissionForm, submission: Submission, assessment: Assessment) -> tuple[bool, bool]:
    """Saves what was sent, refusing only bad files; submits when asked and nothing was refused.

    Problems land on the form's fields; returns whether the work was submitted, and whether the server
    failed to store a file.
    """
    files, file_errors = uploads.check_uploads(
        form.files.data if "files" in form else [], assessment, len(submission.files))
    saved = submissions.save_draft(submission, form.text.data if "text" in form else None, files)
    if file_errors or saved.storage_errors:
        form.files.errors = file_errors + saved.storage_errors
        return False, bool(saved.storage_errors)
    if not form.submit.data:
        return False, False
    try:
        submissions.submit(submission)
    except submissions.SubmissionIncomplete as error:
        form[error.field].errors = [str(error)]
        return False, False
    return True, False


def _takes_back_unasked(form: SubmissionForm, submission: Submission) -> bool:
    """Saving a draft over submitted work withdraws it from grading: only when the trainee said so."""
    if not form.save_draft.data or submission.state is not SubmissionState.SUBMITTED:
        return False
    if "take_back" in form and form.take_back.data:
        return False
    message = _("Nothing was saved: your work is submitted. To change it, tick the box to take it back to a draft, "
                "or choose Submit again to replace it. Any file you chose must be chosen again.")
    if "take_back" in form:
        form.take_back.errors = [message]
    else:  # submitted from another window since this page was opened
        form.save_draft.errors = [message]
    flash(message, "error")
    return True


@bp.route("/<int:enrolment_id>/assignments/<int:assessment_id>", methods=["GET", "POST"])
@login_required
def edit_submission(enrolment_id: int, assessment_id: int):
    enrolment = get_own_enrolment_or_404(enrolment_id, current_user)
    assessment = _assignment_or_404(enrolment, assessment_id)
    submission = (submissions.find_submission(enrolment, assessment)
                  or Submission(enrolment=enrolment, assessment=assessment))
    form = SubmissionForm(assessment=assessment, submission=submission, data={"text": submission.text})
    if request.method == "GET":
        return _render(enrolment, assessment, submission, form)

    if reason := submissions.lock_reason(submission):
        return _refuse_locked(reason, enrolment, assessment, submission, form)
    if not form.validate_on_submit():
        return _render(enrolment, assessment, submission, form), 400
    submission = submissions.lock_for_change(submissions.find_or_start(enrolment, assessment))
    if reason := submissions.lock_reason(submission):  # sent from another window in the meantime
        return _refuse_locked(reason, enrolment, assessment, submission, form)
    if _takes_back_unasked(form, submission):
        return _render(enrolment, assessment, submission, form), 409
    submitted, storage_failed = _save(form, submission, assessment)
    if form.errors:
        # What was accepted (the text, the other files) is kept although the page answers an error.
        db.session.commit()
        if storage_failed:
            flash(_("Your text is saved, but the server could not store a file: see the message next to the "
                    "files."), "error")
        elif "files" in form and form.files.errors:
            flash(_("Everything else is saved, but some files were not accepted: see the message next to the "
                    "files."), "error")
        # 507: the server's storage, not the file, is at fault; the page says what was kept.
        return _render(enrolment, assessment, submission, form), 507 if storage_failed else 400
    flash(_("Your work has been submitted for grading.") if submitted else _("Your draft is saved."), "success")
    return redirect(url_for("assessments.edit_submission", enrolment_id=enrolment.id, assessment_id=assessment.id))


@bp.route("/files/<int:file_id>")
@login_required
def download_file(file_id: int):
    file = db.session.get(SubmissionFile, file_id)
    if file is None or not file.submission.enrolment.is_visible_to(current_user):
        abort(404)
    path = uploads.stored_path(file.stored_name)
    if not path.is_file():
        abort(404)
    # Only types we recorded ourselves are sent as such; nothing may be served as a page.
    mimetype = file.content_type if file.content_type in uploads.CONTENT_TYPES.values() else "application/octet-stream"
    response = send_file(path, mimetype=mimetype, max_age=0)
    response.headers["Content-Disposition"] = uploads.content_disposition(file.original_name)  # always an attachment
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"  # stricter than the site's
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/files/<int:file_id>/delete", methods=["POST"])
@login_required
def delete_file(file_id: int):
    file = db.session.get(SubmissionFile, file_id)
    if file is None or file.submission.enrolment.user_id != current_user.id:
        abort(404)
    submission, name = file.submission, file.original_name
    target = url_for("assessments.edit_submission", enrolment_id=submission.enrolment_id,
                     assessment_id=submission.assessment_id)
    try:
        stored_name = submissions.remove_file(file)
    except submissions.SubmissionLocked as error:
        flash(str(error), "error")
        keep_nothing()
        return redirect(target)
    uploads.discard_once_committed(stored_name)
    flash(_("Removed %(name)s.", name=name), "success")
    return redirect(target)
