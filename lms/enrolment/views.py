"""Asking to join an intake, coordinators' decisions and nominations, withdrawals."""
from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from lms.accounts.models import Role, User
from lms.core import clock
from lms.core.csv_export import csv_response, xlsx_response
from lms.core.forms import parse_id
from lms.core.permissions import DECIDERS, INTAKE_STAFF, role_required
from lms.core.transactions import keep_nothing, tell_refusal
from lms.enrolment import at_risk, bp, queries
from lms.catalogue.models import Course
from lms.enrolment.bulk import decide_all, decision_message
from lms.enrolment.exports import trainee_table
from lms.enrolment.forms import (BulkDecisionForm, DecisionForm, PromoteForm, IntakeForm, NominationForm, NominationUploadForm, RequestForm,
                                  WithdrawForm)
from lms.enrolment.intakes import save_intake
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState, Intake
from lms.enrolment.progress import trainee_progress, waiting_list
from lms.enrolment.nomination_csv import (TEMPLATE_EXAMPLE, TEMPLATE_HEADER, NominationFileInvalid, check_rows,
                                          nominate_all, read_rows)
from lms.enrolment.operations import (EnrolmentRefused, approve_enrolment, may_decide, may_place, nominate,
                                      reject_enrolment, request_enrolment, waitlist_enrolment, withdraw_enrolment)
from lms.extensions import db
from lms.programme.queries import countries_without_coordinator, country_figures, current_programme
from lms.programme.quota import people_holding_places, places_taken
from lms.programme.quota import places_left as quota_places_left



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
        if queries.coordinators_of_country(current_user.country_id):
            flash(_("Your request to join %(course)s has been sent to your country's coordinator.",
                    course=intake.course.title), "success")
        else:
            flash(_("Your request to join %(course)s has been sent to the programme coordinators, since your "
                    "country has no coordinator yet.", course=intake.course.title), "success")
    except EnrolmentRefused as refused:
        flash(tell_refusal(refused), "error")
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
        except EnrolmentRefused as refused:
            flash(tell_refusal(refused), "error")
        else:
            flash(_("Withdrawn from %(course)s.", course=enrolment.intake.course.title), "info")
            if promoted and current_user.id != enrolment.user_id:
                flash(_("%(count)d person(s) moved up from the waiting list.", count=len(promoted)), "info")
        return redirect(url_for("home.index"))
    return render_template("enrolment/withdraw.html", form=form, enrolment=enrolment)


@bp.route("/enrolments")
@role_required(*DECIDERS)
def list_enrolments():
    country_id = current_user.country_id if current_user.role is Role.COUNTRY_COORDINATOR else None
    listing = queries.enrolment_listing(country_id)
    listing.paginate()
    programme = current_programme()
    quota = country_figures(programme, country_id)[0] if programme and country_id else None
    state = listing.chosen.get("state")
    decidable = state in (EnrolmentState.REQUESTED.value, EnrolmentState.WAITLISTED.value)
    bulk_form = BulkDecisionForm(formdata=None, next=urlencode(listing.state())) if decidable else None
    return render_template(
        "enrolment/list.html", listing=listing, state=EnrolmentState(state) if state else None,
        risks=at_risk.risks_of(listing.items), risk_rules=at_risk.rules(), at_risk_value=queries.AT_RISK,
        states=list(EnrolmentState), quota=quota, bulk_form=bulk_form,
        uncoordinated=countries_without_coordinator() if country_id is None else [],
    )


EXPORT_LIMIT = 20_000


@bp.route("/enrolments/export.csv")
@role_required(*DECIDERS)
def export_trainees_csv():
    return _export_trainees("csv")


@bp.route("/enrolments/export.xlsx")
@role_required(*DECIDERS)
def export_trainees_xlsx():
    return _export_trainees("xlsx")


def _export_trainees(kind: str):
    """The coordinator's own trainees (their country's; everyone's for programme coordinators), as filtered."""
    country_id = current_user.country_id if current_user.role is Role.COUNTRY_COORDINATOR else None
    listing = queries.enrolment_listing(country_id)
    enrolments = list(db.session.scalars(listing.sorted_query().limit(EXPORT_LIMIT)).unique())
    header, rows = trainee_table(enrolments)
    name = f"trainees-{current_user.country.code.lower() if country_id else 'all'}-{clock.today().isoformat()}"
    if kind == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, rows, sheet=_("Trainees"))
    return csv_response(f"{name}.csv", header, rows)


def _back_to_list(next_query: str | None):
    """The list as the coordinator left it: only its own query parameters are carried back."""
    values = {key: value for key, value in parse_qsl(next_query or "")
              if key in ("q", "sort", "page", *queries.ENROLMENT_FILTERS)}
    return redirect(url_for("enrolment.list_enrolments", **values))


@bp.route("/enrolments/decide", methods=["POST"])
@role_required(*DECIDERS)
def decide_selected():
    form = BulkDecisionForm()
    ids = [parse_id(value) for value in request.form.getlist("enrolment")]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return _back_to_list(form.next.data)
    enrolments = list(db.session.scalars(select(Enrolment).where(Enrolment.id.in_([i for i in ids if i]))))
    if any(not may_decide(current_user, enrolment) for enrolment in enrolments):
        abort(404)
    decision, reason = form.decision.data, form.reason.data or None
    try:
        decided = decide_all(enrolments, current_user, decision, reason)
    except EnrolmentRefused as refused:  # all or none: the approvals made before it are undone too
        flash(tell_refusal(refused), "error")
    except OperationalError:  # SQLite answers a simultaneous write this way
        keep_nothing()
        flash(_busy_message(), "error")
    else:
        for enrolment in decided[:MESSAGES_SHOWN]:
            flash(decision_message(decision, enrolment), "success")
        if len(decided) > MESSAGES_SHOWN:
            flash(_("… and %(count)d more.", count=len(decided) - MESSAGES_SHOWN), "success")
    return _back_to_list(form.next.data)


