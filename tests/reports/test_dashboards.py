"""The coordinators' dashboards: who sees what, the charts and their text alternatives, the trainee list."""
import re

import pytest

from lms.accounts.models import Role

REPORT_PATHS = ["/reports/quota", "/reports/quota.pdf", "/reports/quota.csv"]


def test_the_programme_coordinator_sees_every_country_with_charts(signed_in_client, small, programme_coordinator):
    client = signed_in_client(programme_coordinator)
    response = client.get("/reports/quota")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Progress toward the target of 100" in page
    assert len(re.findall(r'<tr data-country="[A-Z]{2}">', page)) == 10
    assert 'href="/reports/quota?country=TH"' in page
    assert 'href="/reports/quota.pdf"' in page and 'href="/reports/quota.csv"' in page
    assert 'href="/api/v1/quota"' in page and 'href="/programme/settings"' in page
    assert "On track: the forecast reaches at least 100% of the allocation" in page
    assert "Trainees of" not in page  # the list is on each country's dashboard


def test_charts_are_inline_svg_with_text_alternatives_and_data_tables(signed_in_client, small, programme_coordinator):
    client = signed_in_client(programme_coordinator)
    page = client.get("/reports/quota").get_data(as_text=True)
    charts = re.findall(r"<svg class=\"chart\".*?</svg>", page, re.S)
    assert len(charts) == 7  # progress by country, over time, five breakdowns
    for chart in charts:
        labelled_by = re.search(r'aria-labelledby="([^"]+)"', chart).group(1).split()
        assert 'role="img"' in chart and len(labelled_by) == 2
        for element_id in labelled_by:
            assert re.search(rf'<(title|desc) id="{element_id}">[^<]+</', chart)
    assert "Thailand: 2 certified of 30 (Behind)" in page  # the progress chart's description
    assert page.count('class="breakdown-table"') == 5 and 'class="cumulative-table"' in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/lms.js" defer>']  # only our own
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_a_country_coordinator_sees_their_country_and_its_trainees(signed_in_client, small, thai_coordinator):
    client = signed_in_client(thai_coordinator)
    page = client.get("/reports/quota").get_data(as_text=True)
    assert "Thailand: progress toward its allocation" in page
    assert re.findall(r'<tr data-country="([A-Z]{2})">', page) == ["TH"]
    assert "Trainees of Thailand and where each stands" in page
    assert page.index("Trainees of Thailand") < page.index("How the figures are counted")  # definitions close the page
    assert "Anong Rattanakul" in page and "Ganya Prasert" in page
    assert "Nguyen Thi Lan" not in page and "Aisyah Rahman" not in page
    assert 'href="/reports/quota.pdf?country=TH"' in page
    assert "/programme/settings" not in page
    assert client.get("/reports/quota?country=th").status_code == 200


def test_the_trainee_list_pages_and_finds_people(signed_in_client, small, thai_coordinator, monkeypatch):
    monkeypatch.setattr("lms.reports.queries.TRAINEES_PER_PAGE", 3)
    client = signed_in_client(thai_coordinator)
    first = client.get("/reports/quota").get_data(as_text=True)
    assert "7 trainees · 1 to 3 shown" in first and "Page 1 of 3" in first
    assert 'href="/reports/quota?page=2&amp;country=TH#trainees" rel="next"' in first
    last = client.get("/reports/quota?country=TH&page=3").get_data(as_text=True)
    assert "7 to 7 shown" in last and 'rel="prev"' in last and 'rel="next"' not in last
    assert client.get("/reports/quota?page=x").status_code == 200  # a bad page number shows the first
    found = client.get("/reports/quota?q=rattanakul").get_data(as_text=True)
    assert "1 trainee matching “rattanakul”" in found and "Anong Rattanakul" in found
    assert "Ganya Prasert" not in found and 'href="/reports/quota?country=TH#trainees">Show everyone</a>' in found
    none = client.get("/reports/quota?q=%3Cb%3Ezz").get_data(as_text=True)
    assert "No trainee of Thailand matches “&lt;b&gt;zz”." in none


@pytest.mark.parametrize("path", REPORT_PATHS)
def test_a_country_coordinator_is_refused_another_countrys_report(signed_in_client, small, thai_coordinator, path):
    client = signed_in_client(thai_coordinator)
    assert client.get(f"{path}?country=VN").status_code == 403
    assert client.get(f"{path}?country=TH").status_code == 200


def test_programme_staff_can_open_any_countrys_dashboard(signed_in_client, small, programme_coordinator):
    as_programme_coordinator = signed_in_client(programme_coordinator)
    page = as_programme_coordinator.get("/reports/quota?country=VN").get_data(as_text=True)
    assert "Viet Nam: progress toward its allocation" in page and "Nguyen Thi Lan" in page
    assert 'href="/reports/quota">All countries</a>' in page
    assert as_programme_coordinator.get("/reports/quota?country=ZZ").status_code == 404
    as_admin = signed_in_client(Role.ADMIN)
    assert as_admin.get("/reports/quota").status_code == 200
    assert as_admin.get("/reports/quota?country=TH").status_code == 200


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.INSTRUCTOR])
def test_trainees_and_instructors_are_refused(signed_in_client, small, role):
    client = signed_in_client(role)
    for path in REPORT_PATHS:
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_are_sent_to_sign_in(client, small):
    for path in REPORT_PATHS:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_without_a_programme_the_dashboard_says_so(signed_in_client, db_session, programme_coordinator):
    client = signed_in_client(programme_coordinator)
    assert "No programme has been set up yet." in client.get("/reports/quota").get_data(as_text=True)
    assert client.get("/reports/quota.pdf").status_code == 404


def test_the_coordinators_home_pages_link_to_their_dashboards(signed_in_client, small, programme_coordinator,
                                                              thai_coordinator):
    as_programme_coordinator = signed_in_client(programme_coordinator)
    page = as_programme_coordinator.get("/").get_data(as_text=True)
    assert 'href="/reports/quota"' in page and 'href="/programme/settings"' in page
    as_thai_coordinator = signed_in_client(thai_coordinator)
    assert 'href="/reports/quota"' in as_thai_coordinator.get("/").get_data(as_text=True)
