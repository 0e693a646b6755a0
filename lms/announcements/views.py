"""The instructor's announcements page of an intake: the ones posted, newest first, and the form to post one."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.announcements import bp, operations, queries
from lms.announcements.forms import AnnouncementForm
from lms.core.permissions import GRADE_VIEWERS, role_required
from lms.core.transactions import tell_refusal
from lms.grading.queries import get_intake_to_run_or_403


@bp.route("/intakes/<int:intake_id>/announcements", methods=["GET", "POST"])
@role_required(*GRADE_VIEWERS)
def manage_announcements(intake_id: int):
    intake = get_intake_to_run_or_403(intake_id, current_user)
    form = AnnouncementForm()
    if form.validate_on_submit():
        try:
            operations.post_announcement(intake, current_user, form.title.data, form.body.data)
        except operations.AnnouncementRefused as refused:
            form[refused.field].errors = [*form[refused.field].errors, tell_refusal(refused)]
        else:
            flash(_("Announcement posted. %(count)d trainee(s) will be told in the app and by mail.",
                    count=len(queries.recipients(intake))), "success")
            return redirect(url_for("announcements.manage_announcements", intake_id=intake.id))
    return render_template("announcements/manage.html", intake=intake, form=form,
                           announcements=queries.announcements_of(intake),
                           recipients=len(queries.recipients(intake))), 400 if form.errors else 200
