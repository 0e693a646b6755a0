"""The quota report as PDF, CSV and JSON: one report, three formats, shared by the pages, the API, the CLI
and the scheduled mail."""
import hashlib
import json

from flask import render_template
from flask_babel import gettext as _

from lms.core.csv_export import csv_response
from lms.core.pdf import render_pdf
from lms.reports.charts import report_charts
from lms.reports.queries import AT_RISK_SHARE, DEFINITIONS, ON_TRACK_SHARE, THRESHOLDS, Figures, QuotaReport


def report_filename(report: QuotaReport, extension: str) -> str:
    scope = report.country.code if report.country else "all"
    return f"quota-report-{scope}-{report.as_of.isoformat()}.{extension}"


def report_html(report: QuotaReport) -> str:
    return render_template("reports/pdf/quota.html", report=report, charts=report_charts(report),
                           definitions=DEFINITIONS, thresholds=THRESHOLDS)


def report_pdf(report: QuotaReport) -> bytes:
    return render_pdf(report_html(report))


def _figure_cells(figures: Figures) -> list:
    return [figures.allocation, figures.nominated, figures.approved, figures.active, figures.completed,
            figures.certified, figures.percentage, figures.still_to_certify, figures.pace_needed, figures.current_pace,
            figures.forecast, str(figures.status.label)]


def csv_table(report: QuotaReport) -> tuple[list[str], list[list]]:
    """One row for the report's scope (programme or country) and one a country; breakdowns as columns."""
    header = [_("Scope"), _("Country code"), _("Country"), _("Allocation"), _("Nominated"), _("Approved"), _("Active"),
              _("Completed"), _("Certified"), _("Percentage of allocation"), _("Still to certify"),
              _("Pace needed per month"), _("Current pace per month"), _("Forecast"), _("Status")]
    header += [_("Certified: %(dimension)s: %(value)s", dimension=breakdown.title, value=label)
               for breakdown in report.summary.breakdowns for _key, label, _count in breakdown.rows]

    def row(scope: str, figures: Figures) -> list:
        counts = [count for breakdown in figures.breakdowns for _key, _label, count in breakdown.rows]
        return [scope, figures.code or "", figures.name, *_figure_cells(figures), *counts]

    rows = [] if report.country else [row(_("Programme"), report.summary)]
    rows += [row(_("Country"), figures) for figures in report.countries]
    return header, rows


def report_csv(report: QuotaReport) -> bytes:
    """The CSV file as the download serves it."""
    header, rows = csv_table(report)
    return csv_response(report_filename(report, "csv"), header, rows).get_data()


def _figures_json(figures: Figures) -> dict:
    return {
        "code": figures.code,
        "name": figures.name,
        "allocation": figures.allocation,
        "nominated": figures.nominated,
        "approved": figures.approved,
        "active": figures.active,
        "completed": figures.completed,
        "certified": figures.certified,
        "percentage": figures.percentage,
        "still_to_certify": figures.still_to_certify,
        "pace_needed_per_month": figures.pace_needed,
        "current_pace_per_month": figures.current_pace,
        "forecast": figures.forecast,
        "status": figures.status.value,
        "breakdowns": {breakdown.key: {key: count for key, _label, count in breakdown.rows}
                       for breakdown in figures.breakdowns},
    }


def quota_json(report: QuotaReport) -> dict:
    programme = report.programme
    return {
        "programme": {
            "title": programme.title,
            "title_zh": programme.title_zh,
            "target": programme.target,
            "allocated": programme.allocated,
            "starts_on": programme.starts_on.isoformat(),
            "ends_on": programme.ends_on.isoformat(),
            "years": [{"number": year.number, "starts_on": year.starts_on.isoformat(),
                       "ends_on": year.ends_on.isoformat()} for year in report.years],
        },
        "country": {"code": report.country.code, "name": report.country.name} if report.country else None,
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "as_of": report.as_of.isoformat(),
        "thresholds": {"on_track": ON_TRACK_SHARE, "at_risk": AT_RISK_SHARE, "text": str(THRESHOLDS)},
        "definitions": {str(term): str(meaning) for term, meaning in DEFINITIONS},
        "summary": _figures_json(report.summary),
        "countries": [_figures_json(figures) for figures in report.countries],
        "timeline": [{"date": day.isoformat(), "cumulative": cumulative} for day, cumulative in report.timeline],
    }


# What moves with the calendar alone, not with the data: left out of the fingerprint.
_DATED_FIGURES = ("pace_needed_per_month", "current_pace_per_month", "forecast", "status")


def report_fingerprint(report: QuotaReport) -> str:
    """A hash of what the report counts (programme, allocations, people per state, certified, breakdowns,
    timeline), the same in every language; equal fingerprints mean nothing changed since."""
    data = quota_json(report)
    for key in ("generated_at", "as_of", "thresholds", "definitions"):
        data.pop(key)
    for figures in (data["summary"], *data["countries"]):
        for key in _DATED_FIGURES:
            figures.pop(key)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
