"""Links that leave the site (mail, API url fields, certificates) are built on PUBLIC_BASE_URL, never on a request's Host."""
from urllib.parse import urlsplit

from flask import current_app


def public_url(path: str = "/") -> str:
    """PUBLIC_BASE_URL followed by a path of the site (which starts with /)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def external_url(endpoint: str, **values) -> str:
    """The absolute address of an endpoint on the configured public address, with or without a request."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
