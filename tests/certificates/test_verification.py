"""Public verification, on the page and in the API: what it says, what it never shows, and its rate limit."""
import pytest

from lms.certificates.serials import ALPHABET, compact, new_serial
from tests.certificates.helpers import certified


def mistyped(serial: str) -> str:
    """The serial with its first symbol replaced by another one."""
    first = serial[0]
    return ALPHABET[(ALPHABET.index(first) + 1) % len(ALPHABET)] + serial[1:]


@pytest.fixture
def certificate(intake):
    return certified(intake)


def test_the_page_says_valid_and_shows_only_what_a_verifier_needs(client, certificate):
    response = client.get(f"/verify/{certificate.serial}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Valid certificate" in page
    for shown in (certificate.serial, "Somchai Wongsawat", "สมชาย วงศ์สวัสดิ์", certificate.course_title,
                  certificate.course_title_zh, "Test programme", "测试项目"):
        assert shown in page, shown
    assert certificate.user.email not in page and "grade" not in page.lower()


def test_the_serial_may_be_typed_in_any_case_with_or_without_dashes(client, certificate):
    for typed in (compact(certificate.serial).lower(), certificate.serial.lower(), compact(certificate.serial)):
        assert client.get(f"/verify/{typed}").status_code == 200, typed
        assert client.get(f"/api/v1/certificates/{typed}").get_json()["status"] == "valid"
    response = client.get("/verify", query_string={"serial": compact(certificate.serial).lower()})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/verify/{compact(certificate.serial).lower()}")


def test_a_mistyped_serial_is_caught_by_its_check_character(client, certificate):
    typo = mistyped(certificate.serial)
    response = client.get(f"/verify/{typo}")
    assert response.status_code == 400
    assert "This serial contains a typing mistake." in response.get_data(as_text=True)
    api = client.get(f"/api/v1/certificates/{typo}")
    body = api.get_json()
    assert api.status_code == 400 and body["status"] == "unknown" and body["error"]["code"] == "serial_mistyped"
    assert "typing mistake" in body["error"]["message"] and "name" not in body


def test_an_unknown_or_malformed_serial(client, certificate):
    unknown = new_serial()
    response = client.get(f"/verify/{unknown}")
    assert response.status_code == 404 and f"No certificate has the serial {unknown}" in response.get_data(as_text=True)
    api = client.get(f"/api/v1/certificates/{unknown}")
    assert api.status_code == 200 and api.get_json() == {"serial": unknown, "status": "unknown"}

    assert client.get("/verify/not-a-serial").status_code == 400
    assert "This is not a certificate serial." in client.get("/verify/not-a-serial").get_data(as_text=True)
    malformed = client.get("/api/v1/certificates/hello")
    assert malformed.status_code == 400 and malformed.get_json()["error"]["code"] == "serial_malformed"


def test_the_api_answers_with_an_explicit_shape(client, certificate):
    body = client.get(f"/api/v1/certificates/{certificate.serial}").get_json()
    assert body == {
        "serial": certificate.serial,
        "status": "valid",
        "name": "Somchai Wongsawat",
        "name_native": "สมชาย วงศ์สวัสดิ์",
        "course": certificate.course_title,
        "course_zh": certificate.course_title_zh,
        "completed_on": certificate.completed_on.isoformat(),
        "issued_on": certificate.issued_at.date().isoformat(),
        "issuer": "Test programme",
        "issuer_zh": "测试项目",
        "revoked_on": None,
        "revocation_reason": None,
        "superseded_on": None,
        "superseded_by": None,
    }


def test_the_api_answers_as_its_openapi_description_says(client, certificate):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["CertificateVerification"]
    body = client.get(f"/api/v1/certificates/{certificate.serial}").get_json()
    assert set(schema["required"]) <= set(body)
    assert set(body) <= set(schema["properties"])  # nothing undocumented leaves the server
    for field, described in schema["properties"].items():
        if field == "error":
            continue  # only in a 400
        assert field in body, field
        if "enum" in described:
            assert body[field] in described["enum"]
    mistyped = client.get("/api/v1/certificates/NOT-A-SERIAL")
    assert mistyped.status_code == 400 and set(mistyped.get_json()) <= set(schema["properties"])


def test_verification_is_rate_limited_per_address_across_page_and_api(client, certificate):
    for number in range(30):
        path = f"/verify/{certificate.serial}" if number % 2 else f"/api/v1/certificates/{certificate.serial}"
        assert client.get(path).status_code == 200, number
    page = client.get(f"/verify/{certificate.serial}")
    assert page.status_code == 429
    assert "Too many requests. Please wait a moment and try again." in page.get_data(as_text=True)
    assert page.headers.get("Retry-After")
    api = client.get(f"/api/v1/certificates/{new_serial()}")
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "rate_limited"
    # Another address has its own budget.
    other = client.get(f"/verify/{certificate.serial}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_the_verify_form_explains_a_serial_that_cannot_be_one(client):
    response = client.get("/verify?serial=AB/CD")
    assert response.status_code == 400
    assert "verify" in response.get_data(as_text=True).lower()
