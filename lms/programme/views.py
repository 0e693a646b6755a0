"""The programme settings page: target, dates and allocations, for programme coordinators."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.audit.queries import readable
from lms.core.permissions import role_required
from lms.core.transactions import keep_nothing
from lms.extensions import db
from lms.programme import bp
from lms.programme.forms import ProgrammeSettingsForm
from lms.programme.operations import AllocationError, update_settings
from lms.programme.queries import all_countries, current_programme
from lms.programme.quota import allocation_floor


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.PROGRAMME_COORDINATOR)
def edit_settings():
    programme = current_programme() or abort(404)
    form = ProgrammeSettingsForm.for_programme(programme, all_countries(), allocation_floor(programme))
    if form.validate_on_submit():
        try:
            update_settings(programme, current_user, target=form.target.data, starts_on=form.starts_on.data,
                            ends_on=form.ends_on.data, allocations=form.allocations(),
                            reason=form.reason.data or None, aqrf_level=form.aqrf_level.data)
        except AllocationError as refused:  # someone was placed while the form was being filled in
            keep_nothing()
            for name, message in refused.errors.items():
                form[name].errors.append(message)
        else:
            flash(_("The programme settings are saved."), "success")
            return redirect(url_for("programme.edit_settings"))
    history = db.session.scalars(
        select(AuditEntry).options(joinedload(AuditEntry.actor))
        .where(AuditEntry.object_type == "programme", AuditEntry.object_id == programme.id)
        .order_by(AuditEntry.id.desc()).limit(20)
    ).all()
    return render_template("programme/settings.html", form=form, programme=programme,
                           history=readable(history)), 400 if form.errors else 200
