"""Asking to join an intake, coordinators' decisions and nominations, withdrawals."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from lms.accounts.models import Role, User
from lms.core.permissions import role_required
from lms.enrolment import bp, queries
from lms.catalogue.models import Course
from lms.enrolment.forms import (DecisionForm, IntakeForm, NominationForm, NominationUploadForm, RequestForm,
                                  WithdrawForm)
from lms.enrolment.intakes import save_intake
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState, Intake
from lms.enrolment.nomination_csv import NominationFileInvalid, check_rows, nominate_all, read_rows
from lms.enrolment.operations import (EnrolmentRefused, approve_enrolment, may_decide, may_place, nominate,
                                      people_holding_places, reject_enrolment, request_enrolment,
                                      waitlist_enrolment, withdraw_enrolment)
from lms.extensions import db
from lms.programme.queries import current_programme

DECIDERS = (Role.COUNTRY_COORDINATOR, Role.PROGRAMME_COORDINATOR)


def _busy_message() -> str:
    return _("Another decision was being saved at the same moment. Nothing was changed; please try again.")


@bp.route("/intakes/<int:intake_id>/request", methods=["POST"])
@role_required(Role.TRAINEE)
def request_place(intake_id: int):
    intake = db.session.get(Intake, intake_id) or abort(404)
    form = RequestForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        request_enrolment(current_user, intake)
        db.session.commit()
        if queries.coordinators_of_country(current_user.country_id):
            flash(_("Your request to join %(course)s has been sent to your country's coordinator.",
                    course=intake.course.title), "success")
        else:
            flash(_("Your request to join %(course)s has been sent to the programme coordinators, since your "
                    "country has no coordinator yet.", course=intake.course.title), "success")
    except EnrolmentRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    return redirect(url_for("catalogue.show_course", slug=intake.course.slug))


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.TRAINEE, *DECIDERS)
def withdraw(enrolment_id: int):
    enrolment = db.session.get(Enrolment, enrolment_id) or abort(404)
    if enrolment.user_id != current_user.id and not may_decide(current_user, enrolment):
        abort(404)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            promoted = withdraw_enrolment(enrolment, current_user, form.reason.data or None)
            db.session.commit()
        except EnrolmentRefused as refused:
            db.session.rollback()
            flash(refused.message, "error")
        else:
            flash(_("Withdrawn from %(course)s.", course=enrolment.intake.course.title), "info")
            if promoted and current_user.id != enrolment.user_id:
                flash(_("%(count)d person(s) moved up from the waiting list.", count=len(promoted)), "info")
        return redirect(url_for("home.index"))
    return render_template("enrolment/withdraw.html", form=form, enrolment=enrolment)


@bp.route("/enrolments")
@role_required(*DECIDERS)
def list_enrolments():
    state = request.args.get("state", EnrolmentState.REQUESTED.value)
    try:
        state = EnrolmentState(state)
    except ValueError:
        abort(400)
    country_id = current_user.country_id if current_user.role is Role.COUNTRY_COORDINATOR else None
    programme = current_programme()
    quota = None
    if programme and country_id:
        quota = (programme.allocation_for(current_user.country), people_holding_places(programme.id, country_id))
    return render_template(
        "enrolment/list.html", enrolments=queries.enrolments_in_state(state, country_id), state=state,
        states=list(EnrolmentState), quota=quota,
    )


@bp.route("/enrolments/<int:enrolment_id>", methods=["GET", "POST"])
@role_required(*DECIDERS)
def decide_enrolment(enrolment_id: int):
    enrolment = db.session.get(Enrolment, enrolment_id) or abort(404)
    if not may_decide(current_user, enrolment):
        abort(404)
    form = DecisionForm()
    status = 200
    if form.validate_on_submit():
        reason = form.reason.data or None
        try:
            if form.decision.data == "approve":
                override = form.override_reason.data or None
                if override and current_user.role is not Role.PROGRAMME_COORDINATOR:
                    override = None
                approve_enrolment(enrolment, current_user, reason, override_reason=override)
            elif form.decision.data == "waitlist":
                waitlist_enrolment(enrolment, current_user, reason)
            else:
                reject_enrolment(enrolment, current_user, reason)
            db.session.commit()
        except EnrolmentRefused as refused:
            db.session.rollback()
            form.decision.errors = [refused.message]
            status = 409
        except OperationalError:  # SQLite answers a simultaneous write this way
            db.session.rollback()
            form.decision.errors = [_busy_message()]
            status = 409
        else:
            flash(_("Decision saved for %(name)s.", name=enrolment.user.full_name), "success")
            return redirect(url_for("enrolment.list_enrolments"))
    elif form.errors:
        status = 400
    programme = enrolment.intake.programme
    country = enrolment.user.country
    return render_template(
        "enrolment/decide.html", form=form, enrolment=enrolment,
        allocation=programme.allocation_for(country), holding=people_holding_places(programme.id, country.id),
        can_override=current_user.role is Role.PROGRAMME_COORDINATOR,
    ), status


def _nomination_intakes():
    return queries.intakes_open_for_decisions()


@bp.route("/enrolments/nominate", methods=["GET", "POST"])
@role_required(*DECIDERS)
def nominate_trainee():
    form = NominationForm()
    form.set_intakes(_nomination_intakes())
    status = 200
    if form.validate_on_submit():
        intake = db.session.get(Intake, int(form.intake.data))
        trainee = db.session.scalar(select(User).where(User.email == form.email.data))
        if trainee is None or trainee.role is not Role.TRAINEE or not may_place(current_user, trainee):
            form.email.errors = [_("No trainee of your country has this e-mail address. They can register "
                                   "first, or you can nominate them by CSV upload, which creates the account.")]
            status = 400
        else:
            try:
                nominate(current_user, trainee, intake, form.reason.data or None)
                db.session.commit()
            except EnrolmentRefused as refused:
                db.session.rollback()
                form.intake.errors = [refused.message]
                status = 409
            else:
                flash(_("%(name)s now has a place in %(intake)s.", name=trainee.full_name, intake=intake.title),
                      "success")
                return redirect(url_for("enrolment.list_enrolments", state="approved"))
    elif form.errors:
        status = 400
    return render_template("enrolment/nominate.html", form=form, upload_form=None), status


@bp.route("/enrolments/nominate/upload", methods=["GET", "POST"])
@role_required(*DECIDERS)
def upload_nominations():
    form = NominationUploadForm()
    form.set_intakes(_nomination_intakes())
    errors = []
    status = 200
    if form.validate_on_submit():
        intake = db.session.get(Intake, int(form.intake.data))
        try:
            nominees = check_rows(read_rows(form.file.data.read()), current_user, intake)
            enrolments = nominate_all(nominees, current_user, intake)
            db.session.commit()
        except NominationFileInvalid as invalid:
            db.session.rollback()
            errors, status = invalid.errors, 400
        except EnrolmentRefused as refused:
            db.session.rollback()
            errors, status = [refused.message], 409
        else:
            flash(_("%(count)d trainee(s) nominated and placed in %(intake)s.", count=len(enrolments),
                    intake=intake.title), "success")
            return redirect(url_for("enrolment.list_enrolments", state="approved"))
    elif form.errors:
        status = 400
    return render_template("enrolment/upload.html", form=form, errors=errors), status


# --- Intakes (programme staff) ------------------------------------------------------------------

INTAKE_STAFF = (Role.PROGRAMME_COORDINATOR, Role.ADMIN)


@bp.route("/intakes")
@role_required(*INTAKE_STAFF)
def list_intakes():
    return render_template("enrolment/intakes.html", rows=queries.intakes_with_counts())


@bp.route("/intakes/new", methods=["GET", "POST"])
@bp.route("/intakes/<int:intake_id>/edit", methods=["GET", "POST"])
@role_required(*INTAKE_STAFF)
def edit_intake(intake_id: int | None = None):
    intake = (db.session.get(Intake, intake_id) or abort(404)) if intake_id else None
    programme = current_programme() or abort(404)
    data = None
    if intake is not None and request.method == "GET":
        data = {"course": str(intake.course_id), "title": intake.title, "mode": intake.mode.value,
                "starts_on": intake.starts_on, "ends_on": intake.ends_on, "capacity": intake.capacity,
                "location": intake.location or "", "attendance_threshold": intake.attendance_threshold,
                "instructors": [str(user.id) for user in intake.instructors]}
    form = IntakeForm(data=data)
    form.set_choices(db.session.scalars(select(Course).order_by(Course.title)).all(),
                     db.session.scalars(select(User).where(User.role == Role.INSTRUCTOR, User.is_active.is_(True))
                                        .order_by(User.full_name)).all())
    status = 200
    if form.validate_on_submit():
        try:
            saved = save_intake(
                intake, current_user, programme, course=db.session.get(Course, int(form.course.data)),
                title=form.title.data, mode=DeliveryMode(form.mode.data), starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, capacity=form.capacity.data, location=form.location.data or None,
                attendance_threshold=form.attendance_threshold.data,
                instructor_ids=[int(value) for value in form.instructors.data or []])
            db.session.commit()
        except EnrolmentRefused as refused:
            db.session.rollback()
            form.capacity.errors = [refused.message]
            status = 409
        else:
            flash(_("Saved the intake %(title)s.", title=saved.title), "success")
            return redirect(url_for("enrolment.list_intakes"))
    elif form.errors:
        status = 400
    return render_template("enrolment/intake_form.html", form=form, intake=intake), status
