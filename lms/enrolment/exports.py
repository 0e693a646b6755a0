"""A coordinator's trainees as a table to take away (CSV or XLSX through lms.core.csv_export)."""
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.grading.completion import standings

FINISHED = (EnrolmentState.COMPLETED, EnrolmentState.FAILED)
STUDYING = (EnrolmentState.APPROVED, EnrolmentState.ACTIVE)


def trainee_table(enrolments: list[Enrolment]) -> tuple[list[str], list[list]]:
    """Header and rows: name, organisation, position, category, course, intake, state, grade so far,
    completion date and certificate serial, one row an enrolment."""
    header = [_("Name"), _("Name in own script"), _("E-mail"), _("Country"), _("Organisation"), _("Type of organisation"), _("Position"),
              _("Category"), _("Course"), _("Intake"), _("Status"), _("Grade so far (%)"), _("Completed on"),
              _("Certificate serial")]
    grades: dict[int, float] = {}
    by_intake = defaultdict(list)
    for enrolment in enrolments:
        if enrolment.state in FINISHED and enrolment.final_grade is not None:
            grades[enrolment.id] = float(enrolment.final_grade)
        elif enrolment.state in STUDYING + FINISHED:
            by_intake[enrolment.intake].append(enrolment)
    for intake, group in by_intake.items():  # a fixed number of queries per intake, not per person
        for item in standings(intake, group):
            grades[item.enrolment.id] = float(item.weighted_grade)
    serials = dict(db.session.execute(
        select(Certificate.enrolment_id, Certificate.serial)
        .where(Certificate.enrolment_id.in_([e.id for e in enrolments]), Certificate.revoked_at.is_(None))
        .order_by(Certificate.id)).all()) if enrolments else {}
    rows = []
    for enrolment in enrolments:
        user, profile = enrolment.user, enrolment.user.profile
        rows.append([
            user.full_name, user.native_name or "", user.email, user.country.name if user.country else "",
            profile.organisation if profile else "",
            str(profile.organisation_type.label) if profile and profile.organisation_type else "",
            profile.position if profile else "",
            str(profile.category.label) if profile else "", enrolment.intake.course.title, enrolment.intake.title,
            str(enrolment.state.label), grades.get(enrolment.id, ""),
            enrolment.completed_at.date().isoformat() if enrolment.completed_at else "",
            serials.get(enrolment.id, ""),
        ])
    return header, rows
