"""Course versions for programme staff: each course's history, and moving a running intake to a newer
version after seeing what changes and what would be regraded (a programme coordinator's choice)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.models import Role
from lms.catalogue import bp, offline, queries
from lms.catalogue.models import OfflinePack
from lms.core.forms import BaseForm, parse_id
from lms.core.i18n import LANGUAGES
from lms.core.permissions import INTAKE_STAFF, role_required
from lms.core.transactions import tell_refusal
from lms.enrolment.models import Intake
from lms.extensions import db
from lms.grading import regrading


@bp.route("/courses/<slug>/versions")
@role_required(*INTAKE_STAFF)
def list_course_versions(slug: str):
    course = queries.get_course(slug) or abort(404)
    intakes = list(db.session.scalars(select(Intake).where(Intake.course_id == course.id)
                                      .order_by(Intake.starts_on.desc())))
    versions = queries.versions_of(course)
    packs: dict[int, list[OfflinePack]] = {}
    for pack in db.session.scalars(select(OfflinePack).where(OfflinePack.version_id.in_([v.id for v in versions]))
                                   .order_by(OfflinePack.id)):
        packs.setdefault(pack.version_id, []).append(pack)
    return render_template("catalogue/versions.html", course=course, versions=versions, intakes=intakes,
                           packs=packs, LANGUAGES=LANGUAGES)


@bp.route("/courses/<slug>/offline-packs/<int:pack_id>")
@role_required(*INTAKE_STAFF)
def preview_offline_pack(slug: str, pack_id: int):
    """An offline pack as trainees download it, for staff to look at."""
    pack = db.session.get(OfflinePack, pack_id)
    if pack is None or pack.version.course.slug != slug or not offline.stored_path(pack).is_file():
        abort(404)
    return offline.send_pack(pack)


def _intake_or_404(intake_id: int) -> Intake:
    return db.session.get(Intake, intake_id) or abort(404)


@bp.route("/intakes/<int:intake_id>/version", methods=["GET", "POST"])
@role_required(Role.PROGRAMME_COORDINATOR)
def move_intake_version(intake_id: int):
    intake = _intake_or_404(intake_id)
    newer = regrading.newer_versions(intake)
    form = BaseForm()
    if request.method == "POST":
        target = next((v for v in newer if v.number == parse_id(request.form.get("version"))), None)
        if target is None or not form.validate_on_submit():
            flash(_("Please choose one of the newer versions shown below."), "error")
            return redirect(url_for(".move_intake_version", intake_id=intake.id))
        try:
            result = regrading.move_intake(intake, target, current_user._get_current_object())
        except regrading.MoveRefused as refused:
            flash(tell_refusal(refused), "error")
            return redirect(url_for(".move_intake_version", intake_id=intake.id))
        flash(_("The intake now studies version %(number)d; %(count)d piece(s) of work were regraded.",
                number=target.number, count=len(result.regrades)), "success")
        return redirect(url_for(".move_intake_version", intake_id=intake.id))
    preview, refusal = None, None
    if newer:
        try:
            preview = regrading.preview_move(intake, newer[-1])
        except regrading.MoveRefused as refused:
            refusal = str(refused)
    return render_template("catalogue/move_intake.html", intake=intake, newer=newer, preview=preview,
                           refusal=refusal, form=form, below_pass_mark=regrading.below_pass_mark_entries(intake),
                           retired_work=regrading.retired_work_count(intake))
