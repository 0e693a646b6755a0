"""GET /api/v1/openapi.json describes every route of the API."""
import re
from lms.reports.queries import Status
from tests.reports.helpers import small_programme

API_PREFIX = "/api/v1"


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule[len(API_PREFIX):])


def resolve(document: dict, reference: str):
    node = document
    for part in reference.removeprefix("#/").split("/"):
        node = node[part]
    return node


def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def test_the_document_is_openapi_3_1_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": API_PREFIX}]
    assert document["info"]["title"] and document["info"]["version"]


def test_every_api_route_in_the_url_map_is_documented_with_its_methods(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    routes = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(API_PREFIX + "/")]
    assert {openapi_path(rule.rule) for rule in routes} >= {"/courses", "/courses/{slug}", "/quota", "/openapi.json"}
    for rule in routes:
        path = openapi_path(rule.rule)
        assert path in paths, f"{rule.rule} is not documented"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], f"{method} {rule.rule} is not documented"
        for name in rule.arguments:
            parameters = paths[path][next(iter(rule.methods - {"HEAD", "OPTIONS"})).lower()]["parameters"]
            assert any(p["name"] == name and p["in"] == "path" and p["required"] for p in parameters)


def test_certificate_verification_and_the_quota_report_are_described(client):
    document = client.get("/api/v1/openapi.json").get_json()
    verification = document["components"]["schemas"]["CertificateVerification"]
    assert verification["properties"]["status"]["enum"] == ["valid", "revoked", "superseded", "unknown"]
    for field in ("name", "course", "issued_on", "issuer", "revoked_on", "revocation_reason"):
        assert field in verification["properties"]
    quota = document["paths"]["/quota"]["get"]
    assert {"200", "401", "403", "404"} <= set(quota["responses"])
    assert quota["security"] == [{"bearerToken": []}, {"sessionCookie": []}]
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    figures = document["components"]["schemas"]["QuotaFigures"]["properties"]
    assert figures["status"]["enum"] == [status.value for status in Status]


def test_every_reference_resolves(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for reference in references(document):
        assert resolve(document, reference), reference


def test_the_quota_schema_matches_what_the_api_answers(programme_coordinator_client, db_session):
    small_programme()
    body = programme_coordinator_client.get("/api/v1/quota").get_json()
    schemas = programme_coordinator_client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert set(body) == set(schemas["QuotaReport"]["required"])
    figures = schemas["QuotaFigures"]
    for row in [body["summary"], *body["countries"]]:
        assert set(row) == set(figures["required"])
        assert set(row["breakdowns"]) == set(figures["properties"]["breakdowns"]["properties"])
        for key in ("category", "gender", "mode"):
            assert set(row["breakdowns"][key]) == set(figures["properties"]["breakdowns"]["properties"][key]
                                                      ["properties"])
