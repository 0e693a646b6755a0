"""Every endpoint of the URL map, tried by every kind of person on one person's objects.

One declared table says who may do what. An endpoint missing from the table fails the test
(deny by default). "Wrong one of a kind" actors (another trainee, an instructor of another intake,
a coordinator of another country) are tried with the ids of the owner's objects.
"""
from dataclasses import dataclass

import pytest

from tests.conftest import FreshContextClient, csrf_token
from tests.security.world import ACTORS, build_world

EVERYONE = frozenset(ACTORS)
SIGNED_IN = EVERYONE - {"anonymous"}
NOBODY: frozenset[str] = frozenset()
OWNER = frozenset({"trainee"})
TRAINEES = frozenset({"trainee", "other_trainee"})
COORDINATORS = frozenset({"coordinator", "other_coordinator", "programme"})
PROGRAMME = frozenset({"programme"})
PROGRAMME_STAFF = frozenset({"programme", "admin"})
ADMIN = frozenset({"admin"})
# Who may see one trainee's work: the trainee, the intake's instructor, coordinators of the country.
WORK_VIEWERS = frozenset({"trainee", "instructor", "coordinator", "programme", "admin"})
INTAKE_VIEWERS = frozenset({"instructor", "programme", "admin"})
# Who gives the intake's trainees extensions and writes announcements to them.
INTAKE_RUNNERS = frozenset({"instructor", "programme"})


@dataclass(frozen=True)
class Access:
    get: frozenset | None = None  # who may GET (None: the endpoint takes no GET)
    post: frozenset | None = None  # who may POST


