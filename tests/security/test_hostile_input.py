"""Random and malicious values in every form and API endpoint: a clear 4xx, never a 500, and a
refused request changes nothing in the database."""
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lms.extensions import db
from tests.conftest import FreshContextClient, csrf_token
from tests.security.test_access_matrix import ACCESS, _url
from tests.security.world import build_world

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),  # any Unicode, every script
    st.text(min_size=300, max_size=5000),  # overlong
    st.sampled_from([
        "", " ", "\x00", "\u200b\u200d\ufeff", "\r\n\t", "' OR '1'='1", "1; DROP TABLE user; --",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }}", "%s%s%n", "../../etc/passwd",
        "=HYPERLINK(\"http://x\")", "-1", "0", "99999999999999999999", "1e309", "NaN", "2027-02-30", "true",
        "ภาษาไทย ខ្មែរ ລາວ မြန်မာ 中文 Tiếng Việt", "\U0001F600" * 50,
    ]),
)
FIELD_NAMES = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
SKIP_FIELDS = {"csrf_token"}


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def _form_fields(client, url: str) -> list[str]:
    page = client.get(url).get_data(as_text=True)
    return sorted(set(FIELD_NAMES.findall(page)) - SKIP_FIELDS)


# Each writable endpoint once, by someone allowed to use it.
FORM_ENDPOINTS = sorted(name for name, access in ACCESS.items()
                        if access.post and name not in {"accounts.logout", "accounts.verify_two_factor"})


@pytest.mark.parametrize("endpoint", FORM_ENDPOINTS)
def test_hostile_form_values_never_cause_a_server_error(app, signed_in_client, endpoint, db_session):
    app.test_client_class = FreshContextClient
    world = build_world()
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = _url(rule, world.ids)
    actor = sorted(ACCESS[endpoint].post)[0]
    user = world.users.get(actor)
    client = signed_in_client(user) if user is not None else app.test_client()
    fields = _form_fields(client, url) if "GET" in rule.methods else []
    token = csrf_token(client, "/" if user else "/login")

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(values=st.fixed_dictionaries({name: HOSTILE_TEXT for name in fields} or {"x": HOSTILE_TEXT}))
    def post_hostile(values):
        before = _row_counts()
        response = client.post(url, data={**values, "csrf_token": token})
        assert response.status_code < 500, (endpoint, values)
        if response.status_code >= 400:
            assert _row_counts() == before, f"{endpoint} refused {values!r} but changed the database"

    post_hostile()


HOSTILE_PATHS = st.one_of(st.text(min_size=1, max_size=60).filter(lambda t: "/" not in t and t not in {".", ".."}),
                          st.sampled_from(["%00", "' OR 1=1 --", "<svg onload=alert(1)>", "A" * 5000]))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(value=HOSTILE_PATHS)
def test_hostile_values_in_public_urls_never_cause_a_server_error(client, value):
    from urllib.parse import quote

    quoted = quote(value, safe="")
    for url in (f"/api/v1/courses/{quoted}", f"/api/v1/certificates/{quoted}", f"/verify/{quoted}",
                f"/courses/{quoted}", f"/courses?subject={quoted}&area={quoted}", f"/api/v1/quota?country={quoted}",
                f"/reset-password/{quoted}", f"/verify?serial={quoted}"):
        response = client.get(url)
        assert response.status_code < 500, url
        if url.startswith("/api/"):
            assert response.is_json, url
