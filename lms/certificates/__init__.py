"""Certificates: issuing, PDFs, public verification, revocation, batches."""
from flask import Blueprint

bp = Blueprint("certificates", __name__)