ACCESS: dict[str, Access] = {
    "static": Access(get=EVERYONE),
    "health.healthz": Access(get=EVERYONE),
    "health.readyz": Access(get=EVERYONE),
    "home.index": Access(get=EVERYONE),
    # Accounts
    "accounts.login": Access(get=EVERYONE, post=EVERYONE),
    "accounts.register": Access(get=EVERYONE, post=EVERYONE),
    "accounts.forgot_password": Access(get=EVERYONE, post=EVERYONE),
    "accounts.reset_password": Access(get=EVERYONE, post=EVERYONE),
    "accounts.confirm_email": Access(get=EVERYONE, post=EVERYONE),
    "accounts.accept_invitation": Access(get=EVERYONE, post=EVERYONE),
    "accounts.renew_invitation": Access(post=EVERYONE),
    "accounts.verify_two_factor": Access(get=NOBODY, post=NOBODY),  # only right after the password step
    "accounts.logout": Access(post=EVERYONE),
    "accounts.logout_everywhere": Access(post=SIGNED_IN),
    "accounts.show_kept_form": Access(get=frozenset({"trainee"})),  # its owner's (an unclaimed one: the link's)
    "accounts.show_profile": Access(get=SIGNED_IN),
    "accounts.change_preferences": Access(post=SIGNED_IN),
    "accounts.choose_language": Access(post=EVERYONE),
    "accounts.edit_notice_settings": Access(get=SIGNED_IN, post=SIGNED_IN),
    "accounts.change_password": Access(get=SIGNED_IN, post=SIGNED_IN),
    "accounts.setup_two_factor": Access(get=SIGNED_IN, post=SIGNED_IN),
    "accounts.create_api_token": Access(post=COORDINATORS | ADMIN),
    "accounts.revoke_api_token": Access(post=frozenset({"coordinator"})),
    "accounts.edit_work_details": Access(get=TRAINEES, post=TRAINEES),  # staff accounts have none
    "accounts.ask_for_name_correction": Access(get=TRAINEES, post=TRAINEES),
    "accounts.list_name_corrections": Access(get=COORDINATORS),  # each sees their own country's
    "accounts.decide_name_correction": Access(get=frozenset({"coordinator", "programme"}),
                                              post=frozenset({"coordinator", "programme"})),
    # Administration
    "admin.list_users": Access(get=ADMIN),
    "admin.edit_user": Access(get=ADMIN, post=ADMIN),
    "admin.invite_new_user": Access(get=ADMIN, post=ADMIN),
    "admin.resend_user_invitation": Access(post=ADMIN),
    "admin.list_outbox": Access(get=ADMIN),
    "admin.show_mail": Access(get=ADMIN),
    "admin.resend_mail": Access(post=ADMIN),
    "admin.list_jobs": Access(get=ADMIN),
    "admin.list_audit": Access(get=PROGRAMME_STAFF),
    "admin.export_audit_csv": Access(get=PROGRAMME_STAFF),
    # Catalogue and API
    "catalogue.list_courses": Access(get=EVERYONE),
    "catalogue.show_course": Access(get=EVERYONE),
    "catalogue.show_lesson": Access(get=SIGNED_IN),
    "catalogue.list_course_versions": Access(get=PROGRAMME_STAFF),
    "catalogue.preview_offline_pack": Access(get=PROGRAMME_STAFF),
    "catalogue.move_intake_version": Access(get=PROGRAMME, post=PROGRAMME),
    "catalogue.import_course_zip": Access(get=ADMIN, post=ADMIN),
    "catalogue.apply_course_zip": Access(post=ADMIN),
    "api.list_courses": Access(get=EVERYONE),
    "api.show_course": Access(get=EVERYONE),
    "api.show_openapi": Access(get=EVERYONE),
    "api.verify_certificate": Access(get=EVERYONE),
    "api.show_certificate_credential": Access(get=EVERYONE),
    "api.show_quota": Access(get=COORDINATORS | ADMIN),
    # Enrolment
    "enrolment.request_place": Access(post=TRAINEES),
    "enrolment.withdraw": Access(get=frozenset({"trainee", "coordinator", "programme"}),
                                 post=frozenset({"trainee", "coordinator", "programme"})),
    "enrolment.list_enrolments": Access(get=COORDINATORS),
    "enrolment.decide_enrolment": Access(get=frozenset({"coordinator", "programme"}),
                                         post=frozenset({"coordinator", "programme"})),
    "enrolment.decide_selected": Access(post=COORDINATORS),
    "enrolment.export_trainees_csv": Access(get=COORDINATORS),
    "enrolment.export_trainees_xlsx": Access(get=COORDINATORS),
    "enrolment.download_nomination_template": Access(get=COORDINATORS),
    "enrolment.follow_trainee": Access(get=frozenset({"coordinator", "programme"})),
    "enrolment.show_waiting_list": Access(get=COORDINATORS),
    "enrolment.promote_from_waiting_list": Access(post=frozenset({"coordinator", "programme"})),
    "enrolment.nominate_trainee": Access(get=COORDINATORS, post=COORDINATORS),
    "enrolment.upload_nominations": Access(get=COORDINATORS, post=COORDINATORS),
    "enrolment.list_intakes": Access(get=PROGRAMME_STAFF),
    "enrolment.edit_intake": Access(get=PROGRAMME_STAFF, post=PROGRAMME_STAFF),
    # Studying and the trainee's own work
    "learning.show_intake": Access(get=OWNER),
    "learning.show_lesson": Access(get=OWNER),
    "learning.mark_lesson_done": Access(post=OWNER),
    "learning.download_offline_pack": Access(get=OWNER),
    # An offline pack's link to a quiz or assignment: to the reader's own intake, else to the course's page.
    "learning.open_assessment": Access(get=SIGNED_IN),
    "assessments.show_quiz": Access(get=OWNER),
    "assessments.start_attempt": Access(post=OWNER),
    "assessments.take_attempt": Access(get=OWNER, post=OWNER),
    "assessments.show_attempt_result": Access(get=OWNER),
    "assessments.confirm_submit": Access(get=OWNER),
    "assessments.edit_submission": Access(get=OWNER, post=OWNER),
    "assessments.download_file": Access(get=WORK_VIEWERS),
    "assessments.delete_file": Access(post=OWNER),
    # Instructors
    "grading.show_queue": Access(get=INTAKE_VIEWERS),
    "grading.show_gradebook": Access(get=INTAKE_VIEWERS),
    "grading.export_gradebook_csv": Access(get=INTAKE_VIEWERS),
    "grading.show_roster": Access(get=INTAKE_VIEWERS),
    "grading.show_attempts": Access(get=INTAKE_VIEWERS),
    "grading.grade_submission": Access(get=INTAKE_VIEWERS, post=frozenset({"instructor"})),
    "grading.override_attempt": Access(post=frozenset({"instructor"})),
    "grading.record_attendance": Access(get=INTAKE_VIEWERS, post=frozenset({"instructor"})),
    "grading.manage_extensions": Access(get=INTAKE_RUNNERS, post=INTAKE_RUNNERS),
    "grading.withdraw_extension": Access(post=INTAKE_RUNNERS),
    "announcements.manage_announcements": Access(get=INTAKE_RUNNERS, post=INTAKE_RUNNERS),
    # Certificates
    "certificates.verify_form": Access(get=EVERYONE),
    "certificates.verify_certificate": Access(get=EVERYONE),
    "certificates.download_certificate": Access(get=frozenset({"trainee", "coordinator", "programme", "admin"})),
    "certificates.download_credential": Access(get=frozenset({"trainee", "coordinator", "programme", "admin"})),
    "certificates.verify_file": Access(post=EVERYONE),
    "certificates.show_did_document": Access(get=EVERYONE),
    "certificates.show_status_list": Access(get=EVERYONE),
    "certificates.list_certificate_intakes": Access(get=COORDINATORS | ADMIN),
    "certificates.list_intake_certificates": Access(get=COORDINATORS | ADMIN),
    "certificates.download_intake_certificates": Access(get=COORDINATORS | ADMIN),
    "certificates.issue_certificate": Access(get=PROGRAMME, post=PROGRAMME),
    "certificates.reissue_certificate": Access(get=PROGRAMME, post=PROGRAMME),
    "certificates.revoke_certificate": Access(get=PROGRAMME, post=PROGRAMME),
    # Programme and reports
    "programme.edit_settings": Access(get=PROGRAMME, post=PROGRAMME),
    "reports.show_quota_report": Access(get=COORDINATORS | ADMIN),
    "reports.export_quota_pdf": Access(get=COORDINATORS | ADMIN),
    "reports.export_quota_csv": Access(get=COORDINATORS | ADMIN),
    # Report schedules: the world's schedule is the programme coordinators'; country coordinators keep only
    # their own subscription (lms/reports/access.py).
    "reports.list_report_schedules": Access(get=COORDINATORS),
    "reports.create_report_schedule": Access(get=COORDINATORS, post=COORDINATORS),
    "reports.edit_report_schedule": Access(get=PROGRAMME, post=PROGRAMME),
    "reports.run_report_schedule_now": Access(post=PROGRAMME),
    "reports.pause_report_schedule": Access(post=PROGRAMME),
    "reports.resume_report_schedule": Access(post=PROGRAMME),
    "reports.delete_report_schedule": Access(get=PROGRAMME, post=PROGRAMME),
}

