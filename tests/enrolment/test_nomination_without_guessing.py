"""Nominating without guessing: a template, files saved with ';', errors that echo the value, finding a
trainee by name, and the demo's .test addresses."""
import csv
import html
import io

import pytest
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.enrolment.models import Enrolment, EnrolmentState
from tests.conftest import csrf_token, post_form
from tests.enrolment.helpers import upcoming_intake
from tests.factories import make_programme, make_user


@pytest.fixture
def intake(db_session):
    return upcoming_intake(make_programme())


def upload(client, intake, text: str):
    data = {"intake": str(intake.id), "csrf_token": csrf_token(client, "/enrolments/nominate/upload"),
            "file": (io.BytesIO(text.encode("utf-8")), "nominees.csv")}
    return client.post("/enrolments/nominate/upload", data=data, content_type="multipart/form-data")


def test_the_template_downloads_and_uploads_back_as_it_is(country_coordinator_client, db_session, intake):
    template = country_coordinator_client.get("/enrolments/nominate/template.csv")
    assert template.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(template.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["email", "full_name", "native_name", "organisation", "organisation_type"] and rows[1][-1] == "TH"
    response = upload(country_coordinator_client, intake, template.get_data(as_text=True))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.email == rows[1][0])).native_name == rows[1][2]


def test_a_file_saved_with_semicolons_is_read(signed_in_client, db_session, intake):
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="VN")
    response = upload(client, intake, "email;full_name;native_name;organisation;position;category;gender\n"
                                      "lan@example.org;Tran Thi Lan;Trần Thị Lan;VNPT, Ha Noi;Engineer;technician;\n")
    assert response.status_code == 302, response.get_data(as_text=True)
    lan = db_session.scalar(select(User).where(User.email == "lan@example.org"))
    assert lan.profile.organisation == "VNPT, Ha Noi" and lan.native_name == "Trần Thị Lan"


def test_a_tab_separated_file_is_refused_with_the_reason(signed_in_client, intake):
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="VN")
    page = upload(client, intake, "email\tfull_name\torganisation\tposition\tcategory\n").get_data(as_text=True)
    assert "separated by tabs" in html.unescape(page)


def test_each_error_echoes_the_bad_value(signed_in_client, intake):
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    page = html.unescape(upload(client, intake, "email,full_name,organisation,position,category,gender,colour\n"
                                                "x,Y,Z,W,technician,\n").get_data(as_text=True))
    assert 'Row 1, column colour: unknown column (the file says "colour")' in page
    page = html.unescape(upload(client, intake, "email,full_name,organisation,position,category,gender\n"
                                                "somchai@@example,Somchai,Reg,Eng,astronaut,robot\n").get_data(as_text=True))
    assert '(the file says "somchai@@example")' in page
    assert 'must be middle_manager, high_manager or technician (the file says "astronaut")' in page
    assert '(the file says "robot")' in page


def test_the_demos_test_addresses_are_accepted(signed_in_client, db_session, intake):
    demo = make_user(Role.TRAINEE, country_code="TH", email="th.trainee01@demo.test", full_name="Demo Trainee")
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    response = upload(client, intake, "email,full_name,organisation,position,category\n"
                                      "TH.Trainee01@demo.test,Demo Trainee,Reg,Eng,technician\n")
    assert response.status_code == 302, response.get_data(as_text=True)
    enrolment = db_session.scalar(select(Enrolment).where(Enrolment.user_id == demo.id))
    assert enrolment.state is EnrolmentState.APPROVED


def test_a_coordinator_finds_a_trainee_by_name_and_nominates_her(signed_in_client, db_session, intake):
    chea = make_user(Role.TRAINEE, country_code="KH", email="kh.trainee07@demo.test", full_name="Chea Sophea")
    make_user(Role.TRAINEE, country_code="TH", full_name="Chea Other Country")
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="KH")
    page = client.get("/enrolments/nominate?q=chea").get_data(as_text=True)
    assert "Chea Sophea" in page and "Chea Other Country" not in page
    chosen = client.get("/enrolments/nominate?q=chea&email=kh.trainee07@demo.test").get_data(as_text=True)
    assert 'value="kh.trainee07@demo.test"' in chosen
    response = post_form(client, "/enrolments/nominate", {"intake": str(intake.id), "email": "kh.trainee07@demo.test"},
                         follow_redirects=True)
    assert "Chea Sophea now has a place" in response.get_data(as_text=True)
    assert db_session.scalar(select(Enrolment).where(Enrolment.user_id == chea.id)).state is EnrolmentState.APPROVED


def test_the_csv_records_the_organisation_type_and_refuses_an_unknown_one(signed_in_client, db_session, intake):
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    page = html.unescape(upload(client, intake, "email,full_name,organisation,organisation_type,position,category\n"
                                                "a@example.org,A,Uni,university,Lecturer,technician\n").get_data(as_text=True))
    assert 'must be government, business, education, other or empty (the file says "university")' in page
    response = upload(client, intake, "email,full_name,organisation,organisation_type,position,category\n"
                                      "a@example.org,A,Chulalongkorn University,education,Lecturer,technician\n")
    assert response.status_code == 302
    created = db_session.scalar(select(User).where(User.email == "a@example.org"))
    assert created.profile.organisation_type.value == "education"
