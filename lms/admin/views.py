"""The admin's pages: users and roles, the outbox, the audit log."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.accounts.forms import UserAdminForm
from lms.accounts.models import Role, User
from lms.accounts.operations import update_user
from lms.accounts.queries import people_matching
from lms.admin import bp
from lms.audit.models import AuditEntry
from lms.audit.operations import record
from lms.core.forms import BaseForm
from lms.core.paging import PAGE_SIZE, page_count, requested_page
from lms.core.permissions import role_required
from lms.extensions import db
from lms.jobs.engine import queue
from lms.notifications.delivery import send_again
from lms.notifications.jobs import deliver_mail
from lms.notifications.models import MailStatus, OutboxMail


@bp.route("/users")
@role_required(Role.ADMIN)
def list_users():
    query = select(User).options(joinedload(User.country)).order_by(User.full_name)
    search = request.args.get("q", "").strip()[:100]
    if search:
        query = query.where(people_matching(search))
    role = request.args.get("role", "")
    if role in {member.value for member in Role}:
        query = query.where(User.role == Role(role))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = requested_page()
    users = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/users.html", users=users, search=search, role=role, roles=list(Role),
                           page=page, pages=page_count(total), total=total)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserAdminForm(data={"full_name": user.full_name, "role": user.role.value,
                               "country": str(user.country_id or ""), "is_active": user.is_active})
    form.load_countries()
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != Role.ADMIN.value or not form.is_active.data):
            form.role.errors = [_("You cannot remove your own administrator role or deactivate yourself.")]
        else:
            update_user(current_user, user, full_name=form.full_name.data, role=Role(form.role.data),
                        country_id=int(form.country.data) if form.country.data else None,
                        is_active=form.is_active.data, reason=form.reason.data or None,
                        reset_two_factor=form.reset_two_factor.data)
            db.session.commit()
            flash(_("Saved the changes to %(name)s.", name=user.full_name), "success")
            return redirect(url_for("admin.list_users"))
    history = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "user", AuditEntry.object_id == user.id)
        .order_by(AuditEntry.id.desc()).limit(20)
    ).all()
    status = 400 if form.errors else 200
    return render_template("admin/user_edit.html", form=form, user=user, history=history), status


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
    db.session.commit()
    flash(_("The mail will be sent again in a moment."), "success")
    return redirect(url_for("admin.show_mail", mail_id=mail.id))


@bp.route("/audit")
@role_required(Role.ADMIN, Role.PROGRAMME_COORDINATOR)
def list_audit():
    page = requested_page()
    total = db.session.scalar(select(func.count()).select_from(AuditEntry))
    entries = db.session.scalars(
        select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template("admin/audit.html", entries=entries, page=page,
                           pages=page_count(total))


@bp.route("/jobs")
@role_required(Role.ADMIN)
def list_jobs():
    from lms.jobs.engine import worker_seen_recently
    from lms.jobs.queries import failures, latest_runs, workers

    return render_template("admin/jobs.html", runs=latest_runs(), failures=failures(), workers=workers(),
                           is_processing=worker_seen_recently())
