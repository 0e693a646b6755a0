"""The base form: CSRF-protected, with whitespace trimmed from text fields; the check for hidden characters."""
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from lms.core.text import first_hidden_character


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


class WTFormsTranslations:
    """WTForms' own messages looked up in our catalogue (lms/core/wtforms_messages.py lists them);
    WTForms formats them itself, so nothing is interpolated here."""

    def gettext(self, string):
        return get_translations().gettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ngettext(singular, plural, n)


WTFORMS_TRANSLATIONS = WTFormsTranslations()


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return WTFORMS_TRANSLATIONS

        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if strip_whitespace not in filters:
                filters = [strip_whitespace, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)


def no_hidden_characters(form, field):
    """Control characters, and invisible ones such as bidi overrides that would change how a name prints."""
    hidden = first_hidden_character(field.data)
    if hidden is not None:
        raise ValidationError(_l("Please remove control characters or invisible characters (here U+%(code)s) "
                                 "from this field.", code=f"{ord(hidden):04X}"))


def parse_id(value) -> int | None:
    """A database id from untrusted text: plain ASCII digits within range, else None."""
    if isinstance(value, str) and 0 < len(value) <= 9 and value.isascii() and value.isdigit():
        return int(value)
    return None
