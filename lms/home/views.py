"""The front page, and a home page for each role."""

from flask import abort, render_template
from flask_login import current_user
from sqlalchemy import func, select

from lms.accounts.models import Role, User
from lms.accounts.queries import corrections_for
from lms.audit.models import AuditEntry
from lms.audit.queries import readable
from lms.catalogue import queries as catalogue_queries
from lms.catalogue.models import Course
from lms.core import clock
from lms.certificates import queries as certificate_queries
from lms.enrolment import queries as enrolment_queries
from lms.extensions import db
from lms.grading import queries as grading_queries
from lms.home import bp
from lms.learning.due import trainee_week
from lms.notifications.models import Notification, OutboxMail
from lms.programme.queries import countries_without_coordinator, country_figures, current_programme


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        programme = current_programme()
        return render_template("home/welcome.html", programme=programme,
                               courses=catalogue_queries.list_courses())
    view = HOME_PAGES.get(current_user.role) or abort(403)
    return view()


def _notifications():
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc()).limit(5)
    ))


def trainee_home():
    enrolments = enrolment_queries.enrolments_of(current_user)
    return render_template(
        "home/trainee.html", enrolments=enrolments, week=trainee_week(enrolments),
        intakes=enrolment_queries.open_intakes(clock.today()), notifications=_notifications(),
        certificates=certificate_queries.certificates_of(current_user),
    )


def instructor_home():
    today = clock.today()
    intakes = enrolment_queries.intakes_taught_by(current_user, today)
    periods = {"running": [], "future": [], "past": []}
    for intake, counts in intakes:
        period = "future" if intake.starts_on > today else "past" if intake.ends_on < today else "running"
        periods[period].append((intake, counts))
    return render_template("home/instructor.html", intakes=intakes, periods=periods, notifications=_notifications(),
                           waiting=grading_queries.queue_sizes([intake.id for intake, _counts in intakes]))


def country_coordinator_home():
    programme = current_programme()
    figures = country_figures(programme, current_user.country_id)[0] if programme else None
    return render_template(
        "home/country_coordinator.html", programme=programme, figures=figures,
        counts=enrolment_queries.state_counts(programme.id, current_user.country_id) if programme else {},
        requests=enrolment_queries.pending_requests(current_user.country_id), notifications=_notifications(),
        name_corrections=corrections_for(current_user, pending=True),
    )


def programme_coordinator_home():
    programme = current_programme()
    rows = country_figures(programme) if programme else []
    return render_template(
        "home/programme_coordinator.html", programme=programme, rows=rows,
        uncoordinated=countries_without_coordinator(),
        total_holding=sum(row.holding_place for row in rows), total_completed=sum(row.completed for row in rows),
        counts=enrolment_queries.state_counts(programme.id) if programme else {},
        requests=enrolment_queries.pending_requests(limit=10),
        name_corrections=corrections_for(current_user, pending=True),
    )


def admin_home():
    users_by_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return render_template(
        "home/admin.html", users_by_role=users_by_role,
        course_count=db.session.scalar(select(func.count()).select_from(Course)),
        outbox_count=db.session.scalar(select(func.count()).select_from(OutboxMail)),
        audit=readable(list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10)))),
    )


HOME_PAGES = {
    Role.TRAINEE: trainee_home,
    Role.INSTRUCTOR: instructor_home,
    Role.COUNTRY_COORDINATOR: country_coordinator_home,
    Role.PROGRAMME_COORDINATOR: programme_coordinator_home,
    Role.ADMIN: admin_home,
}
