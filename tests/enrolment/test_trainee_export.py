"""A coordinator takes their own trainees away as CSV or XLSX, safe against formula injection."""
import csv
import html
import io
import re
import zipfile

import pytest

from lms.accounts.models import Category, Role, TraineeProfile
from lms.enrolment.models import EnrolmentState
from tests.enrolment.helpers import requested, upcoming_intake
from tests.factories import make_programme


@pytest.fixture
def trainees(db_session):
    intake = upcoming_intake(make_programme())
    thai = requested(intake, "TH", full_name="Somchai Kittisak", native_name="สมชาย กิตติศักดิ์")
    thai.user.profile = TraineeProfile(organisation="=HYPERLINK(\"http://evil\")", position="+Engineer",
                                       category=Category.TECHNICIAN)
    thai.state = EnrolmentState.APPROVED
    requested(intake, "VN", full_name="Nguyen Van An")
    db_session.flush()
    return thai


def test_the_csv_holds_the_coordinators_own_trainees_formula_safe(country_coordinator_client, trainees):
    response = country_coordinator_client.get("/enrolments/export.csv?state=")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Name", "Name in own script", "E-mail"] and "Certificate serial" in rows[0]
    assert [row[0] for row in rows[1:]] == ["Somchai Kittisak"]  # Viet Nam's trainee is not Thailand's to take
    row = dict(zip(rows[0], rows[1]))
    assert row["Name in own script"] == "สมชาย กิตติศักดิ์"
    assert row["Organisation"] == "'=HYPERLINK(\"http://evil\")" and row["Position"] == "'+Engineer"
    assert row["Status"] == "Approved" and float(row["Grade so far (%)"]) == 0


def test_the_xlsx_has_the_same_rows_as_text_never_formulas(signed_in_client, trainees):
    client = signed_in_client(Role.PROGRAMME_COORDINATOR, country_code=None)
    response = client.get("/enrolments/export.xlsx?state=&sort=name")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = zipfile.ZipFile(io.BytesIO(response.data))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    strings = [html.unescape(text) for text in
               re.findall(r"<t[^>]*>([^<]*)</t>", book.read("xl/sharedStrings.xml").decode())]
    assert "<f>" not in sheet  # no cell is a formula
    assert "'=HYPERLINK(\"http://evil\")" in strings and "'+Engineer" in strings
    assert "Nguyen Van An" in strings and "Somchai Kittisak" in strings and "สมชาย กิตติศักดิ์" in strings


def test_trainees_cannot_export(signed_in_client, trainees):
    client = signed_in_client(trainees.user)
    assert client.get("/enrolments/export.csv").status_code == 403
