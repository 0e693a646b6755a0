"""One list for every staff page: a search, filters and a sort read from the query string, a page at a time.

A view describes its list (the base query, which filters and sort keys exist) and the template renders
it with the macros in templates/_macros/listing.html; every link the list makes (a filter, a column
heading, the next page) keeps the rest of the query string, so a reload or a shared link shows the
same rows.
"""
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import abort, current_app, request, url_for
from flask_babel import lazy_gettext as _l

from lms.core.paging import PAGE_SIZE, requested_page
from lms.extensions import db

MAX_SEARCH = 100


@dataclass
class Filter:
    """A <select> of the list: name in the query string, its label, its choices (value, label), and how a
    chosen value narrows the query. A value not among the choices is refused (400), never trusted."""
    name: str
    label: Any
    choices: list[tuple[str, Any]]
    apply: Callable[[Any, str], Any]
    all_label: Any = _l("All")
    default: str | None = None  # used when the parameter is absent; an empty value means "all"


@dataclass
class InputFilter:
    """A typed-in filter (a date, a name): `parse` turns the text into a value or raises ValueError,
    and the list then says so at the top instead of guessing."""
    name: str
    label: Any
    apply: Callable[[Any, Any], Any]
    parse: Callable[[str], Any] = str
    input_type: str = "text"
    error: Any = _l("This value cannot be read.")


@dataclass
class Sort:
    key: str
    label: Any
    columns: tuple  # ORDER BY expressions, ascending; the id comes last so paging is stable


@dataclass
class Listing:
    endpoint: str
    query: Any  # a select() of the rows
    sorts: list[Sort]
    filters: list[Filter] = field(default_factory=list)
    inputs: list[InputFilter] = field(default_factory=list)
    search: Callable[[str], Any] | None = None  # a search text -> a WHERE condition
    search_label: Any = _l("Search")
    default_sort: str | None = None
    per_page: int | None = None  # the LIST_PAGE_SIZE setting, else PAGE_SIZE
    url_values: dict = field(default_factory=dict)  # path parameters of the endpoint

    def __post_init__(self):
        self.per_page = self.per_page or current_app.config.get("LIST_PAGE_SIZE", PAGE_SIZE)
        args = request.args
        self.search_text = args.get("q", "").strip()[:MAX_SEARCH] if self.search else ""
        self.chosen = {}
        for item in self.filters:
            value = args.get(item.name, item.default or "") if item.name not in args else args[item.name]
            if value in {str(choice) for choice, _label in item.choices}:
                self.chosen[item.name] = value
            elif value:
                abort(400)  # a value the list never offered: a broken link, not a filter to guess at
        self.typed: dict[str, str] = {}
        self.parsed: dict[str, Any] = {}
        self.errors: list[str] = []
        for item in self.inputs:
            text = args.get(item.name, "").strip()[:MAX_SEARCH]
            if not text:
                continue
            self.typed[item.name] = text
            try:
                self.parsed[item.name] = item.parse(text)
            except ValueError:
                self.errors.append(f"{item.label}: {item.error} ({text})")
        sorts = {sort.key: sort for sort in self.sorts}
        requested = args.get("sort", "")
        self.descending = requested.startswith("-")
        self.sort_key = requested.lstrip("-") if requested.lstrip("-") in sorts else None
        if self.sort_key is None:
            default = self.default_sort or self.sorts[0].key
            self.descending = default.startswith("-")
            self.sort_key = default.lstrip("-")
        self.page_number = requested_page()

    def filtered_query(self):
        """The query narrowed by the search and the chosen filters, not yet sorted."""
        query = self.query
        if self.search_text:
            query = query.where(self.search(self.search_text))
        for item in self.filters:
            if item.name in self.chosen:
                query = item.apply(query, self.chosen[item.name])
        for item in self.inputs:
            if item.name in self.parsed:
                query = item.apply(query, self.parsed[item.name])
        return query

    def sorted_query(self):
        columns = next(sort for sort in self.sorts if sort.key == self.sort_key).columns
        return self.filtered_query().order_by(*(column.desc() if self.descending else column for column in columns))

    def paginate(self):
        """The page asked for (the last one if past the end), with its total, as db.paginate gives it."""
        self.page = db.paginate(self.sorted_query(), page=self.page_number, per_page=self.per_page,
                                error_out=False, count=True)
        if not self.page.items and self.page.total and self.page_number > 1:
            self.page = db.paginate(self.sorted_query(), page=self.page.pages, per_page=self.per_page,
                                    error_out=False)
        return self.page

    @property
    def items(self) -> list:
        return self.page.items

    @property
    def total(self) -> int:
        return self.page.total or 0

    @property
    def is_filtered(self) -> bool:
        defaults = {item.name: item.default for item in self.filters if item.default}
        return bool(self.search_text or self.typed) or self.chosen != defaults

    def state(self) -> dict:
        """The query string that shows this list as it is: search, filters, sort and page."""
        # A filter left at "all" where it has a default is said explicitly, or the default would return.
        values = {item.name: self.chosen.get(item.name, "") for item in self.filters if item.default}
        values.update(self.chosen)
        values.update(self.typed)
        if self.search_text:
            values["q"] = self.search_text
        values["sort"] = ("-" if self.descending else "") + self.sort_key
        if self.page.page > 1:
            values["page"] = self.page.page
        return values

    def url(self, **changes) -> str:
        values = {**self.state(), **changes}
        defaulted = {item.name for item in self.filters if item.default}
        values = {key: value for key, value in values.items() if value is not None and (value != "" or key in defaulted)}
        return url_for(self.endpoint, **self.url_values, **values)

    def sort_url(self, key: str) -> str:
        """A column heading's link: ascending first, descending when already sorted ascending by it."""
        descending = key == self.sort_key and not self.descending
        return self.url(sort=("-" if descending else "") + key, page=None)

    def sort_direction(self, key: str) -> str | None:
        """aria-sort for the column heading."""
        if key != self.sort_key:
            return None
        return "descending" if self.descending else "ascending"

    def page_url(self, number: int) -> str:
        return self.url(page=number if number > 1 else None)

    def hidden_fields(self, *keep: str) -> dict:
        """The state to carry through a form that posts elsewhere and comes back (e.g. 'next')."""
        return {key: value for key, value in self.state().items() if not keep or key in keep}
