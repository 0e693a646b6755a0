"""The admin's pages: users and roles, the outbox, the audit log."""
from urllib.parse import parse_qsl, urlencode

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.accounts.forms import InviteUserForm, UserAdminForm
from lms.accounts.models import Role, User
from lms.accounts.operations import AccountRefused, invite_user, resend_invitation, update_user
from lms.accounts.queries import people_matching
from lms.admin import bp
from lms.audit.models import AuditEntry
from lms.audit.queries import as_text, audit_listing, readable
from lms.audit.operations import record
from lms.core.csv_export import csv_response
from lms.core.forms import BaseForm
from lms.core.listing import Filter, Listing, Sort
from lms.core.paging import PAGE_SIZE, page_count, requested_page
from lms.core.permissions import AUDIT_READERS, role_required
from lms.core.transactions import tell_refusal
from lms.extensions import db
from lms.jobs.engine import queue
from lms.notifications.delivery import send_again
from lms.notifications.jobs import deliver_mail
from lms.notifications.models import MailStatus, OutboxMail
from lms.programme.models import Country
from lms.programme.queries import countries_without_coordinator


USER_LIST_KEYS = ("q", "role", "country", "status", "sort", "page")


def user_listing() -> Listing:
    query = select(User).outerjoin(User.country).options(joinedload(User.country))
    countries = db.session.execute(select(Country.id, Country.name).order_by(Country.name)).all()
    filters = [
        Filter("role", _l("Role"), [(role.value, role.label) for role in Role],
               lambda q, value: q.where(User.role == Role(value)), all_label=_l("All roles")),
        Filter("country", _l("Country"), [(str(id_), name) for id_, name in countries] + [("none", _l("No country"))],
               lambda q, value: q.where(User.country_id.is_(None) if value == "none" else User.country_id == int(value)),
               all_label=_l("Every country")),
        Filter("status", _l("Status"), [("active", _l("active")), ("deactivated", _l("deactivated")),
                                        ("invited", _l("invited, no password yet"))],
               _by_status, all_label=_l("Any status")),
    ]
    sorts = [Sort("name", _l("Name"), (User.full_name, User.id)), Sort("email", _l("E-mail"), (User.email,)),
             Sort("role", _l("Role"), (User.role, User.full_name, User.id)),
             Sort("country", _l("Country"), (Country.name, User.full_name, User.id)),
             Sort("registered", _l("Registered"), (User.created_at, User.id))]
    return Listing("admin.list_users", query, sorts, filters, search=people_matching,
                   search_label=_l("Name or e-mail"))


def _by_status(query, value: str):
    if value == "invited":
        return query.where(User.invited_at.is_not(None))
    return query.where(User.is_active.is_(value == "active"))


@bp.route("/users")
@role_required(Role.ADMIN)
def list_users():
    listing = user_listing()
    listing.paginate()
    return render_template("admin/users.html", listing=listing, back=urlencode(listing.state()),
                           uncoordinated=countries_without_coordinator())


def _back_to_users(back: str | None):
    """The user list as the admin left it: search, filters, sort and page survive a save."""
    values = {key: value for key, value in parse_qsl(back or "") if key in USER_LIST_KEYS}
    return redirect(url_for("admin.list_users", **values))


def _refused_on(form, refused: AccountRefused) -> None:
    """A rule's refusal shown next to the field it is about; what was typed stays in the form, nothing is kept."""
    form[refused.field].errors = [*form[refused.field].errors, tell_refusal(refused)]


