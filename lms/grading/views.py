"""The instructor's pages: grading queue, rubric grading, quiz overrides, gradebook and CSV, roster, attendance."""
from collections import Counter

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.assessments import quizzes
from lms.catalogue.translations import reading_language
from lms.core.urls import external_url
from lms.core import clock
from lms.core.csv_export import csv_response
from lms.core.grades import shown
from lms.core.i18n import zone_label
from lms.core.permissions import GRADE_VIEWERS, role_required
from lms.core.transactions import keep_nothing
from lms.enrolment import at_risk
from lms.enrolment.models import DeliveryMode, Enrolment, Intake
from lms.grading import bp, operations, queries
from lms.grading.forms import (NEW_SESSION, AttendanceSheetForm, GradeForm, OverrideForm, criterion_field_name,
                               mark_value)
from lms.grading.models import IntakeSession



def _require_grader(intake: Intake) -> None:
    """Programme staff may look, but only the intake's own instructors grade."""
    if not queries.may_grade(intake, current_user):
        abort(403)


@bp.route("/intakes/<int:intake_id>/queue")
@role_required(*GRADE_VIEWERS)
def show_queue(intake_id: int):
    intake = queries.get_intake_or_404(intake_id, current_user)
    return render_template("grading/queue.html", intake=intake, submissions=queries.grading_queue(intake))


def _grade_form(submission) -> GradeForm:
    chosen = queries.chosen_levels(submission)
    current = {criterion_field_name(criterion): chosen[criterion.id]
               for criterion in submission.assessment.rubric if criterion.id in chosen}
    return GradeForm.for_rubric(submission.assessment.rubric, data={
        **current, "feedback": submission.feedback or "", "version": submission.times_submitted,
        "graded": queries.grade_stamp(submission)})


@bp.route("/submissions/<int:submission_id>", methods=["GET", "POST"])
@role_required(*GRADE_VIEWERS)
def grade_submission(submission_id: int):
    submission = queries.get_submission_or_404(submission_id, current_user)
    intake = submission.enrolment.intake
    form = _grade_form(submission)
    if request.method == "POST":
        _require_grader(intake)
        if form.validate_on_submit():
            try:
                operations.grade_submission(
                    submission, current_user, form.level_ids(submission.assessment.rubric), form.feedback.data,
                    seen_version=form.version.data, seen_grade=form.graded.data,
                    link=external_url("assessments.edit_submission", enrolment_id=submission.enrolment_id,
                                      assessment_id=submission.assessment_id))
            except operations.NotGradable as error:
                form.show_current(submission.times_submitted, queries.grade_stamp(submission))
                flash(str(error), "error")
                keep_nothing()
                return _render_grade_page(submission, form), 409
            flash(_("Grade saved and returned to %(name)s.", name=submission.enrolment.user.full_name), "success")
            return redirect(url_for("grading.show_queue", intake_id=intake.id))
    return _render_grade_page(submission, form), 400 if form.errors else 200


def _render_grade_page(submission, form: GradeForm):
    return render_template("grading/grade.html", submission=submission, form=form,
                           intake=submission.enrolment.intake,
                           can_grade=queries.may_grade(submission.enrolment.intake, current_user),
                           history=queries.grade_history(submission), field_name=criterion_field_name,
                           trainee_language=reading_language(submission.assessment, submission.enrolment.user))


def _override_form(attempt, formdata=None) -> OverrideForm:
    return OverrideForm(formdata=formdata, prefix=f"attempt-{attempt.id}",
                        data={"score": attempt.final_score})


def _render_attempts(intake: Intake, enrolment: Enrolment, failed: OverrideForm | None = None,
                     failed_id: int | None = None):
    attempts = queries.quiz_attempts(enrolment)
    forms = {attempt.id: failed if attempt.id == failed_id else _override_form(attempt)
             for attempt in attempts if attempt.is_submitted}
    # Instructors see each answer beside the score, with the key, before they override it.
    reviews = {attempt.id: quizzes.reviewed_questions(attempt) for attempt in attempts if attempt.is_submitted}
    return render_template("grading/attempts.html", intake=intake, enrolment=enrolment, attempts=attempts,
                           forms=forms, reviews=reviews, can_grade=queries.may_grade(intake, current_user))


@bp.route("/intakes/<int:intake_id>/trainees/<int:enrolment_id>/attempts")
@role_required(*GRADE_VIEWERS)
def show_attempts(intake_id: int, enrolment_id: int):
    intake = queries.get_intake_or_404(intake_id, current_user)
    enrolment = queries.get_roster_enrolment_or_404(intake, enrolment_id)
    return _render_attempts(intake, enrolment)


@bp.route("/attempts/<int:attempt_id>/override", methods=["POST"])
@role_required(*GRADE_VIEWERS)
def override_attempt(attempt_id: int):
    attempt = queries.get_attempt_or_404(attempt_id, current_user)
    intake, enrolment = attempt.enrolment.intake, attempt.enrolment
    _require_grader(intake)
    form = _override_form(attempt, formdata=request.form)
    if form.validate_on_submit():
        try:
            operations.override_attempt(
                attempt, current_user, form.score.data, form.reason.data,
                link=external_url("assessments.show_attempt_result", attempt_id=attempt.id))
        except operations.NotGradable as error:
            flash(str(error), "error")
            keep_nothing()
            return _render_attempts(intake, enrolment), 409
        flash(_("The score of attempt %(number)d was changed to %(score)s%%.", number=attempt.number,
                score=shown(form.score.data)), "success")
        return redirect(url_for("grading.show_attempts", intake_id=intake.id, enrolment_id=enrolment.id))
    return _render_attempts(intake, enrolment, failed=form, failed_id=attempt.id), 400


