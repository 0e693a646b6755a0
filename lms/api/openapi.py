"""The OpenAPI 3.1 description of /api/v1, written by hand and served at GET /api/v1/openapi.json."""
from flask import jsonify

from lms.accounts.models import Category, Gender, OrganisationType
from lms.api import bp
from lms.catalogue.models import Area, AssessmentKind, Subject
from lms.enrolment.models import DeliveryMode
from lms.reports.queries import NOT_GIVEN, Status


def _values(enum_class) -> list[str]:
    return [member.value for member in enum_class]


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


# Any request can be refused before it reaches its endpoint, for example for a NUL character.
_BAD_REQUEST = {"description": "The request could not be read, for example it holds a NUL character (code: "
                               "bad_request).",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
COUNTRY_PATTERN = "^[A-Za-z]{2}$"
SERIAL_PATTERN = "^[0-9A-Za-z]{4}([- ]?[0-9A-Za-z]{4}){4}$"
SLUG_PATTERN = "^[a-z0-9][a-z0-9-]{0,79}$"


def _ok(description: str, schema: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _counts(keys: list[str], description: str) -> dict:
    return {"type": "object", "description": description,
            "properties": {key: {"type": "integer", "minimum": 0} for key in keys}, "additionalProperties": False}


_NUMBER_OR_NULL = {"type": ["number", "null"]}
_DATE = {"type": "string", "format": "date"}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs to test.",
                         "enum": ["bad_request", "unauthorised", "forbidden", "not_found", "method_not_allowed",
                                  "payload_too_large", "invalid_input", "rate_limited", "server_error",
                                  "serial_mistyped", "serial_malformed"]},
                "message": {"type": "string", "description": "For people; may change."},
            },
        }},
    },
    "CourseSummary": {
        "type": "object",
        "required": ["slug", "title", "title_zh", "version", "subject", "area", "hours", "pass_mark", "summary",
                     "modules", "lessons", "assessments", "url"],
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "title_zh": {"type": "string"},
            "version": {"type": "integer"},
            "subject": {"type": "string", "enum": _values(Subject)},
            "area": {"type": "string", "enum": _values(Area)},
            "hours": {"type": "integer"},
            "pass_mark": {"type": "integer", "description": "Percent."},
            "summary": {"type": "string"},
            "modules": {"type": "integer"},
            "lessons": {"type": "integer"},
            "assessments": {"type": "integer"},
            "url": {"type": "string", "format": "uri", "description": "The course's page."},
        },
    },
    "CourseList": {
        "type": "object",
        "required": ["courses", "count"],
        "properties": {"courses": {"type": "array", "items": {"$ref": "#/components/schemas/CourseSummary"}},
                       "count": {"type": "integer"}},
    },
    "CourseOutline": {
        "allOf": [{"$ref": "#/components/schemas/CourseSummary"}, {
            "type": "object",
            "required": ["objectives", "outline"],
            "properties": {
                "objectives": {"type": "array", "items": {"type": "string"}},
                "outline": {"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "slug": {"type": "string"},
                        "title": {"type": "string"},
                        "lessons": {"type": "array", "items": {"type": "object", "properties": {
                            "slug": {"type": "string"}, "title": {"type": "string"},
                            "minutes": {"type": "integer"}, "required": {"type": "boolean"}}}},
                        "assessments": {"type": "array", "items": {"type": "object", "properties": {
                            "slug": {"type": "string"}, "title": {"type": "string"},
                            "kind": {"type": "string", "enum": _values(AssessmentKind)},
                            "weight": {"type": "number"}}}},
                    },
                }},
            },
            "description": "A course's outline; never the answers to its questions.",
        }],
    },
    "CertificateVerification": {
        "type": "object",
        "required": ["serial", "status"],
        "description": "What a certificate's serial proves. For an unknown serial only serial and status are given.",
        "properties": {
            "serial": {"type": "string"},
            "status": {"type": "string", "enum": ["valid", "revoked", "superseded", "unknown"]},
            "name": {"type": "string", "description": "The holder's name in Latin script."},
            "name_native": {"type": ["string", "null"], "description": "The holder's name in their own script."},
            "course": {"type": "string"},
            "course_zh": {"type": "string"},
            "completed_on": _DATE,
            "issued_on": _DATE,
            "issuer": {"type": "string", "description": "The programme that issued the certificate."},
            "issuer_zh": {"type": "string"},
            "revoked_on": {**_DATE, "type": ["string", "null"]},
            "revocation_reason": {"type": ["string", "null"]},
            "superseded_on": {**_DATE, "type": ["string", "null"]},
            "superseded_by": {"type": ["string", "null"], "description": "The serial that replaced this one."},
            "error": {"$ref": "#/components/schemas/Error/properties/error",
                      "description": "Only with a 400: the serial is mistyped or not a serial at all."},
        },
        "additionalProperties": False,
    },
    "OpenBadgeCredential": {
        "type": "object",
        "description": "An Open Badges 3.0 OpenBadgeCredential (1EdTech), as JSON-LD.",
        "required": ["@context", "id", "type", "issuer", "validFrom", "credentialSubject", "credentialStatus",
                     "proof"],
        "properties": {
            "@context": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "id": {"type": "string", "format": "uri"},
            "type": {"type": "array", "items": {"type": "string"}},
            "name": {"type": "string"},
            "issuer": {"type": "object", "description": "The programme's Profile; its id is a did:web."},
            "validFrom": {"type": "string", "format": "date-time"},
            "credentialSubject": {"type": "object", "description": "An AchievementSubject: the holder, by salted "
                                                                   "hashes of e-mail and name, and the course."},
            "evidence": {"type": "array", "items": {"type": "object"}},
            "credentialStatus": {"type": "object", "description": "A BitstringStatusListEntry."},
            "proof": {"type": "object", "description": "A DataIntegrityProof with the eddsa-rdfc-2022 cryptosuite."},
        },
    },
    "QuotaFigures": {
        "type": "object",
        "description": "The programme against its target (code null) or one country against its allocation.",
        "required": ["code", "name", "allocation", "nominated", "approved", "active", "completed", "certified",
                     "percentage", "still_to_certify", "pace_needed_per_month", "current_pace_per_month", "forecast",
                     "status", "breakdowns"],
        "properties": {
            "code": {"type": ["string", "null"], "description": "ISO 3166-1 alpha-2; null for the programme."},
            "name": {"type": "string"},
            "allocation": {"type": "integer", "description": "The country's allocation; the target for the programme."},
            "nominated": {"type": "integer", "description": "Distinct people with any enrolment in the programme."},
            "approved": {"type": "integer", "description": "Distinct people with an approved enrolment."},
            "active": {"type": "integer", "description": "Distinct people with an active enrolment."},
            "completed": {"type": "integer", "description": "Distinct people with a completed enrolment."},
            "certified": {"type": "integer",
                          "description": "Distinct people with a certificate that is not revoked: the count toward "
                                         "the target."},
            "percentage": {**_NUMBER_OR_NULL, "description": "Certified as a percentage of the allocation "
                                                             "(one decimal); null when the allocation is 0."},
            "still_to_certify": {"type": "integer"},
            "pace_needed_per_month": {**_NUMBER_OR_NULL,
                                      "description": "People a month needed to reach the allocation by the end "
                                                     "date; null once the programme has ended."},
            "current_pace_per_month": {**_NUMBER_OR_NULL, "description": "Null before the programme starts."},
            "forecast": {**_NUMBER_OR_NULL, "description": "Certified at the end at the current pace; null before "
                                                           "the programme starts."},
            "status": {"type": "string", "enum": _values(Status)},
            "breakdowns": {
                "type": "object",
                "description": "Certified people split five ways.",
                "properties": {
                    "year": {"type": "object", "additionalProperties": {"type": "integer"},
                             "description": "By programme year of the first certificate: keys \"1\", \"2\"…; "
                                            "\"before_start\" and \"after_end\" appear when any certificate is "
                                            "dated outside the programme."},
                    "category": _counts([*_values(Category), NOT_GIVEN], "By the trainee's category."),
                    "gender": _counts([*_values(Gender), NOT_GIVEN], "By the trainee's gender."),
                    "mode": _counts(_values(DeliveryMode), "By the delivery mode of the first certificate's intake."),
                    "organisation": _counts([*_values(OrganisationType), NOT_GIVEN],
                                            "By the type of the trainee's organisation: ministry or regulator "
                                            "(government), operator or other business, educational institution, "
                                            "other."),
                },
            },
        },
    },
    "QuotaReport": {
        "type": "object",
        "required": ["programme", "country", "generated_at", "as_of", "thresholds", "definitions", "summary",
                     "countries", "timeline"],
        "properties": {
            "programme": {"type": "object", "properties": {
                "title": {"type": "string"}, "title_zh": {"type": "string"}, "target": {"type": "integer"},
                "allocated": {"type": "integer", "description": "The sum of the countries' allocations."},
                "starts_on": _DATE, "ends_on": _DATE,
                "years": {"type": "array", "items": {"type": "object", "properties": {
                    "number": {"type": "integer"}, "starts_on": _DATE, "ends_on": _DATE}}},
            }},
            "country": {"type": ["object", "null"], "properties": {"code": {"type": "string"},
                                                                    "name": {"type": "string"}},
                        "description": "The country the report covers; null for the whole programme."},
            "generated_at": {"type": "string", "format": "date-time"},
            "as_of": _DATE,
            "thresholds": {"type": "object", "properties": {
                "on_track": {"type": "number", "description": "Forecast at least this share of the allocation."},
                "at_risk": {"type": "number", "description": "Forecast at least this share, under on_track."},
                "text": {"type": "string"}}},
            "definitions": {"type": "object", "additionalProperties": {"type": "string"}},
            "summary": {"$ref": "#/components/schemas/QuotaFigures"},
            "countries": {"type": "array", "items": {"$ref": "#/components/schemas/QuotaFigures"}},
            "timeline": {"type": "array", "description": "The cumulative certified count, one point a day with "
                                                         "certifications.",
                         "items": {"type": "object", "properties": {"date": _DATE,
                                                                    "cumulative": {"type": "integer"}}}},
        },
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "ASEAN-China Telecom Training API",
        "version": "1",
        "description": "The course catalogue and certificate verification are public. Quota reports answer to a "
                       "signed-in coordinator's session or a personal API token created on the profile page, sent "
                       "as 'Authorization: Bearer <token>'. Errors are JSON with a stable code.",
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/courses": {"get": {
            "operationId": "listCourses", "summary": "Every course of the catalogue.", "security": [],
            "responses": {"200": _ok("The courses.", "CourseList"), "400": _BAD_REQUEST},
        }},
        "/courses/{slug}": {"get": {
            "operationId": "showCourse", "summary": "A course with its outline.", "security": [],
            "parameters": [{"name": "slug", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": SLUG_PATTERN}}],
            "responses": {"200": _ok("The course.", "CourseOutline"), "400": _BAD_REQUEST,
                          "404": _error("No course has this slug (code: not_found).")},
        }},
        "/certificates/{serial}": {"get": {
            "operationId": "verifyCertificate", "summary": "Verify a certificate by its serial.", "security": [],
            "parameters": [{"name": "serial", "in": "path", "required": True,
                            "description": "20 symbols in five groups of four, in any case; the dashes may be "
                                           "left out or typed as spaces. Anything else is answered with a 400.",
                            "schema": {"type": "string", "pattern": SERIAL_PATTERN}}],
            "responses": {"200": _ok("What the serial proves: valid, revoked, superseded or unknown.",
                                     "CertificateVerification"),
                          "400": {"description": "Not a serial (codes serial_mistyped, serial_malformed), or a "
                                                 "request that could not be read (code: bad_request).",
                                  "content": {"application/json": {"schema": {"anyOf": [
                                      {"$ref": "#/components/schemas/CertificateVerification"},
                                      {"$ref": "#/components/schemas/Error"}]}}}},
                          "429": _error("Too many verifications from this address (code: rate_limited).")},
        }},
        "/certificates/{serial}/credential": {"get": {
            "operationId": "showCertificateCredential",
            "summary": "A certificate's signed Open Badges 3.0 credential, byte for byte as issued.",
            "description": "A W3C Verifiable Credential 2.0 of type OpenBadgeCredential with an eddsa-rdfc-2022 "
                           "Data Integrity proof by the programme's did:web issuer; its credentialStatus names the "
                           "BitstringStatusList that says whether it was revoked. The same bytes are attached to "
                           "the certificate's PDF.",
            "security": [],
            "parameters": [{"name": "serial", "in": "path", "required": True,
                            "description": "As for verification; a serial no certificate has is answered with a 404.",
                            "schema": {"type": "string", "pattern": SERIAL_PATTERN}}],
            "responses": {"200": {"description": "The credential.",
                                  "content": {"application/ld+json": {"schema": {"$ref": "#/components/schemas/OpenBadgeCredential"}}}},
                          "404": _error("No certificate has this serial (code: not_found)."),
                          "429": _error("Too many verifications from this address (code: rate_limited).")},
        }},
        "/quota": {"get": {
            "operationId": "showQuotaReport",
            "summary": "Progress toward the target: the programme and each country, or one country.",
            "description": "Programme coordinators and admins may read every country; a country coordinator "
                           "only their own, which is also what they get without ?country.",
            "security": [{"bearerToken": []}, {"sessionCookie": []}],
            "parameters": [{"name": "country", "in": "query", "required": False,
                            "schema": {"type": "string", "pattern": COUNTRY_PATTERN},
                            "description": "ISO 3166-1 alpha-2 code of one country."}],
            "responses": {
                "200": _ok("The report.", "QuotaReport"),
                "400": _error("?country is not two letters, or the request could not be read (code: bad_request)."),
                "401": _error("No session and no valid token (code: unauthorised)."),
                "403": _error("Not a coordinator, or another country's report (code: forbidden)."),
                "404": _error("No country has this code, or no programme is set up (code: not_found)."),
            },
        }},
        "/openapi.json": {"get": {
            "operationId": "showOpenApi", "summary": "This document.", "security": [],
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "400": _BAD_REQUEST},
        }},
    },
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearerToken": {"type": "http", "scheme": "bearer",
                            "description": "A personal API token from your profile page; it can be revoked there."},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                              "description": "The session of a coordinator signed in to the site."},
        },
    },
}


@bp.route("/openapi.json")
def show_openapi():
    return jsonify(DOCUMENT)
