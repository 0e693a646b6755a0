"""Registration, sign-in and sign-out, password reset, own profile."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from lms.accounts import bp
from lms.accounts.forms import ForgotPasswordForm, LoginForm, RegistrationForm, ResetPasswordForm
from lms.accounts.models import Category, Gender, User
from lms.accounts.operations import record_sign_in, register_trainee, send_password_reset, set_password
from lms.accounts.passwords import burn_password_check, check_password, user_for_reset_token
from lms.extensions import db, limiter
from lms.notifications.operations import deliver_outbox


def _login_account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()[:254]


def _failed_login(response) -> bool:
    return request.method == "POST" and response.status_code != 302


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in."""
    if not target:
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
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegistrationForm()
    form.load_countries()
    if form.validate_on_submit():
        user = register_trainee(
            email=form.email.data, password=form.password.data, full_name=form.full_name.data,
            native_name=form.native_name.data, country_id=int(form.country.data),
            organisation=form.organisation.data, position=form.position.data,
            category=Category(form.category.data), gender=Gender(form.gender.data) if form.gender.data else None,
        )
        db.session.commit()
        session.clear()
        login_user(user)
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.full_name), "success")
        return redirect(url_for("home.index"))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed_login)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_account_key, deduct_when=_failed_login)
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
            else:
                session.clear()  # a fresh session at sign-in
                login_user(user, remember=form.remember.data)
                record_sign_in(user)
                db.session.commit()
                return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
        else:
            error = _("The e-mail or password is not right. Check both and try again.")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("catalogue.list_courses"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        send_password_reset(form.email.data)
        db.session.commit()
        deliver_outbox()
        db.session.commit()
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
    if form.validate_on_submit():
        set_password(user, form.password.data)
        db.session.commit()
        flash(_("Your password has been changed. Please sign in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


@bp.route("/profile")
@login_required
def show_profile():
    return render_template("accounts/profile.html", user=current_user)
