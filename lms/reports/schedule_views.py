"""Pages of report schedules: programme coordinators' schedules, a country coordinator's own subscription."""
from flask import abort, flash, redirect, render_template, url_for
from babel.dates import get_day_names
from flask_babel import get_locale, gettext as _, ngettext
from flask_login import current_user

from lms.core import clock
from lms.core.permissions import role_required
from lms.core.i18n import country_name, zone_label
from lms.core.templating import format_moment
from lms.extensions import db
from lms.programme.queries import all_countries, current_programme
from lms.reports import bp
from lms.reports.access import SCHEDULE_KEEPERS, may_manage_schedule, may_subscribe
from lms.reports.forms import DeleteScheduleForm, ReportScheduleForm, SubscriptionForm
from lms.reports.models import Frequency, ReportSchedule
from lms.reports.operations import create_schedule, delete_schedule, request_run, set_paused, update_schedule
from lms.reports.queries import latest_runs, programme_schedules, recent_runs, subscription_of, subscriptions

LONG_MONTH_DAY = 28  # days after it are missing from some months: the page says what happens then


def get_schedule_or_404(schedule_id: int) -> ReportSchedule:
    """The schedule in the URL, if the signed-in person keeps it (403 otherwise)."""
    schedule = db.session.get(ReportSchedule, schedule_id) or abort(404)
    if not may_manage_schedule(current_user, schedule):
        abort(403)
    return schedule


def _form_for(schedule: ReportSchedule | None = None, subscription: bool = False):
    form_class = SubscriptionForm if subscription else ReportScheduleForm
    options = {"zone": clock.programme_zone(), "countries": [] if subscription else all_countries()}
    return form_class.of_schedule(schedule, **options) if schedule else form_class(**options)


def _said_saved(schedule: ReportSchedule) -> None:
    flash(_("The schedule is saved. Its next report goes out on %(when)s.",
            when=_moment(schedule.next_run_at)) if schedule.next_run_at else _("The schedule is saved."), "success")
    if schedule.frequency is Frequency.MONTHLY and schedule.day_of_month > LONG_MONTH_DAY:
        flash(_("Months without day %(day)d get their report on their last day.", day=schedule.day_of_month),
              "info")


def _moment(value) -> str:
    return format_moment(value)


@bp.route("/schedules")
@role_required(*SCHEDULE_KEEPERS)
def list_report_schedules():
    programme = current_programme() or abort(404)
    if may_subscribe(current_user):
        own = subscription_of(current_user)
        schedules, others = ([own] if own else []), []
    else:
        schedules, others = programme_schedules(programme), subscriptions(programme)
    runs = latest_runs([schedule.id for schedule in schedules + others])
    return render_template("reports/schedules.html", schedules=schedules, subscriptions=others, runs=runs,
                           may_subscribe=may_subscribe(current_user), zone=clock.programme_zone())


@bp.route("/schedules/new", methods=["GET", "POST"])
@role_required(*SCHEDULE_KEEPERS)
def create_report_schedule():
    programme = current_programme() or abort(404)
    subscribing = may_subscribe(current_user)
    if subscribing and (own := subscription_of(current_user)):
        return redirect(url_for("reports.edit_report_schedule", schedule_id=own.id))
    form = _form_for(subscription=subscribing)
    if not form.is_submitted() and subscribing:
        form.name.data = _("My report for %(country)s", country=current_user.country.name)
    if form.validate_on_submit():
        schedule = create_schedule(programme, current_user, form.settings(),
                                   subscriber=current_user if subscribing else None)
        _said_saved(schedule)
        return redirect(url_for("reports.list_report_schedules"))
    return render_template("reports/schedule_form.html", form=form, schedule=None, runs=[],
                           subscribing=subscribing), 400 if form.errors else 200


