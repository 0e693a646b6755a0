"""Accounts: registration, sign-in, password reset, roles."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
