"""Exact grades: points, weights and scores are Decimals, compared unrounded, rounded once for display."""
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

DISPLAY_STEP = Decimal("0.01")  # grades are shown to two decimal places at most
ZERO = Decimal(0)


def exact(value) -> Decimal | None:
    """A Decimal from a number as it was written (0.1 stays 0.1); None stays None."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


STORED_STEP = Decimal("0.000001")  # what a score column keeps (lms.core.db.Exact)


def kept(value) -> Decimal | None:
    """A score as its column keeps it, so what a request compares is what a later page reads back."""
    value = exact(value)
    return None if value is None else value.quantize(STORED_STEP, rounding=ROUND_HALF_UP)


def rounded(value) -> Decimal | None:
    """The one rounding a grade goes through: half up, to two places, for people to read."""
    value = exact(value)
    return None if value is None else value.quantize(DISPLAY_STEP, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=4096)  # a gradebook shows the same few scores in many cells
def shown(value) -> str:
    """A grade as a page or export shows it: "66.67", "72.5", "60"; "" when there is none."""
    value = rounded(value)
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
