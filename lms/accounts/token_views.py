"""Personal API tokens on the profile page: coordinators create and revoke their own."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from lms.accounts import bp
from lms.accounts.forms import preferences_form_for
from lms.accounts.models import User
from lms.accounts.token_operations import TokenRefused, active_tokens, create_token, revoke_token
from lms.accounts.tokens import ApiToken
from lms.core.forms import BaseForm, no_hidden_characters
from lms.core.permissions import COORDINATOR_ROLES, role_required
from lms.core.transactions import tell_refusal
from lms.extensions import db


class ApiTokenForm(BaseForm):
    name = StringField(_l("Name of the new token"), validators=[
        DataRequired(_l("Please give the token a name, such as the script or report that will use it.")),
        Length(max=80, message=_l("Please keep the name under 80 characters.")), no_hidden_characters],
        description=_l("So you can tell your tokens apart, for example \"monthly report to the ministry\"."))
    submit = SubmitField(_l("Create a token"))


class RevokeTokenForm(BaseForm):
    submit = SubmitField(_l("Revoke"))


def token_section(user: User, form: ApiTokenForm | None = None, secret: str | None = None) -> dict:
    """What the profile page's token section needs; empty for people the API does not serve."""
    if not user.has_role(*COORDINATOR_ROLES):
        return {"tokens": None}
    return {"tokens": active_tokens(user), "token_form": form or ApiTokenForm(formdata=None),
            "revoke_form": RevokeTokenForm(formdata=None), "new_secret": secret}


@bp.route("/profile/tokens", methods=["POST"])
@role_required(*COORDINATOR_ROLES)
def create_api_token():
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            _token, secret = create_token(current_user, form.name.data)
        except TokenRefused as refused:
            form.name.errors = [tell_refusal(refused)]
        else:
            # Shown on this response only: never in a redirect, a flash message or a log.
            response = render_template("accounts/profile.html", user=current_user, preferences_form=preferences_form_for(current_user),
                                       **token_section(current_user, secret=secret))
            return response, 201, {"Cache-Control": "no-store"}
    return render_template("accounts/profile.html", user=current_user, preferences_form=preferences_form_for(current_user), **token_section(current_user, form)), 400


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@role_required(*COORDINATOR_ROLES)
def revoke_api_token(token_id: int):
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id))
    if token is None:
        abort(404)
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    revoke_token(token, current_user)
    flash(_("The token %(name)s is revoked; it no longer opens the API.", name=token.name), "success")
    return redirect(url_for("accounts.show_profile") + "#api-tokens")
