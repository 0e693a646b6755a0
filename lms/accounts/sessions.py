"""Signed-in sessions: a fresh session at sign-in, idle and absolute time limits, ending them all.

Staff sessions are shorter than trainees': staff can change grades, quotas and roles.
"""
import time

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from lms.accounts.kept_forms import keep_posted_form
from lms.accounts.models import Role, User
from lms.core.permissions import TWO_FACTOR_ROLES
from lms.core.transactions import keep_visit_record

# (idle minutes, absolute hours)
LIMITS = {"staff": (30, 8), "trainee": (120, 24)}
# Instructors too: their grading issues certificates.
# What a staff member who must set up two-factor sign-in may still open.
SETUP_ENDPOINTS = {"accounts.setup_two_factor", "accounts.logout", "static"}


def start_session(user: User) -> None:
    """A brand-new session for a user whose identity is proven."""
    session.clear()
    login_user(user)
    now = int(time.time())
    session["signed_in_at"] = session["seen_at"] = now


def end_all_sessions(user: User) -> None:
    """Every session of the user, on every device, stops working at its next request."""
    user.session_version += 1


def _limits(user: User) -> tuple[int, int]:
    idle, absolute = LIMITS["trainee" if user.role is Role.TRAINEE else "staff"]
    return idle * 60, absolute * 3600


def must_set_up_two_factor(app: Flask, user: User) -> bool:
    return app.config.get("TWO_FACTOR_REQUIRED", False) and user.role in TWO_FACTOR_ROLES and not user.has_two_factor


def register_session_rules(app: Flask) -> None:
    @app.before_request
    def enforce_session_rules():
        if not current_user.is_authenticated or request.endpoint == "static":
            return None
        now = int(time.time())
        idle, absolute = _limits(current_user)
        signed_in_at, seen_at = session.get("signed_in_at", 0), session.get("seen_at", 0)
        if now - seen_at > idle or now - signed_in_at > absolute:
            kept = keep_posted_form(current_user._get_current_object())
            if kept is not None:
                keep_visit_record()  # the request itself is refused: only what was typed into it is kept
            logout_user()
            session.clear()
            if request.path.startswith("/api/"):
                return None  # the API answers for itself: not signed in
            if kept is not None:
                flash(_("You were signed out after a period without activity, so nothing was saved yet. What you "
                        "typed is kept: sign in again to see it and send it."), "info")
                return redirect(url_for("accounts.login", next=url_for("accounts.show_kept_form", token=kept.token)))
            flash(_("You were signed out after a period without activity. Please sign in again."), "info")
            return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))
        if now - seen_at > 60:  # rewriting the cookie on every click would cost bandwidth for nothing
            session["seen_at"] = now
        if must_set_up_two_factor(app, current_user) and request.endpoint not in SETUP_ENDPOINTS:
            flash(_("Your role requires two-factor sign-in. Please set it up to continue."), "info")
            return redirect(url_for("accounts.setup_two_factor"))
        return None
