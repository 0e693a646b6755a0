"""Registration, sign-in and sign-out, password reset, own profile."""
import time
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from lms.accounts import bp, limits
from lms.accounts.kept_forms import kept_form_for
from lms.accounts.forms import (ChangePasswordForm, ConfirmEmailForm, DisableTwoFactorForm, ForgotPasswordForm,
                                LoginForm, PreferencesForm, RegistrationForm, ResetPasswordForm, TwoFactorCodeForm,
                                WorkDetailsForm, preferences_form_for)
from lms.accounts.models import Category, Gender, OrganisationType, Role, User
from lms.accounts.operations import confirm_email as confirm_email_of
from lms.accounts.operations import (record_sign_in, register_trainee, renew_expired_invitation, send_confirmation,
                                     send_password_reset, set_password, set_preferences, set_work_details)
from lms.accounts.queries import last_correction
from lms.accounts.passwords import (burn_password_check, check_password, user_for_confirmation_token,
                                    user_for_expired_invitation, user_for_invitation_token, user_for_reset_token)
from lms.accounts.token_views import token_section
from lms.accounts.sessions import end_all_sessions, start_session
from lms.accounts.two_factor import (disable_two_factor, enable_two_factor, new_secret, provisioning_uri, qr_svg,
                                     verify_second_factor)
from lms.core.forms import parse_id
from lms.core.i18n import LANGUAGE_COOKIE, LANGUAGES, current_language, language_for_tag
from lms.core.permissions import TWO_FACTOR_ROLES, role_required
from lms.core.text import masked_email
from lms.core.transactions import keep_visit_record
from lms.extensions import db, limiter


