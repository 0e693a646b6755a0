"""Certificates: issuing, PDFs, public verification, revocation, batches."""
from flask import Blueprint, current_app

from lms.extensions import limiter

bp = Blueprint("certificates", __name__)

# One budget per address for the verification page and the API together, so serials cannot be guessed
# at twice the rate.
verification_limit = limiter.shared_limit(lambda: current_app.config["CERTIFICATE_VERIFY_LIMIT"],
                                          scope="certificate-verification")
