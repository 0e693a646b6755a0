"""HTTP security headers on every response (a strict Content-Security-Policy and friends), and the proxies trusted."""
from flask import Flask, Response, abort, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

# Nothing inline, nothing from another host: every page works from our own files only.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _carries_nul(values) -> bool:
    return any("\x00" in value for value in values)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_HOPS reverse proxies, the client's address and scheme come from their X-Forwarded-
    headers (the last hops entries, which those proxies wrote); with 0 the headers are ignored, since anyone
    can send them. The Host header is not taken from a proxy: links come from PUBLIC_BASE_URL."""
    hops = app.config.get("TRUSTED_PROXY_HOPS") or 0
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


def _is_personal(response: Response) -> bool:
    """A response made for one person: signed in by session or by an API token."""
    if request.endpoint == "static":
        return False
    # is_anonymous, not is_authenticated: the latter reads a column of the user, whom a GET's rollback expired.
    return bool(request.headers.get("Authorization")) or not current_user.is_anonymous


def register_security_headers(app: Flask) -> None:
    use_hsts = bool(app.config.get("SESSION_COOKIE_SECURE"))

    @app.before_request
    def refuse_nul_characters():
        """A NUL character is never valid text (PostgreSQL cannot even store it): refuse it up front."""
        if "\x00" in request.path or _carries_nul(request.args.values()) or (
                request.method == "POST" and _carries_nul(request.form.values())):
            abort(400)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if use_hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if _is_personal(response):
            # Pages, exports and PDFs with someone's data are never kept by a shared cache or the browser's disk.
            headers["Cache-Control"] = "private, no-store"
            headers.setdefault("Vary", "Cookie")
        return response
