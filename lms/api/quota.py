"""API: quota figures, for a signed-in coordinator's session or a personal API token (Bearer)."""
import re

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.token_operations import user_for_token
from lms.api import bp
from lms.api.openapi import COUNTRY_PATTERN
from lms.core.errors import json_error
from lms.core.transactions import keep_visit_record
from lms.programme.queries import current_programme
from lms.reports.access import REPORT_READERS, report_country
from lms.reports.exports import quota_json
from lms.reports.freshness import rendered_reports, report_edition
from lms.reports.queries import quota_report


def _api_user():
    """The person behind the request: the bearer of a valid token, else the session's user, else None."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _space, secret = header.partition(" ")
        return user_for_token(secret.strip()) if scheme.lower() == "bearer" else None
    return current_user if current_user.is_authenticated else None


@bp.route("/quota")
def show_quota():
    user = _api_user()
    if user is None:
        response, status = json_error(401, _("Sign in as a coordinator, or send a valid personal API token as "
                                             "'Authorization: Bearer <token>'."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response, status
    if not user.has_role(*REPORT_READERS):
        return json_error(403, _("Only coordinators may read quota reports."))
    code = request.args.get("country")
    if code is not None and not re.fullmatch(COUNTRY_PATTERN, code):
        return json_error(400, _("?country must be the two-letter code of a country, such as TH, or left out."))
    country = report_country(user, code)
    programme = current_programme()
    if programme is None:
        return json_error(404, _("No programme has been set up yet."))
    key = ("api-quota", programme.id, country.id if country else None, *report_edition())
    body = rendered_reports.get(key, lambda: current_app.json.dumps(quota_json(quota_report(programme, country))))
    keep_visit_record()  # the token's last use
    return current_app.response_class(body + "\n", mimetype="application/json")
