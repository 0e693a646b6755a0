"""Pages of the reports domain: the quota dashboards and their PDF and CSV downloads."""
from flask import Response, abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from lms.accounts.models import Role
from lms.core.csv_export import csv_response
from lms.core.paging import requested_page
from lms.core.permissions import role_required
from lms.programme.models import Country, Programme
from lms.programme.queries import current_programme
from lms.reports import bp
from lms.reports.access import REPORT_READERS, report_country
from lms.reports.charts import report_charts
from lms.reports.exports import csv_table, report_filename, report_pdf
from lms.reports.freshness import rendered_reports, report_edition
from lms.reports.queries import DEFINITIONS, THRESHOLDS, QuotaReport, country_trainees, quota_report


def _report_or_404() -> QuotaReport:
    """The report the signed-in user asked for with ?country=XX, if they may read it."""
    country = report_country(current_user, request.args.get("country"))
    programme = current_programme() or abort(404)
    return quota_report(programme, country)


@bp.route("/quota")
@role_required(*REPORT_READERS)
def show_quota_report():
    country = report_country(current_user, request.args.get("country"))
    programme = current_programme()
    if programme is None:
        return render_template("reports/quota.html", programme=None)
    return render_template("reports/quota.html", programme=programme, country=country,
                           report_body=_report_body(programme, country),
                           trainee_list=_trainee_list(programme, country) if country else None,
                           at_risk=_at_risk_link(country), definitions=DEFINITIONS)


def _at_risk_link(country: Country | None) -> str | None:
    """The coordinators' list of the report's trainees at risk (counted there, not here: the flags move
    with the clock, and the dashboard keeps its fixed number of queries)."""
    from lms.enrolment.queries import AT_RISK

    if not current_user.has_role(Role.COUNTRY_COORDINATOR, Role.PROGRAMME_COORDINATOR):
        return None
    scope = {"country": country.id} if country and current_user.sees_whole_programme else {}
    return url_for("enrolment.list_enrolments", state="active", risk=AT_RISK, **scope)


def _report_body(programme: Programme, country: Country | None) -> Markup:
    """The report as rendered for this role, counted again only when the figures have changed."""
    def render() -> str:
        report = quota_report(programme, country)
        return render_template("reports/_report_body.html", report=report, charts=report_charts(report),
                               thresholds=THRESHOLDS,
                               country_link=lambda row: url_for("reports.show_quota_report", country=row.code))

    key = ("quota", programme.id, country.id if country else None, current_user.role, *report_edition())
    return Markup(rendered_reports.get(key, render))  # nosec B704 - HTML rendered by the autoescaping template


def _trainee_list(programme: Programme, country: Country) -> Markup:
    """The page of the country's trainees asked for (?page=, ?q=), rendered again only when data has changed."""
    page, search = requested_page(), request.args.get("q", "").strip()[:100]

    def render() -> str:
        return render_template("reports/_trainees.html", country=country,
                               trainees=country_trainees(programme, country, page=page, search=search))

    key = ("trainees", programme.id, country.id, current_user.sees_whole_programme, page, search, *report_edition())
    return Markup(rendered_reports.get(key, render))  # nosec B704 - HTML rendered by the autoescaping template


@bp.route("/quota.pdf")
@role_required(*REPORT_READERS)
def export_quota_pdf():
    report = _report_or_404()
    return Response(report_pdf(report), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{report_filename(report, "pdf")}"',
    })


@bp.route("/quota.csv")
@role_required(*REPORT_READERS)
def export_quota_csv():
    report = _report_or_404()
    header, rows = csv_table(report)
    return csv_response(report_filename(report, "csv"), header, rows)