# Where an argument means a particular object for one endpoint.
ARGUMENTS = {
    "assessments.show_quiz": {"assessment_id": "quiz_id"},
    "assessments.start_attempt": {"assessment_id": "quiz_id"},
    "assessments.edit_submission": {"assessment_id": "assignment_id"},
    "certificates.show_status_list": {"name": "status_list_name"},
    "accounts.show_kept_form": {"token": "kept_token"},
    "learning.open_assessment": {"assessment_slug": "quiz_slug"},
    "learning.download_offline_pack": {"kind": "pack_kind"},
}


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


def test_every_endpoint_has_an_entry_in_the_table(app):
    missing = {rule.endpoint for rule in _rules(app)} - set(ACCESS)
    assert not missing, f"endpoints without a declared access rule: {sorted(missing)}"
    for rule in _rules(app):
        access = ACCESS[rule.endpoint]
        if "GET" in rule.methods:
            assert access.get is not None, f"{rule.endpoint} takes GET but the table says nothing"
        if "POST" in rule.methods:
            assert access.post is not None, f"{rule.endpoint} takes POST but the table says nothing"


def _url(rule, ids: dict) -> str:
    names = ARGUMENTS.get(rule.endpoint, {})
    values = {argument: ids[names.get(argument, argument)] for argument in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def _refused(response, actor: str) -> bool:
    if response.status_code == 302 and response.headers.get("Location", "").startswith("/login"):
        return True  # sent to sign in (again)
    return response.status_code in (401, 403, 404)


def _endpoint_rules():
    from config import TestConfig
    from lms import create_app

    return [(rule.endpoint, rule.rule) for rule in _rules(create_app(TestConfig))]


@pytest.mark.parametrize("endpoint, rule_text", _endpoint_rules())
def test_each_actor_gets_exactly_what_the_table_allows(app, signed_in_client, endpoint, rule_text, db_session):
    app.test_client_class = FreshContextClient
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    world = build_world()
    url = _url(rule, world.ids)
    access = ACCESS[endpoint]
    failures = []
    for method in ("GET", "POST"):
        allowed = access.get if method == "GET" else access.post
        if method not in rule.methods or allowed is None:
            continue
        # Refused actors first: a refused request must not change what later ones see.
        for actor in sorted(ACTORS, key=lambda name: name in allowed):
            user = world.users[actor]
            client = signed_in_client(user) if user is not None else app.test_client()
            if method == "GET":
                response = client.get(url)
            else:
                token = csrf_token(client, "/" if user else "/login")
                response = client.post(url, data={"csrf_token": token})
            refused = _refused(response, actor)
            if (actor in allowed) == refused:
                failures.append(f"{method} {url} as {actor}: {response.status_code} "
                                f"{response.headers.get('Location', '')} (expected "
                                f"{'allowed' if actor in allowed else 'refused'})")
            if method == "POST" and actor in allowed:
                break  # one allowed write is enough; more would act on changed data
    assert not failures, "\n".join(failures)


def test_the_navigation_offers_each_actor_exactly_the_lists_the_table_lets_them_open(app, signed_in_client,
                                                                                     db_session):
    """The main navigation asks the views' own role gates (can_open); the table above agrees with it."""
    import re

    app.test_client_class = FreshContextClient
    world = build_world()
    endpoint_of = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules() if not rule.arguments}
    offered = {}
    for actor, user in world.users.items():
        if user is None:
            continue
        client = signed_in_client(user)
        navigation = client.get("/").get_data(as_text=True).split('aria-label="Main"')[1].split("</nav>")[0]
        offered[actor] = {endpoint_of[path] for path in re.findall(r'<a href="([^"?#]+)"', navigation)
                          if path in endpoint_of}
    for actor, endpoints in offered.items():
        for endpoint in endpoints:
            assert actor in ACCESS[endpoint].get, f"{actor} is offered {endpoint}, which the table refuses"
    # A list offered to anyone is offered to everyone the table lets open it.
    for endpoint in set().union(*offered.values()):
        for actor in offered:
            if actor in ACCESS[endpoint].get:
                assert endpoint in offered[actor], f"{actor} may open {endpoint} but is not offered it"
