"""Every response carries a strict Content-Security-Policy and the usual protective headers."""
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
        assert "<script" not in text, template
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