def _back() -> str:
    return request.args.get("back", "")[:1000]


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def invite_new_user():
    form = InviteUserForm()
    form.load_countries()
    if form.validate_on_submit():
        try:
            user = invite_user(current_user._get_current_object(), **form.account_values())
        except AccountRefused as refused:
            _refused_on(form, refused)
        else:
            flash(_("%(name)s's account is made; the invitation to %(email)s will be sent in a moment.",
                    name=user.full_name, email=user.email), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id, back=_back() or None))
    status = 400 if form.errors else 200
    return render_template("admin/user_new.html", form=form, back=_back(),
                           days=current_app.config["INVITATION_MAX_AGE"].days,
                           back_url=_back_to_users(_back()).location), status


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@role_required(Role.ADMIN)
def resend_user_invitation(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        resend_invitation(current_user._get_current_object(), user)
    except AccountRefused as refused:
        flash(tell_refusal(refused), "error")
    else:
        flash(_("A new invitation to %(email)s will be sent in a moment; the links sent before no longer work.",
                email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id, back=_back() or None))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserAdminForm.for_user(user)
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != Role.ADMIN.value or not form.is_active.data):
            form.role.errors = [_("You cannot remove your own administrator role or deactivate yourself.")]
        else:
            try:
                update_user(current_user._get_current_object(), user, **form.account_values(),
                            is_active=form.is_active.data, reason=form.reason.data or None,
                            reset_two_factor=form.reset_two_factor.data)
            except AccountRefused as refused:
                _refused_on(form, refused)
            else:
                flash(_("Saved the changes to %(name)s.", name=user.full_name), "success")
                return _back_to_users(request.args.get("back"))
    history = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "user", AuditEntry.object_id == user.id)
        .order_by(AuditEntry.id.desc()).limit(20)
    ).all()
    status = 400 if form.errors else 200
    back = _back()
    shows_profile = user.profile is not None or form.role.data == Role.TRAINEE.value
    return render_template("admin/user_edit.html", form=form, user=user, history=readable(history), back=back,
                           back_url=_back_to_users(back).location, shows_profile=shows_profile,
                           invitation_form=BaseForm(formdata=None)), status


@bp.route("/outbox")
@role_required(Role.ADMIN)
def list_outbox():
    page = requested_page()
    query = select(OutboxMail)
    status = request.args.get("status", "")
    if status in {member.value for member in MailStatus}:
        query = query.where(OutboxMail.status == MailStatus(status))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    mails = db.session.scalars(
        query.order_by(OutboxMail.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    failed = db.session.scalar(select(func.count()).select_from(OutboxMail)
                               .where(OutboxMail.status == MailStatus.FAILED))
    return render_template("admin/outbox.html", mails=mails, page=page, pages=page_count(total), status=status,
                           failed=failed, statuses=list(MailStatus))


@bp.route("/outbox/<int:mail_id>")
@role_required(Role.ADMIN)
def show_mail(mail_id: int):
    mail = db.session.get(OutboxMail, mail_id) or abort(404)
    return render_template("admin/mail.html", mail=mail, form=BaseForm(), MailStatus=MailStatus)


@bp.route("/outbox/<int:mail_id>/resend", methods=["POST"])
@role_required(Role.ADMIN)
def resend_mail(mail_id: int):
    mail = db.session.get(OutboxMail, mail_id) or abort(404)
    if mail.status is not MailStatus.FAILED:
        flash(_("Only a mail that failed can be sent again."), "error")
        return redirect(url_for("admin.show_mail", mail_id=mail.id))
    send_again(mail)
    queue(deliver_mail)
    record(current_user._get_current_object(), "mail.resent", mail, before={"error": mail.error})
    flash(_("The mail will be sent again in a moment."), "success")
    return redirect(url_for("admin.show_mail", mail_id=mail.id))


@bp.route("/audit")
@role_required(*AUDIT_READERS)
def list_audit():
    listing = audit_listing()
    listing.paginate()
    return render_template("admin/audit.html", listing=listing, entries=readable(listing.items))


AUDIT_EXPORT_LIMIT = 50_000


@bp.route("/audit.csv")
@role_required(*AUDIT_READERS)
def export_audit_csv():
    """The log as filtered on screen, every page of it (up to a limit a spreadsheet opens)."""
    listing = audit_listing()
    entries = db.session.scalars(listing.sorted_query().limit(AUDIT_EXPORT_LIMIT)).unique().all()
    rows = ([item.entry.at.isoformat(), item.entry.actor.full_name if item.entry.actor else _("system"),
             item.entry.action, item.object_label, item.entry.object_id, as_text(item.before), as_text(item.after),
             item.entry.reason] for item in readable(entries))
    return csv_response("audit-log.csv", [_("When (UTC)"), _("Who"), _("Action"), _("Object"), _("Object number"),
                                          _("Before"), _("After"), _("Reason")], rows)


@bp.route("/jobs")
@role_required(Role.ADMIN)
def list_jobs():
    from lms.jobs.engine import worker_seen_recently
    from lms.jobs.queries import failures, latest_runs, workers

    return render_template("admin/jobs.html", runs=latest_runs(), failures=failures(), workers=workers(),
                           is_processing=worker_seen_recently())
