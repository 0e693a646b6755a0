"""The admin's user list (filters, search kept after saving) and a readable, filterable audit log."""
import csv
import io
import re
from datetime import datetime, timezone

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from tests.conftest import csrf_token
from tests.factories import country, make_user


def names_in(page: str) -> list[str]:
    return re.findall(r'data-label="Name"><a [^>]*>([^<]+)</a>', page)


def test_users_filter_by_country_and_the_search_survives_a_save(signed_in_client, db_session):
    admin = make_user(Role.ADMIN, full_name="Zed Admin", country_code=None)
    thai = make_user(Role.TRAINEE, country_code="TH", full_name="Kanya Srisuk")
    make_user(Role.TRAINEE, country_code="LA", full_name="Kanya Vongsa")
    client = signed_in_client(admin)
    lao_id = country("LA").id
    assert names_in(client.get(f"/admin/users?country={lao_id}").get_data(as_text=True)) == ["Kanya Vongsa"]
    listed = client.get("/admin/users?q=kanya&sort=-name").get_data(as_text=True)
    assert names_in(listed) == ["Kanya Vongsa", "Kanya Srisuk"]
    edit_link = re.search(rf'href="(/admin/users/{thai.id}\?back=[^"]+)"', listed).group(1).replace("&amp;", "&")
    response = client.post(edit_link, data={
        "full_name": "Kanya Srisuk-Lee", "role": "trainee", "country": str(thai.country_id), "is_active": "y",
        "csrf_token": csrf_token(client, edit_link)})
    assert response.status_code == 302
    assert "q=kanya" in response.location and "sort=-name" in response.location
    assert thai.full_name == "Kanya Srisuk-Lee"


def test_a_country_without_a_coordinator_is_named_on_the_user_list(admin_client):
    make_user(Role.COUNTRY_COORDINATOR, country_code="KH")
    warning = re.search(r'class="warning">([^<]+)<', admin_client.get("/admin/users").get_data(as_text=True)).group(1)
    assert "Lao" in warning and "Cambodia" not in warning


def add_entry(db_session, actor, action, obj_type, obj_id, before=None, after=None, at=None, reason=None):
    entry = AuditEntry(actor=actor, action=action, object_type=obj_type, object_id=obj_id, before=before,
                       after=after, reason=reason)
    if at:
        entry.at = at
    db_session.add(entry)
    db_session.flush()
    return entry


def test_the_audit_log_shows_names_and_native_text_and_filters(signed_in_client, db_session):
    admin = make_user(Role.ADMIN, full_name="Ada Admin", country_code=None)
    other = make_user(Role.ADMIN, full_name="Bo Other", country_code=None)
    trainee = make_user(Role.TRAINEE, country_code="LA", full_name="Khamla Phomma")
    add_entry(db_session, admin, "user.updated", "user", trainee.id, before={"full_name": "Khamla", "country_id": None},
              after={"full_name": "ຄຳລາ ພົມມາ", "country_id": country("LA").id},
              at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc), reason="ຊື່ເປັນພາສາລາວ")
    add_entry(db_session, other, "user.role_changed", "user", admin.id, before={"role": "trainee"},
              after={"role": "admin"}, at=datetime(2026, 5, 1, 9, tzinfo=timezone.utc))
    client = signed_in_client(admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "ຄຳລາ ພົມມາ" in page and "\\u0e84" not in page  # Lao as text, not escapes
    assert "Khamla Phomma" in page and "Lao" in page  # the object and the country by name
    by_actor = client.get("/admin/audit?actor=bo+oth").get_data(as_text=True)
    assert "user.role_changed" in by_actor and "user.updated" not in by_actor.split("<tbody>")[1]
    by_date = client.get("/admin/audit?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert "Khamla Phomma" in by_date and "role_changed</td>" not in by_date
    by_action = client.get("/admin/audit?action=user.role_changed").get_data(as_text=True)
    assert "1 row" in by_action
    bad = client.get("/admin/audit?from=March").get_data(as_text=True)
    assert "give a date as YYYY-MM-DD (March)" in bad


def test_the_audit_log_exports_what_is_filtered_formula_safe(signed_in_client, db_session):
    admin = make_user(Role.ADMIN, full_name="Ada Admin", country_code=None)
    add_entry(db_session, admin, "user.updated", "user", admin.id, after={"full_name": "ສົມ"}, reason="=HYPERLINK(1)")
    add_entry(db_session, admin, "quota.override", "enrolment", None, reason="Other")
    client = signed_in_client(admin)
    response = client.get("/admin/audit.csv?action=user.updated")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[1][1] == "Ada Admin" and rows[1][2] == "user.updated"
    assert rows[1][6] == "full_name: ສົມ" and rows[1][7] == "'=HYPERLINK(1)"


def test_country_coordinators_cannot_read_the_audit_log(country_coordinator_client):
    assert country_coordinator_client.get("/admin/audit").status_code == 403
    assert country_coordinator_client.get("/admin/audit.csv").status_code == 403


def test_every_filter_of_the_user_list_survives_a_save_and_back_never_leaves_the_site(admin_client, db_session):
    from urllib.parse import parse_qs, urlsplit

    from tests.conftest import post_form

    for number in range(3):
        make_user(Role.COUNTRY_COORDINATOR, country_code="KH", full_name=f"Kim Chea {number}")
    chea = make_user(Role.TRAINEE, country_code="KH", full_name="Kim Chea Trainee")
    state = {"q": "kim", "role": "trainee", "country": str(country("KH").id), "status": "active", "sort": "-email"}
    listed = admin_client.get("/admin/users", query_string=state).get_data(as_text=True)
    assert names_in(listed) == ["Kim Chea Trainee"]
    edit_link = re.search(rf'href="(/admin/users/{chea.id}\?back=[^"]+)"', listed).group(1).replace("&amp;", "&")
    response = post_form(admin_client, edit_link, {"full_name": "Kim Chea", "role": "trainee", "is_active": "y",
                                             "country": state["country"]})
    assert response.status_code == 302
    kept = {key: values[0] for key, values in parse_qs(urlsplit(response.location).query).items()}
    assert kept == state
    # A page number is kept too, and a back that names another site or unknown keys only reaches the list.
    for back in ("page=2&role=country_coordinator", "https://evil.example/", "//evil.example/users",
                 "next=https%3A%2F%2Fevil.example&role=trainee", "q=%0d%0aLocation:+https://evil.example"):
        response = post_form(admin_client, f"/admin/users/{chea.id}", {"full_name": "Kim Chea", "role": "trainee",
                                                                 "is_active": "y", "country": state["country"]},
                             form_url=f"/admin/users/{chea.id}", query_string={"back": back})
        location = urlsplit(response.location)
        assert response.status_code == 302 and location.netloc in ("", "localhost") and location.path == "/admin/users"
        assert "evil" not in parse_qs(location.query).get("next", [""])[0]
    response = post_form(admin_client, f"/admin/users/{chea.id}", {"full_name": "Kim Chea", "role": "trainee",
                                                             "is_active": "y", "country": state["country"]},
                         form_url=f"/admin/users/{chea.id}", query_string={"back": "page=2&role=country_coordinator"})
    assert parse_qs(urlsplit(response.location).query) == {"page": ["2"], "role": ["country_coordinator"]}
