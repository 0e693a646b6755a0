"""The interface's languages and each reader's clock: which language and time zone a request is shown in."""
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo, available_timezones

from flask import Flask, g, has_request_context, request
from jinja2 import pass_eval_context
from markupsafe import Markup
from flask_babel import force_locale, get_locale, get_timezone, get_translations, gettext as _
from babel.dates import get_timezone_location

from lms.core import clock

LANGUAGE_COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    code: str  # the catalogue's directory under lms/translations/ and Babel's locale name
    tag: str  # the BCP 47 tag for <html lang>, Content-Language and lang attributes
    native_name: str  # what a speaker looks for in the switch, in its own script


LANGUAGES = {language.code: language for language in (
    Language("en", "en", "English"),
    Language("zh_Hans", "zh-Hans", "简体中文"),
    Language("vi", "vi", "Tiếng Việt"),
    Language("th", "th", "ไทย"),
    Language("id", "id", "Bahasa Indonesia"),
    Language("ms", "ms", "Bahasa Melayu"),
    Language("km", "km", "ខ្មែរ"),
    Language("lo", "lo", "ລາວ"),
    Language("my", "my", "မြန်မာ"),
    Language("fil", "fil", "Filipino"),
)}
DEFAULT_LANGUAGE = "en"

# Staff pages are required in these; every language is required for what a trainee reads.
STAFF_LANGUAGES = ("en", "zh_Hans", "vi", "th", "id")

# What a trainee reads, by the file its message is extracted from (the catalogue's locations): these
# strings are required in every language; every other string is a staff page's, required in
# STAFF_LANGUAGES and falling back to English string by string elsewhere.
TRAINEE_SOURCES = (
    "templates/base.html", "templates/error.html", "templates/too_large.html", "templates/_macros/",
    "templates/accounts/", "templates/catalogue/", "templates/learning/", "templates/assessments/",
    "templates/home/trainee.html", "templates/home/welcome.html", "templates/home/_notifications.html",
    "templates/enrolment/withdraw.html", "templates/certificates/verify.html", "templates/certificates/pdf/",
    "lms/core/", "lms/accounts/", "lms/catalogue/", "lms/learning/", "lms/assessments/", "lms/notifications/",
    "lms/certificates/documents.py", "lms/grading/completion.py", "lms/grading/operations.py",
    "lms/enrolment/operations.py", "lms/enrolment/forms.py", "lms/enrolment/models.py", "lms/certificates/operations.py",
)


def is_trainee_source(location: str) -> bool:
    return location.startswith(TRAINEE_SOURCES)


# Primary subtags of Accept-Language that name one of our languages by another code.
_LANGUAGE_ALIASES = {"zh": "zh_Hans", "tl": "fil", "in": "id", "zsm": "ms", "mya": "my"}

# The zone a person of each country is first given; Indonesia spans three, all offered.
COUNTRY_TIME_ZONES = {
    "BN": ("Asia/Brunei",),
    "KH": ("Asia/Phnom_Penh",),
    "ID": ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"),
    "LA": ("Asia/Vientiane",),
    "MY": ("Asia/Kuala_Lumpur",),
    "MM": ("Asia/Yangon",),
    "PH": ("Asia/Manila",),
    "SG": ("Asia/Singapore",),
    "TH": ("Asia/Bangkok",),
    "VN": ("Asia/Ho_Chi_Minh",),
}
# China's zone too: the programme's staff work from there as well as from the member countries.
OFFERED_TIME_ZONES = tuple(dict.fromkeys(
    [zone for zones in COUNTRY_TIME_ZONES.values() for zone in zones] + ["Asia/Shanghai", "UTC"]))


def language_for_tag(tag: str | None) -> str | None:
    """Our language code for a BCP 47 tag or locale name (zh-CN, zh_Hans, th-TH, tl...), or None."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-")
    for language in LANGUAGES.values():
        if tag.lower() in (language.tag.lower(), language.code.lower()):
            return language.code
    primary = tag.split("-", 1)[0].lower()
    if primary in LANGUAGES:
        return primary
    return _LANGUAGE_ALIASES.get(primary)


def best_accepted_language() -> str | None:
    for value, _quality in request.accept_languages:  # already sorted by preference
        code = language_for_tag(value)
        if code:
            return code
    return None


def select_locale() -> str | None:
    """The signed-in reader's choice, else the cookie of a signed-out one, else the browser's first guess."""
    if not has_request_context():
        return None
    from flask_login import current_user

    user = current_user._get_current_object() if current_user else None
    if user is not None and user.is_authenticated and user.language in LANGUAGES:
        return user.language
    chosen = language_for_tag(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    g.language_from_header = True
    return best_accepted_language() or DEFAULT_LANGUAGE


def select_timezone() -> str | None:
    """The reader's own zone when signed in with one, else the programme's."""
    if has_request_context():
        from flask_login import current_user

        user = current_user._get_current_object() if current_user else None
        if user is not None and user.is_authenticated and user.time_zone:
            return user.time_zone
    return clock.programme_zone().key


def reader_locale():
    """The locale of the request (or of force_locale inside it): what Flask-Babel's get_locale() gives, read
    where it keeps it once found, since a page asks for it at every date, title and label."""
    locale = getattr(_babel_space(), "babel_locale", None)
    return locale if locale is not None else get_locale()


def _babel_space():
    """Where Flask-Babel keeps the request's locale and catalogue (None outside an app context)."""
    return g.get("_flask_babel") if g else None