@bp.route("/schedules/<int:schedule_id>", methods=["GET", "POST"])
@role_required(*SCHEDULE_KEEPERS)
def edit_report_schedule(schedule_id: int):
    schedule = get_schedule_or_404(schedule_id)
    form = _form_for(schedule, subscription=schedule.is_subscription)
    if form.validate_on_submit():
        update_schedule(schedule, current_user, form.settings())
        _said_saved(schedule)
        return redirect(url_for("reports.list_report_schedules"))
    return render_template("reports/schedule_form.html", form=form, schedule=schedule, runs=recent_runs(schedule),
                           subscribing=schedule.is_subscription), 400 if form.errors else 200


@bp.route("/schedules/<int:schedule_id>/run", methods=["POST"])
@role_required(*SCHEDULE_KEEPERS)
def run_report_schedule_now(schedule_id: int):
    schedule = get_schedule_or_404(schedule_id)
    request_run(schedule, current_user)
    flash(_("The report is queued: the worker sends it in a minute or two. Reload this page to see how it went."),
          "success")
    return redirect(url_for("reports.list_report_schedules"))


@bp.route("/schedules/<int:schedule_id>/pause", methods=["POST"])
@role_required(*SCHEDULE_KEEPERS)
def pause_report_schedule(schedule_id: int):
    set_paused(get_schedule_or_404(schedule_id), current_user, True)
    flash(_("The schedule is paused: no report goes out until it is resumed."), "success")
    return redirect(url_for("reports.list_report_schedules"))


@bp.route("/schedules/<int:schedule_id>/resume", methods=["POST"])
@role_required(*SCHEDULE_KEEPERS)
def resume_report_schedule(schedule_id: int):
    schedule = set_paused(get_schedule_or_404(schedule_id), current_user, False)
    flash(_("The schedule is running again. Its next report goes out on %(when)s.",
            when=_moment(schedule.next_run_at)), "success")
    return redirect(url_for("reports.list_report_schedules"))


@bp.route("/schedules/<int:schedule_id>/delete", methods=["GET", "POST"])
@role_required(*SCHEDULE_KEEPERS)
def delete_report_schedule(schedule_id: int):
    schedule = get_schedule_or_404(schedule_id)
    form = DeleteScheduleForm()
    if form.validate_on_submit():
        delete_schedule(schedule, current_user)
        flash(_("The schedule \"%(name)s\" is deleted.", name=schedule.name), "success")
        return redirect(url_for("reports.list_report_schedules"))
    return render_template("reports/schedule_delete.html", schedule=schedule, form=form)


@bp.context_processor
def schedule_words():
    """How the schedule pages say a schedule's calendar and recipients, in the reader's language."""
    def cadence(schedule: ReportSchedule) -> str:
        at = _("%(time)s %(zone)s", time=schedule.time_of_day.strftime("%H:%M"), zone=zone_label(clock.programme_zone()))
        if schedule.frequency is Frequency.WEEKLY:
            return _("Weekly, on %(weekday)s at %(at)s",
                     weekday=get_day_names("wide", locale=get_locale())[schedule.weekday], at=at)
        if schedule.day_of_month > LONG_MONTH_DAY:
            return _("Monthly, on day %(day)d (or the month's last day) at %(at)s", day=schedule.day_of_month, at=at)
        return _("Monthly, on day %(day)d at %(at)s", day=schedule.day_of_month, at=at)

    def recipients_summary(schedule: ReportSchedule) -> str:
        if schedule.is_subscription:
            return _("You: %(country)s's report", country=country_name(schedule.subscriber.country))
        parts = []
        if schedule.to_programme_coordinators:
            parts.append(_("All programme coordinators"))
        if schedule.countries:
            parts.append(_("Country coordinators of %(countries)s (each her or his own country)",
                           countries=", ".join(country_name(country) for country in schedule.countries)))
        if schedule.extra_addresses:
            parts.append(ngettext("%(num)d other address", "%(num)d other addresses", len(schedule.extra_addresses)))
        return "; ".join(parts)

    return {"cadence": cadence, "recipients_summary": recipients_summary}
