"""flask reports quota: the quota report as a PDF, CSV or JSON file, for the monthly report to the ministries."""
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.programme.queries import current_programme
from lms.reports.exports import quota_json, report_csv, report_pdf
from lms.reports.queries import country_by_code, quota_report

reports_cli = AppGroup("reports", help="Quota reports.")


@reports_cli.command("quota")
@click.option("--format", "file_format", type=click.Choice(["pdf", "csv", "json"]), required=True,
              help="The file's format.")
@click.option("--country", default=None, metavar="XX", help="One country's report (ISO code); default: all.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The file to write.")
def quota_command(file_format: str, country: str | None, out: Path) -> None:
    """Write the quota report for the programme, or for one country, to a file."""
    programme = current_programme()
    if programme is None:
        raise click.ClickException("No programme has been set up yet; there is nothing to report.")
    scope = None
    if country:
        scope = country_by_code(country)
        if scope is None:
            raise click.ClickException(f"No country has the code {country!r}.")
    report = quota_report(programme, scope)
    if file_format == "pdf":
        content = report_pdf(report)
    elif file_format == "csv":
        content = report_csv(report)
    else:
        content = (json.dumps(quota_json(report), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    try:
        out.write_bytes(content)
    except OSError as error:
        raise click.ClickException(f"Could not write {out}: {error.strerror}.") from None
    scope_name = report.country.name if report.country else "all countries"
    click.echo(f"Wrote the quota report for {scope_name} ({file_format.upper()}, {len(content):,} bytes, "
               f"{report.summary.certified} of {report.summary.allocation} certified) to {out}.")
