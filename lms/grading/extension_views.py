"""The instructor's page of extensions: more time or attempts for one trainee, changed or withdrawn with a reason."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessments import deadlines
from lms.assessments.models import Extension
from lms.catalogue.models import Assessment, AssessmentKind
from lms.core.permissions import GRADE_VIEWERS, role_required
from lms.core.transactions import tell_refusal
from lms.core.urls import external_url
from lms.enrolment.models import Enrolment, Intake
from lms.extensions import db
from lms.grading import bp, queries
from lms.grading.forms import ExtensionForm, WithdrawExtensionForm


@bp.app_context_processor
def _intake_predicates():
    """Whether the signed-in person runs an intake: the instructor pages' navigation asks."""
    return {"may_run_intake": lambda intake: current_user.is_authenticated and queries.may_run(intake, current_user)}


def _extendable(intake: Intake) -> list[Enrolment]:
    return [enrolment for enrolment in queries.roster(intake, with_profiles=False)
            if enrolment.state in deadlines.EXTENDABLE_STATES]


def _assessments(intake: Intake) -> list[Assessment]:
    return [assessment for module in intake.version.modules for assessment in module.assessments]


def _work_link(extension: Extension) -> str:
    endpoint = ("assessments.show_quiz" if extension.assessment.kind is AssessmentKind.QUIZ
                else "assessments.edit_submission")
    return external_url(endpoint, enrolment_id=extension.enrolment_id, assessment_id=extension.assessment_id)


def _form(intake: Intake, formdata=None, data=None) -> ExtensionForm:
    return ExtensionForm(formdata=formdata, data=data, intake=intake, roster=_extendable(intake),
                         assessments=_assessments(intake))


def _prefilled(intake: Intake) -> ExtensionForm:
    """The form for a new extension, or, from a row's "change" link, filled with that extension."""
    extension = db.session.get(Extension, request.args.get("change", type=int) or 0)
    if extension is None or extension.enrolment.intake_id != intake.id:
        return _form(intake, data={"enrolment": request.args.get("enrolment", type=int)})
    due_local = extension.due_at.astimezone(intake.zone) if extension.due_at else None
    return _form(intake, data={
        "enrolment": extension.enrolment_id, "assessment": extension.assessment_id,
        "due_on": due_local.date() if due_local else None, "due_time": due_local.time() if due_local else None,
        "extra_attempts": extension.extra_attempts, "reason": extension.reason})


def _render(intake: Intake, form: ExtensionForm, status: int = 200, withdraw_forms: dict | None = None):
    extensions = deadlines.extensions_of_intake(intake.id)
    withdraw_forms = withdraw_forms or {}
    for extension in extensions:
        withdraw_forms.setdefault(extension.id, WithdrawExtensionForm(formdata=None, prefix=f"withdraw-{extension.id}"))
    return render_template("grading/extensions.html", intake=intake, form=form, extensions=extensions,
                           withdraw_forms=withdraw_forms), status


@bp.route("/intakes/<int:intake_id>/extensions", methods=["GET", "POST"])
@role_required(*GRADE_VIEWERS)
def manage_extensions(intake_id: int):
    intake = queries.get_intake_to_run_or_403(intake_id, current_user)
    if request.method == "GET":
        return _render(intake, _prefilled(intake))
    form = _form(intake, formdata=request.form)
    if not form.validate_on_submit():
        return _render(intake, form, 400)
    enrolment, assessment = db.session.get(Enrolment, form.enrolment.data), db.session.get(Assessment, form.assessment.data)
    try:
        extension = deadlines.grant_extension(
            enrolment, assessment, current_user, due_at=form.due_at(), extra_attempts=form.extra_attempts.data or 0,
            reason=form.reason.data, link=external_url(
                "assessments.show_quiz" if assessment.kind is AssessmentKind.QUIZ else "assessments.edit_submission",
                enrolment_id=enrolment.id, assessment_id=assessment.id))
    except deadlines.ExtensionRefused as refused:
        target = form[refused.field] if refused.field in form else form.enrolment
        target.errors = [*target.errors, tell_refusal(refused)]
        return _render(intake, form, 409)
    flash(_("Extension saved for %(name)s at “%(title)s”; they have been told.",
            name=enrolment.user.full_name, title=assessment.title), "success")
    return redirect(url_for("grading.manage_extensions", intake_id=intake.id, _anchor=f"extension-{extension.id}"))


@bp.route("/extensions/<int:extension_id>/withdraw", methods=["POST"])
@role_required(*GRADE_VIEWERS)
def withdraw_extension(extension_id: int):
    extension = db.session.get(Extension, extension_id) or abort(404)
    intake = queries.get_intake_to_run_or_403(extension.enrolment.intake_id, current_user)
    form = WithdrawExtensionForm(prefix=f"withdraw-{extension.id}")
    if not form.validate_on_submit():
        return _render(intake, _form(intake), 400, withdraw_forms={extension.id: form})
    name, title = extension.enrolment.user.full_name, extension.assessment.title
    deadlines.withdraw_extension(extension, current_user, form.reason.data, link=_work_link(extension))
    flash(_("The extension of %(name)s at “%(title)s” is withdrawn; their work is kept.", name=name, title=title),
          "success")
    return redirect(url_for("grading.manage_extensions", intake_id=intake.id))