def current_language() -> Language:
    return LANGUAGES.get(str(reader_locale() or DEFAULT_LANGUAGE), LANGUAGES[DEFAULT_LANGUAGE])


def guess_time_zone(country_code: str | None) -> str:
    zones = COUNTRY_TIME_ZONES.get(country_code or "")
    return zones[0] if zones else clock.programme_zone().key


def is_time_zone(name: str | None) -> bool:
    return bool(name) and name in available_timezones()


def zone_label(zone: ZoneInfo | str | None = None) -> str:
    """'Phnom Penh time' in the reader's language: the zone named by its city, as people say it."""
    zone = zone or get_timezone()
    name = zone if isinstance(zone, str) else getattr(zone, "key", str(zone))
    if name == "UTC":
        return "UTC"
    city = get_timezone_location(ZoneInfo(name), locale=reader_locale(), return_city=True)
    return _("%(city)s time", city=city)


def zone_choice_label(name: str) -> str:
    """'Phnom Penh time (UTC+07:00)' for the time-zone list."""
    offset = clock.now().astimezone(ZoneInfo(name)).strftime("%z")
    return f"{zone_label(name)} (UTC{offset[:3]}:{offset[3:]})"


def country_name(country) -> str:
    """A member country's name in the reader's language (CLDR's), the stored English one otherwise."""
    locale = reader_locale()
    if locale is None or locale.language == "en":
        return country.name  # the programme's own English names (Viet Nam, Lao PDR), as ASEAN writes them
    return locale.territories.get(country.code) or country.name


@contextmanager
def speaking_to(user):
    """Text composed inside (notifications, mail) is in the recipient's language, not the sender's;
    someone who never chose one is written to in the language of the request (or English)."""
    language = getattr(user, "language", None)
    if language not in LANGUAGES:
        language = str(get_locale()) if has_request_context() and get_locale() else DEFAULT_LANGUAGE
    with force_locale(language):
        yield


_SCRIPT_LANGUAGES = (
    ("THAI", "th"), ("KHMER", "km"), ("LAO", "lo"), ("MYANMAR", "my"), ("CJK", "zh-Hans"),
)
_LATIN_BY_COUNTRY = {"VN": "vi", "ID": "id", "MY": "ms", "BN": "ms", "PH": "fil", "SG": "en"}


def script_language(text: str | None, country_code: str | None = None) -> str:
    """The BCP 47 tag of a name written in its own script, so browsers and PDFs pick the right glyphs."""
    for char in text or "":
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        for prefix, tag in _SCRIPT_LANGUAGES:
            if name.startswith(prefix):
                return tag
    return _LATIN_BY_COUNTRY.get(country_code or "", "und")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not re.search(r"[\\\s]", target):
        return target
    return "/"


def _catalogue():
    """The catalogue of the request's language, found once per request and language (force_locale changes
    the language inside a request, so the catalogue is kept with the locale it was found for)."""
    space = _babel_space()
    kept = getattr(space, "lms_catalogue", None)
    if kept is not None and kept[0] is getattr(space, "babel_locale", None):
        return kept[1]
    translations = get_translations()
    space = _babel_space()
    if space is not None:
        space.lms_catalogue = (getattr(space, "babel_locale", None), translations)
    return translations


@pass_eval_context
def _template_gettext(eval_context, string: str, **variables) -> str:
    """`_()` in templates: Jinja's newstyle gettext (escaped, always %-formatted), in one call instead of three."""
    text = _catalogue().ugettext(string)
    if eval_context.autoescape:
        text = Markup(text)  # nosec B704 - our own catalogue's text, as Jinja does; % escapes the variables
    return text % variables


def register_language_rules(app: Flask) -> None:
    @app.after_request
    def name_the_language(response):
        if response.mimetype == "text/html":
            response.headers["Content-Language"] = current_language().tag
            if g.get("language_from_header"):
                response.vary.add("Accept-Language")
                response.vary.add("Cookie")
        return response

    @app.context_processor
    def languages():
        return {"LANGUAGES": LANGUAGES, "current_language": current_language(), "zone_label": zone_label}

    # Pages ask for a hundred strings each; Flask-Babel finds the request's catalogue again for every one.
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _catalogue().ugettext(string),
        ngettext=lambda singular, plural, n: _catalogue().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, string: _catalogue().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _catalogue().unpgettext(context, singular, plural, n),
    )
    app.jinja_env.globals["_"] = _template_gettext
    app.jinja_env.filters["script_language"] = script_language
    app.jinja_env.filters["country_name"] = country_name