MESSAGES_SHOWN = 12


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
        except EnrolmentRefused as refused:
            form.decision.errors = [tell_refusal(refused)]
            status = 409
        except OperationalError:  # SQLite answers a simultaneous write this way
            keep_nothing()  # the failed statement leaves the session unusable until it is rolled back
            form.decision.errors = [_busy_message()]
            status = 409
        else:
            flash(decision_message(form.decision.data, enrolment), "success")
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


@bp.route("/enrolments/<int:enrolment_id>/progress")
@role_required(*DECIDERS)
def follow_trainee(enrolment_id: int):
    enrolment = db.session.get(Enrolment, enrolment_id) or abort(404)
    if not may_decide(current_user, enrolment):
        abort(404)
    return render_template("enrolment/progress.html", progress=trainee_progress(enrolment), enrolment=enrolment,
                           risk_rules=at_risk.rules())


@bp.route("/intakes/<int:intake_id>/waiting-list")
@role_required(*DECIDERS)
def show_waiting_list(intake_id: int):
    intake = db.session.get(Intake, intake_id) or abort(404)
    country_id = current_user.country_id if current_user.role is Role.COUNTRY_COORDINATOR else None
    return render_template("enrolment/waiting_list.html", intake=intake, waiting=waiting_list(intake, country_id),
                           places_free=quota_places_left(intake.capacity, places_taken(intake)),
                           form=PromoteForm())


@bp.route("/enrolments/<int:enrolment_id>/promote", methods=["POST"])
@role_required(*DECIDERS)
def promote_from_waiting_list(enrolment_id: int):
    enrolment = db.session.get(Enrolment, enrolment_id) or abort(404)
    if not may_decide(current_user, enrolment):
        abort(404)
    form = PromoteForm()
    if not form.validate_on_submit():
        abort(400)
    if enrolment.state is not EnrolmentState.WAITLISTED:
        flash(_("%(name)s is no longer on the waiting list (status: %(state)s).", name=enrolment.user.full_name,
                state=enrolment.state.label), "error")
        return redirect(url_for("enrolment.show_waiting_list", intake_id=enrolment.intake_id))
    try:
        approve_enrolment(enrolment, current_user, form.reason.data or _("Promoted from the waiting list"))
    except EnrolmentRefused as refused:
        flash(tell_refusal(refused), "error")
    except OperationalError:
        keep_nothing()
        flash(_busy_message(), "error")
    else:
        flash(decision_message("approve", enrolment), "success")
    return redirect(url_for("enrolment.show_waiting_list", intake_id=enrolment.intake_id))


def _nomination_intakes():
    return queries.intakes_open_for_decisions()


@bp.route("/enrolments/nominate", methods=["GET", "POST"])
@role_required(*DECIDERS)
def nominate_trainee():
    form = NominationForm(data={"email": request.args.get("email", "")[:254]} if request.method == "GET" else None)
    form.set_intakes(_nomination_intakes())
    search = request.args.get("q", "").strip()[:100]
    found = queries.trainees_to_nominate(search, current_user) if search else []
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
            except EnrolmentRefused as refused:
                form.intake.errors = [tell_refusal(refused)]
                status = 409
            else:
                flash(_("%(name)s now has a place in %(intake)s.", name=trainee.full_name, intake=intake.title),
                      "success")
                return redirect(url_for("enrolment.list_enrolments", state="approved"))
    elif form.errors:
        status = 400
    return render_template("enrolment/nominate.html", form=form, upload_form=None, search=search,
                           found=found), status


@bp.route("/enrolments/nominate/template.csv")
@role_required(*DECIDERS)
def download_nomination_template():
    """A file to fill in: the header row the upload reads, and one example row to overwrite."""
    example = list(TEMPLATE_EXAMPLE)
    if current_user.role is Role.COUNTRY_COORDINATOR:
        example[-1] = current_user.country.code
    return csv_response("nominations-template.csv", list(TEMPLATE_HEADER), [example])


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
        except NominationFileInvalid as invalid:  # found before anything is written
            errors, status = invalid.errors, 400
        except EnrolmentRefused as refused:  # all or none: accounts and places of the rows before it are undone
            errors, status = [tell_refusal(refused)], 409
        else:
            flash(_("%(count)d trainee(s) nominated and placed in %(intake)s.", count=len(enrolments),
                    intake=intake.title), "success")
            return redirect(url_for("enrolment.list_enrolments", state="approved"))
    elif form.errors:
        status = 400
    return render_template("enrolment/upload.html", form=form, errors=errors), status


# --- Intakes (programme staff) ------------------------------------------------------------------



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
        except EnrolmentRefused as refused:
            form.capacity.errors = [tell_refusal(refused)]
            status = 409
        else:
            flash(_("Saved the intake %(title)s.", title=saved.title), "success")
            return redirect(url_for("enrolment.list_intakes"))
    elif form.errors:
        status = 400
    return render_template("enrolment/intake_form.html", form=form, intake=intake), status
