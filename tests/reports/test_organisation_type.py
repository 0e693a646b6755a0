"""Who took part: the quota report broken down by the type of each certified trainee's organisation,
the same on screen, in the PDF, the CSV and the JSON."""
import re

from lms.accounts.models import OrganisationType
from lms.reports.queries import quota_report
from tests.reports.helpers import NOW
from tests.reports.test_exports import csv_rows, pdf_text


def typed(small):
    small.people["th1"].profile.organisation_type = OrganisationType.GOVERNMENT
    small.people["th2"].profile.organisation_type = OrganisationType.EDUCATION
    small.people["my1"].profile.organisation_type = OrganisationType.GOVERNMENT
    # vn1 gives no type: counted as "not given"


def test_the_breakdown_counts_each_certified_person_by_organisation_type(small, db_session):
    typed(small)
    db_session.flush()
    report = quota_report(small.programme, now=NOW)
    rows = {key: count for key, _label, count in report.summary.breakdown("organisation").rows}
    assert rows == {"government": 2, "business": 0, "education": 1, "other": 0, "not_given": 1}
    thailand = next(row for row in report.countries if row.code == "TH")
    assert {key: count for key, _l, count in thailand.breakdown("organisation").rows}["education"] == 1


def test_screen_pdf_csv_and_json_show_the_organisation_breakdown(signed_in_client, small, db_session,
                                                                 programme_coordinator):
    typed(small)
    db_session.flush()
    client = signed_in_client(programme_coordinator)
    body = client.get("/api/v1/quota").get_json()
    assert body["summary"]["breakdowns"]["organisation"] == {"government": 2, "business": 0, "education": 1,
                                                             "other": 0, "not_given": 1}
    page = client.get("/reports/quota").get_data(as_text=True)
    table = re.search(r'data-breakdown="organisation">(.*?)</table>', page, re.S).group(1)
    assert re.search(r"Ministry or regulator</th>\s*<td class=\"num\">2<", table)
    programme_row = next(row for row in csv_rows(client.get("/reports/quota.csv").data) if not row["Country code"])
    assert programme_row["Certified: Type of organisation: Ministry or regulator"] == "2"
    assert programme_row["Certified: Type of organisation: Educational institution"] == "1"
    pdf = pdf_text(client.get("/reports/quota.pdf").data)
    assert "Type of organisation" in pdf and "Educational institution" in pdf
