"""The admin's web import: upload a course folder as a ZIP, read the errors (path:line) or the plan,
then apply it. The same reader and plan builder as `flask courses import --dry-run`."""
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.models import Role
from lms.catalogue import bp
from lms.catalogue import zip_import
from lms.catalogue.course_files import CourseTreeInvalid, read_tree
from lms.catalogue.operations import apply_plan
from lms.catalogue.plans import build_plan
from lms.core.forms import BaseForm
from lms.core.permissions import role_required
from lms.core.transactions import keep_nothing


def _imports_dir() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "imports"


def _errors(invalid: CourseTreeInvalid, root: Path) -> list[str]:
    """Each problem as path:line inside the uploaded folder, never the server's own paths."""
    lines = []
    for error in invalid.errors:
        try:
            where = Path(error.path).relative_to(root).as_posix()
        except ValueError:
            where = Path(error.path).name
        lines.append(f"{where}:{error.line}: {error.message}" if error.line else f"{where}: {error.message}")
    return lines


@bp.route("/admin/courses/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_course_zip():
    form = BaseForm()
    if request.method == "GET":
        return render_template("catalogue/import.html", form=form)
    if not form.validate_on_submit():
        flash(_("The form had expired; please choose the file again."), "error")
        return redirect(url_for(".import_course_zip"))
    upload = request.files.get("archive")
    if upload is None or not upload.filename:
        return render_template("catalogue/import.html", form=form, upload_error=_("Please choose a ZIP file.")), 400
    try:
        item = zip_import.unpack(upload.stream, _imports_dir())
    except zip_import.ZipRefused as refused:
        return render_template("catalogue/import.html", form=form,
                               upload_error=_("The archive was refused: %(reason)s", reason=str(refused))), 400
    try:
        specs = read_tree(item.root)
    except CourseTreeInvalid as invalid:
        zip_import.discard(item)
        return render_template("catalogue/import.html", form=form, errors=_errors(invalid, item.root)), 400
    plan = build_plan(specs)
    keep_nothing()  # only the plan is shown: nothing is applied until the admin says so
    return render_template("catalogue/import.html", form=form, plan=plan, token=item.token)


@bp.route("/admin/courses/import/apply", methods=["POST"])
@role_required(Role.ADMIN)
def apply_course_zip():
    form = BaseForm()
    item = zip_import.unpacked(_imports_dir(), request.form.get("token", ""))
    if item is None or not form.validate_on_submit():
        flash(_("That upload is no longer waiting to be applied; please upload the archive again."), "error")
        return redirect(url_for(".import_course_zip"))
    try:
        plan = build_plan(read_tree(item.root))
    except CourseTreeInvalid:
        zip_import.discard(item)
        flash(_("That upload is no longer valid; please upload the archive again."), "error")
        return redirect(url_for(".import_course_zip"))
    result = apply_plan(plan, by=current_user._get_current_object())
    zip_import.discard(item)
    flash(_("Imported: %(created)d new, %(updated)d with a new version, %(unchanged)d unchanged.",
            created=len(result.created), updated=len(result.updated), unchanged=len(result.unchanged)), "success")
    slug = (result.created or result.updated or result.unchanged)[0]
    return redirect(url_for(".list_course_versions", slug=slug))