@bp.route("/intakes/<int:intake_id>/gradebook")
@role_required(*GRADE_VIEWERS)
def show_gradebook(intake_id: int):
    intake = queries.get_intake_or_404(intake_id, current_user)
    return render_template("grading/gradebook.html", intake=intake,
                           book=queries.gradebook(intake, sort=request.args.get("sort")),
                           queue_size=queries.queue_size(intake), result_labels=result_labels())


def result_labels() -> dict[str, str]:
    """The words the gradebook shows for each Standing.result, translated once per page."""
    return {"pass": _("pass"), "fail": _("fail"), "so_far": _("below pass mark so far")}


def _gradebook_table(book: queries.Gradebook) -> tuple[list[str], list[list]]:
    header = [_("Trainee"), _("E-mail"), _("Country"), _("Enrolment state"),
              *[assessment.title for assessment in book.assessments],
              _("Weighted grade"), _("Pass mark"), _("Result"), _("Required lessons done"), _("Required lessons")]
    if book.takes_attendance:
        header.append(_("Attendance (%)"))
    rows, labels = [], result_labels()
    for row in book.rows:
        standing, user = row.standing, row.enrolment.user
        cells = [user.full_name, user.email, user.country.name if user.country else "", row.enrolment.state.value,
                 *[shown(standing.scores.get(assessment.id)) for assessment in book.assessments],
                 shown(standing.weighted_grade), standing.pass_mark, labels[standing.result],
                 standing.lessons_done, standing.lessons_required]
        if book.takes_attendance:
            cells.append(standing.attendance_rate)
        rows.append(cells)
    return header, rows


@bp.route("/intakes/<int:intake_id>/gradebook.csv")
@role_required(*GRADE_VIEWERS)
def export_gradebook_csv(intake_id: int):
    intake = queries.get_intake_or_404(intake_id, current_user)
    # In the order the page showed when its link was followed (the link carries ?sort=).
    header, rows = _gradebook_table(queries.gradebook(intake, sort=request.args.get("sort")))
    return csv_response(f"gradebook-intake-{intake.id}.csv", header, rows)


@bp.route("/intakes/<int:intake_id>/roster")
@role_required(*GRADE_VIEWERS)
def show_roster(intake_id: int):
    intake = queries.get_intake_or_404(intake_id, current_user)
    enrolments = queries.roster(intake)
    return render_template("grading/roster.html", intake=intake, enrolments=enrolments,
                           risks=at_risk.risks_of(enrolments), risk_rules=at_risk.rules())


def _attendance_sheet(intake: Intake, enrolments: list[Enrolment], sessions: list[IntakeSession]):
    """The sheet, offering today (or the intake's nearest day) as the date of a new session."""
    return AttendanceSheetForm(intake=intake, roster=enrolments, sessions=sessions,
                               default_day=min(max(clock.today(), intake.starts_on), intake.ends_on))


def _save_attendance_sheet(intake: Intake, form: AttendanceSheetForm, enrolments: list[Enrolment],
                           sessions: list[IntakeSession]) -> tuple[list[IntakeSession], list[Enrolment]]:
    """Adds the new session if the sheet has one, then stores every session's marks together."""
    by_id = {session.id: session for session in sessions}
    marks = form.marks()
    sheet = {by_id[key]: present for key, present in marks.items() if key != NEW_SESSION}
    if NEW_SESSION in marks:
        added = operations.add_session(intake, form.held_on.data, form.title.data, starts_at=form.starts_at.data,
                                       place=form.place.data)
        sheet[added] = marks[NEW_SESSION]
    return list(sheet), operations.record_attendance(sheet, enrolments, current_user)


@bp.route("/intakes/<int:intake_id>/attendance", methods=["GET", "POST"])
@role_required(*GRADE_VIEWERS)
def record_attendance(intake_id: int):
    intake = queries.get_intake_or_404(intake_id, current_user)
    if intake.mode is DeliveryMode.ONLINE:
        return render_template("grading/attendance_online.html", intake=intake), 404
    enrolments, sessions = queries.roster(intake), queries.sessions_of(intake)
    form = _attendance_sheet(intake, enrolments, sessions)
    if request.method == "POST":
        _require_grader(intake)
        if form.validate_on_submit():
            saved, completed = _save_attendance_sheet(intake, form, enrolments, sessions)
            if saved:
                flash(ngettext("Attendance saved for %(num)d session.", "Attendance saved for %(num)d sessions.",
                               len(saved)), "success")
            else:
                flash(_("Nothing to save yet: give the new session a title, then tick who came."), "info")
            if completed:
                flash(_("Completed the course: %(names)s.",
                        names=", ".join(enrolment.user.full_name for enrolment in completed)), "success")
            return redirect(url_for("grading.record_attendance", intake_id=intake.id))
        checked = form.checked()
    else:
        checked = {f"{row.session_id}:{row.enrolment_id}" for session in sessions  # as mark_value writes them
                   for row in session.attendance if row.is_present}
    names = Counter(enrolment.user.full_name for enrolment in enrolments)
    return render_template("grading/attendance.html", intake=intake, enrolments=enrolments, sessions=sessions,
                           form=form, checked=checked, shared_names={name for name, count in names.items() if count > 1}, mark_value=mark_value, new_session=NEW_SESSION,
                           venue_time=zone_label(intake.zone),
                           can_grade=queries.may_grade(intake, current_user)), 400 if form.errors else 200
