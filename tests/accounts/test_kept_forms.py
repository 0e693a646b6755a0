"""A form that arrives after the session ended, or with a stale token, loses nothing that was typed."""
import io
import re
import time
from html import unescape

import pytest

from lms.accounts.kept_forms import KeptForm
from lms.accounts.models import Role
from lms.assessments.models import Submission
from tests.assessments.test_submissions import setup, url_of  # noqa: F401 - the fixture, used by name
from tests.conftest import csrf_token, post_form
from tests.factories import make_user

ANSWER = ("ฉันเสนอให้ใช้กองทุนบริการอย่างทั่วถึงเพื่อขยายโครงข่ายในจังหวัดน่าน " * 40).strip()  # ~2,400 characters
OUR_SITE = {"Origin": "http://localhost"}


def _sign_in_again(client, user, next_path: str):
    response = post_form(client, f"/login?next={next_path}", {"email": user.email, "password": "correct horse battery "
                                                                                                 "staple"})
    assert response.status_code == 302
    return response.headers["Location"]


def _kept_page_form(page: str) -> dict:
    """The fields the kept page would send again, as a browser reads them."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields.update(re.findall(r'<textarea id="kept-\d+" name="([^"]+)" rows="12">(.*?)</textarea>', page, re.S))
    return {name: unescape(value) for name, value in fields.items()}


def test_an_answer_sent_after_the_session_ended_is_kept_and_saved_once_sent_again(signed_in_client, setup):
    trainee = setup["trainee"]
    client = signed_in_client(trainee)
    token = csrf_token(client, url_of(setup))
    with client.session_transaction() as session:  # three hours without a click: past a trainee's two
        session["seen_at"] = session["signed_in_at"] = int(time.time()) - 3 * 3600
    response = client.post(url_of(setup), data={"csrf_token": token, "text": ANSWER, "save_draft": "1"},
                           headers=OUR_SITE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert Submission.query.count() == 0  # nothing was saved on the signed-out request
    kept_path = re.search(r"next=([^&]+)", response.headers["Location"]).group(1).replace("%2F", "/")

    assert _sign_in_again(client, trainee, kept_path) == kept_path
    page = client.get(kept_path).get_data(as_text=True)
    assert ANSWER in unescape(page) and f'action="{url_of(setup)}"' in page
    assert "csrf_token" in page
    resent = client.post(url_of(setup), data=_kept_page_form(page), content_type="multipart/form-data")
    assert resent.status_code == 302
    assert Submission.query.one().text == ANSWER


def test_a_stale_token_keeps_the_answer_for_the_signed_in_trainee(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    response = client.post(url_of(setup), data={"csrf_token": "stale", "text": ANSWER, "save_draft": "1"},
                           headers=OUR_SITE)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your form had expired, so nothing was saved yet" in page and ANSWER in unescape(page)


def test_a_form_from_another_site_is_not_kept(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    for headers in ({"Origin": "https://attacker.example"}, {}):
        response = client.post(url_of(setup), data={"csrf_token": "forged", "text": "Send this", "submit": "1"},
                               headers=headers)
        assert response.status_code == 400
    assert KeptForm.query.count() == 0


def test_passwords_are_never_kept_and_sign_in_pages_are_not_kept(trainee_client):
    user = trainee_client.user
    response = trainee_client.post("/password", data={"csrf_token": "stale", "current_password": "old secret phrase",
                                                      "password": "new secret phrase!", "confirm_password": "x",
                                                      "note": "a"}, headers=OUR_SITE)
    kept = KeptForm.query.one()
    assert response.status_code == 303 and kept.fields == [["note", "a"]]
    trainee_client.post("/login", data={"csrf_token": "stale", "email": user.email, "password": "x"}, headers=OUR_SITE)
    assert KeptForm.query.count() == 1


def test_a_kept_form_is_shown_only_to_its_owner(client, signed_in_client, setup):
    owner = signed_in_client(setup["trainee"])
    response = owner.post(url_of(setup), data={"csrf_token": "stale", "text": ANSWER}, headers=OUR_SITE)
    kept_path = response.headers["Location"]
    assert client.get(kept_path).status_code == 302  # sign in first
    stranger = signed_in_client(Role.TRAINEE, email="someone.else@example.org")
    assert stranger.get(kept_path).status_code == 404
    assert owner.get("/kept/not-a-token").status_code == 404


def test_a_kept_form_says_which_files_must_be_attached_again(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    response = client.post(url_of(setup), data={"csrf_token": "stale", "text": ANSWER,
                                                "files": [(io.BytesIO(b"%PDF-1.7"), "plan.pdf")]},
                           content_type="multipart/form-data", headers=OUR_SITE)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "attach them again" in page and "plan.pdf" in page


@pytest.mark.parametrize("everywhere", [False, True])
def test_signing_out_here_or_everywhere(signed_in_client, everywhere):
    user = make_user()
    client = signed_in_client(user)
    other_device = signed_in_client(user)
    path = "/logout/everywhere" if everywhere else "/logout"
    assert client.post(path, data={"csrf_token": csrf_token(client, "/profile")}).status_code == 302
    assert client.get("/profile").status_code == 302
    assert other_device.get("/profile").status_code == (302 if everywhere else 200)