def _failed_second_factor(response) -> bool:
    return request.method == "POST" and response.status_code != 302


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in (no control characters, no backslashes)."""
    if not target or any(ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.errorhandler(429)
def too_many_attempts(error):
    if request.endpoint == "accounts.login":
        form = LoginForm()
        message = _("Too many sign-in attempts. For your safety, please wait 15 minutes before trying again, "
                    "or reset your password.")
        return render_template("accounts/login.html", form=form, rate_limited_message=message), 429
    return render_template("error.html", status=429,
                           message=_("Too many requests. Please wait a few minutes and try again.")), 429


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_LIMIT_PER_ADDRESS"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegistrationForm()
    form.load_countries()
    if form.validate_on_submit():
        register_trainee(
            email=form.email.data, password=form.password.data, full_name=form.full_name.data,
            native_name=form.native_name.data, country_id=int(form.country.data),
            organisation=form.organisation.data, position=form.position.data,
            category=Category(form.category.data), gender=Gender(form.gender.data) if form.gender.data else None,
            organisation_type=OrganisationType(form.organisation_type.data) if form.organisation_type.data else None,
            language=current_language().code,
        )
        # The same answer whether or not the address had an account: the mail tells its owner which.
        flash(_("We have sent a message to %(email)s. Open the link in it to activate your account; "
                "it works for three days.", email=form.email.data), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """A page with a button, so a mail scanner opening the link does not confirm anything."""
    user = user_for_confirmation_token(token)
    if user is None:
        return render_template("accounts/confirm_invalid.html"), 400
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        confirm_email_of(user)
        flash(_("Thank you: your address is confirmed and your account is active. Please sign in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/confirm_email.html", form=form, email=user.email)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=limits.password_check_failed, exempt_when=limits.on_known_device)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_CLIENT"], methods=["POST"],
               key_func=limits.account_and_client_key, deduct_when=limits.password_check_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=limits.account_key, deduct_when=limits.password_check_failed,
               exempt_when=limits.on_known_device)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data))
        if user is None:
            burn_password_check(form.password.data)
        if user is not None and check_password(user, form.password.data):
            if not user.is_active:
                error = _("This account has been deactivated. Please contact your coordinator.")
            elif not user.is_confirmed:
                # Answered 200, not 400: the link mailed again is this request's work, and the edge keeps it.
                send_confirmation(user)
                error = _("Please confirm your address first: open the link we sent to it. We have just sent "
                          "it again.")
                return render_template("accounts/login.html", form=form, error=error)
            elif user.has_two_factor:
                session.clear()
                session["pending_user"] = user.get_id()
                session["pending_since"] = int(time.time())
                session["pending_next"] = _safe_next(request.args.get("next"))
                return redirect(url_for("accounts.verify_two_factor"))
            else:
                return _signed_in(user, _safe_next(request.args.get("next")))
        else:
            limits.note_failed_password()
            error = _("The e-mail or password is not right. Check both and try again.")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form, error=error), status


def _signed_in(user: User, next_path: str | None):
    start_session(user)
    record_sign_in(user)
    return limits.remember_device(redirect(next_path or url_for("home.index")), user.email)


def _pending_user() -> User | None:
    """The user who gave the right password and still owes the second factor (for five minutes)."""
    user_id, _sep, version = str(session.get("pending_user", "")).partition(":")
    if parse_id(user_id) is None or int(time.time()) - session.get("pending_since", 0) > 300:
        return None
    user = db.session.get(User, parse_id(user_id))
    if user is None or not user.is_active or str(user.session_version) != version:
        return None
    return user


def _pending_key() -> str:
    return "two-factor:" + str(session.get("pending_user", ""))


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit("5 per 5 minutes", methods=["POST"], key_func=_pending_key, deduct_when=_failed_second_factor)
def verify_two_factor():
    user = _pending_user()
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        if verify_second_factor(user, form.code.data):
            return _signed_in(user, session.get("pending_next"))
        form.code.errors = [_("This code is not right or was already used. Check your authenticator app's "
                              "time, or use one of your recovery codes.")]
    status = 400 if form.errors else 200
    return render_template("accounts/two_factor_verify.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """This device only: a trainee signed in at the training centre stays signed in on her phone."""
    logout_user()
    session.clear()
    flash(_("You have signed out on this device."), "info")
    return redirect(url_for("catalogue.list_courses"))


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have signed out on every device."), "info")
    return redirect(url_for("catalogue.list_courses"))


@bp.route("/kept/<token>")
@login_required
def show_kept_form(token: str):
    """A form that arrived too late, with what was typed into it, ready to be sent again."""
    kept = kept_form_for(token, current_user)
    if kept is None:
        abort(404)
    keep_visit_record()  # a form kept before anyone was known now belongs to whoever signed in with its link
    return render_template("accounts/kept_form.html", kept=kept)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        send_password_reset(form.email.data)  # the mail leaves from the worker, once the edge commits
        flash(_("If an account uses %(email)s, a reset link is on its way. It works for one hour.",
                email=form.email.data), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = user_for_reset_token(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        set_password(user, form.password.data, by_mailed_link=True)
        end_all_sessions(user)
        flash(_("Your password has been changed. Please sign in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """The mailed invitation: the person chooses their first password, which also confirms the address."""
    user = user_for_invitation_token(token)
    if user is None:
        return render_template("accounts/invitation_invalid.html", days=current_app.config["INVITATION_MAX_AGE"].days,
                               renewable=user_for_expired_invitation(token) is not None, token=token), 400
    form = ResetPasswordForm()
    form.account_email = user.email
    form.submit.label.text = _("Set my password")
    if form.validate_on_submit():
        set_password(user, form.password.data, by_mailed_link=True)
        end_all_sessions(user)
        flash(_("Your password is set and your account is active. Please sign in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/accept_invitation.html", form=form, user=user), 400 if form.errors else 200


@bp.route("/invitation/<token>/renew", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"])
def renew_invitation(token: str):
    """A genuine invitation that ran out of time: a fresh link goes to the account's own address, never elsewhere."""
    user = user_for_expired_invitation(token)
    if user is None:
        return render_template("accounts/invitation_invalid.html", days=current_app.config["INVITATION_MAX_AGE"].days,
                               renewable=False, token=token), 400
    renew_expired_invitation(user)  # the mail leaves from the worker, once the edge commits
    return render_template("accounts/invitation_renewed.html", email=masked_email(user.email),
                           days=current_app.config["INVITATION_MAX_AGE"].days)


def _profile_page(preferences_form: PreferencesForm) -> str:
    user = current_user._get_current_object()
    correction = last_correction(user) if user.role is Role.TRAINEE else None
    return render_template("accounts/profile.html", user=user, preferences_form=preferences_form,
                           correction=correction, **token_section(user))


@bp.route("/profile")
@login_required
def show_profile():
    return _profile_page(preferences_form_for(current_user))


