"""The version of the quota reports: one number that grows whenever data the reports show changes."""
from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class ReportVersion(db.Model):
    """A single row (id 1). Rendered reports are kept per process under this number (lms/reports/freshness.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
