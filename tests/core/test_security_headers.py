"""Every response carries a strict Content-Security-Policy and the usual protective headers."""
import re

from lms.core.security import CONTENT_SECURITY_POLICY


def test_pages_forbid_inline_code_outside_hosts_and_framing(client):
    for path in ("/", "/courses", "/login", "/api/v1/courses", "/no-such-page"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "http" not in policy and "*" not in policy
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # only behind HTTPS in production


def test_templates_use_no_inline_styles_or_scripts():
    """The policy forbids inline code, so no page may rely on it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for template in root.rglob("*.html"):
        if "pdf" in template.parts:
            continue  # PDF templates are rendered by WeasyPrint, never served to a browser
        text = template.read_text(encoding="utf-8")
        assert " style=" not in text and "<style" not in text, template
        # Scripts come from our own static files only, never written into the page.
        scripts = re.findall(r"<script[^>]*>.*?</script>", text, flags=re.S)
        assert text.count("<script") == len(scripts), template
        for script in scripts:
            assert re.fullmatch(r"""<script src="\{\{ url_for\('static', filename='js/[a-z-]+\.js'\) \}\}" defer></script>""",
                                script), (template, script)
    assert CONTENT_SECURITY_POLICY.count("'self'") >= 5


def test_production_sends_hsts(monkeypatch, tmp_path):
    from config import ProductionConfig
    from lms import create_app

    class Config(ProductionConfig):
        SECRET_KEY = "s" * 64
        PUBLIC_BASE_URL = "https://training.example.org"
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/11"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.sqlite3'}"

    app = create_app(Config)
    response = app.test_client().get("/api/v1/nothing", headers={"Host": "training.example.org"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_and_exports_for_a_signed_in_person_are_never_cached(programme_coordinator_client):
    from tests.factories import make_programme

    make_programme()
    for url in ("/profile", "/reports/quota", "/reports/quota.csv", "/api/v1/quota"):
        response = programme_coordinator_client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "private, no-store", url


def test_a_token_holders_api_answers_are_never_cached(client):
    from lms.accounts.models import Role
    from lms.accounts.token_operations import create_token
    from tests.factories import make_programme, make_user

    make_programme()
    _token, secret = create_token(make_user(Role.PROGRAMME_COORDINATOR), "script")
    response = client.get("/api/v1/quota", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"


def test_public_pages_may_be_cached(client):
    assert "no-store" not in client.get("/courses").headers.get("Cache-Control", "")


def test_a_method_not_allowed_answer_says_which_methods_are(client):
    page = client.get("/logout")
    assert page.status_code == 405 and set(page.headers["Allow"].split(", ")) >= {"POST"}
    api = client.post("/api/v1/courses")
    assert api.status_code == 405 and "GET" in api.headers["Allow"]
    assert api.get_json()["error"]["code"] == "method_not_allowed"


def test_every_answer_carries_a_request_id_and_the_error_page_prints_it(client):
    response = client.get("/no/such/page")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32 and request_id in response.get_data(as_text=True)
    assert client.get("/courses").headers["X-Request-ID"] != request_id
    # Without a trusted proxy, a client's own X-Request-ID is not believed.
    assert client.get("/courses", headers={"X-Request-ID": "forged-id-12345"}).headers["X-Request-ID"] != "forged-id-12345"