@bp.route("/profile/work", methods=["GET", "POST"])
@role_required(Role.TRAINEE)
def edit_work_details():
    """A trainee corrects her organisation, position, category and gender (staff accounts have none)."""
    user = current_user._get_current_object()
    if user.profile is None:
        abort(404)
    form = WorkDetailsForm() if request.method == "POST" else WorkDetailsForm.for_profile(user.profile)
    if form.validate_on_submit():
        if set_work_details(user, **form.work_details()):
            flash(_("Your work details are saved."), "success")
        else:
            flash(_("Nothing has changed."), "info")
        return redirect(url_for("accounts.show_profile"))
    return render_template("accounts/work_details.html", form=form), 400 if form.errors else 200


@bp.route("/profile/preferences", methods=["POST"])
@login_required
def change_preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        set_preferences(current_user._get_current_object(), language=form.language.data,
                        time_zone=form.time_zone.data)
        with force_locale(form.language.data):
            flash(_("Your language and time zone are saved."), "success")
        return redirect(url_for("accounts.show_profile"))
    return _profile_page(form), 400


@bp.route("/language", methods=["POST"])
def choose_language():
    """The switch in every page's footer: a signed-in reader's profile, a cookie for anyone else."""
    code = language_for_tag(request.form.get("language"))
    response = redirect(_safe_next(request.form.get("next")) or url_for("home.index"))
    if code is None:
        return response
    if current_user.is_authenticated:
        set_preferences(current_user._get_current_object(), language=code)
    response.set_cookie(LANGUAGE_COOKIE, LANGUAGES[code].tag, max_age=365 * 24 * 3600, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def edit_notice_settings():
    from lms.core.forms import BaseForm
    from lms.notifications.models import NoticeKind
    from lms.notifications.operations import kinds_for, set_wanted, wants

    user, form = current_user._get_current_object(), BaseForm()
    offered = kinds_for(user)
    if form.validate_on_submit():
        chosen = set(request.form.getlist("kind"))
        set_wanted(user, {kind for kind in NoticeKind if kind.value in chosen})
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("accounts.edit_notice_settings"))
    return render_template("accounts/notice_settings.html", form=form,
                           settings=[(kind, wants(user, kind)) for kind in offered])


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["PASSWORD_CHECK_LIMIT"], methods=["POST"],
               key_func=limits.signed_in_account_key, deduct_when=limits.password_check_failed)
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        if not check_password(user, form.current_password.data):
            limits.note_failed_password()
            form.current_password.errors = [_("This is not your current password.")]
        else:
            set_password(user, form.password.data)
            end_all_sessions(user)
            start_session(user)  # this device stays signed in; every other one is signed out
            flash(_("Your password has been changed. You were signed out on your other devices."), "success")
            return redirect(url_for("accounts.show_profile"))
    return render_template("accounts/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["PASSWORD_CHECK_LIMIT"], methods=["POST"],
               key_func=limits.signed_in_account_key, deduct_when=limits.password_check_failed)
def setup_two_factor():
    """Set up two-factor sign-in (or see it is on, and turn it off where the role allows)."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        return _manage_two_factor(user)
    secret = session.get("totp_setup_secret") or new_secret()
    session["totp_setup_secret"] = secret
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        codes = enable_two_factor(user, secret, form.code.data)
        if codes:
            session.pop("totp_setup_secret", None)
            return render_template("accounts/two_factor_codes.html", codes=codes)
        form.code.errors = [_("This code does not match. Check the time on your phone and try the newest code.")]
    uri = provisioning_uri(user, secret)
    return render_template("accounts/two_factor_setup.html", form=form, secret=secret, qr=qr_svg(uri)), \
        400 if form.errors else 200


def _manage_two_factor(user: User):
    form = DisableTwoFactorForm()
    required = current_app.config.get("TWO_FACTOR_REQUIRED") and user.role in TWO_FACTOR_ROLES
    if form.validate_on_submit() and not required:
        if check_password(user, form.password.data):
            disable_two_factor(user)
            flash(_("Two-factor sign-in is off."), "info")
            return redirect(url_for("accounts.show_profile"))
        limits.note_failed_password()
        form.password.errors = [_("This is not your password.")]
    return render_template("accounts/two_factor_manage.html", form=form, required=required), \
        400 if form.errors else 200
