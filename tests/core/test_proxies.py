"""Behind TRUSTED_PROXY_HOPS reverse proxies, each client is counted by its own address; at 0 the headers are ignored."""
import pytest

from config import TestConfig
from lms import create_app
from tests.conftest import csrf_token


# The apps below have connections of their own: the test holds no transaction (on SQLite, its write
# lock would keep their sign-ins waiting).
pytestmark = pytest.mark.real_transactions


def app_behind(database_url, hops: int):
    config = type("BehindProxies", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                                  "TRUSTED_PROXY_HOPS": hops,
                                                  "LOGIN_LIMIT_PER_ADDRESS": "3 per 10 minutes"})
    return create_app(config)


def failed_sign_in(client, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for}
    token = csrf_token(client)
    return client.post("/login", data={"email": f"nobody-{forwarded_for}@example.org", "password": "a wrong one",
                                       "csrf_token": token}, headers=headers).status_code


def test_with_one_trusted_proxy_every_client_has_its_own_address(database_url):
    app = app_behind(database_url, 1)
    first, second = app.test_client(), app.test_client()
    assert [failed_sign_in(first, "198.51.100.1") for _ in range(4)] == [400, 400, 400, 429]
    assert failed_sign_in(second, "198.51.100.2") == 400  # another client behind the same proxy is not blocked


def test_the_proxy_sets_the_scheme(database_url):
    app = app_behind(database_url, 1)

    @app.get("/scheme-seen")
    def scheme_seen():
        from flask import request

        return f"{request.scheme} {request.remote_addr}"

    seen = app.test_client().get("/scheme-seen", headers={"X-Forwarded-For": "10.0.0.9, 198.51.100.3",
                                                          "X-Forwarded-Proto": "https"})
    assert seen.get_data(as_text=True) == "https 198.51.100.3"  # only the entry our proxy wrote is believed


def test_without_trusted_proxies_forwarded_headers_are_ignored(database_url):
    app = app_behind(database_url, 0)
    client = app.test_client()
    # A client cannot dodge its limit by claiming another address.
    statuses = [failed_sign_in(client, f"198.51.100.{number}") for number in range(1, 5)]
    assert statuses == [400, 400, 400, 429]
