"""Lists shown a page at a time: the page asked for in ?page=, and how many pages a total makes."""
from flask import request

from lms.core.forms import parse_id

PAGE_SIZE = 50


def requested_page() -> int:
    """The ?page= number; the first page for anything that is not a plain positive number."""
    return parse_id(request.args.get("page")) or 1


def page_count(total: int, per_page: int = PAGE_SIZE) -> int:
    return max((total + per_page - 1) // per_page, 1)
