"""HTTP security headers on every response: a strict Content-Security-Policy and friends."""
from flask import Flask, Response, abort, request

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
        return response
