"""The base form: CSRF-protected, with whitespace trimmed from text fields."""
from flask_wtf import FlaskForm


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if strip_whitespace not in filters:
                filters = [strip_whitespace, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)


def parse_id(value) -> int | None:
    """A database id from untrusted text: plain ASCII digits within range, else None."""
    if isinstance(value, str) and 0 < len(value) <= 9 and value.isascii() and value.isdigit():
        return int(value)
    return None
