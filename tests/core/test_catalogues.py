"""The interface's catalogues: up to date with the code, complete where required, placeholders intact.

A trainee's strings (lms/core/i18n.py TRAINEE_SOURCES) are required in all ten languages; staff
pages' strings in STAFF_LANGUAGES. `make translations` brings the template and catalogues up to date.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lms.core.i18n import LANGUAGES, STAFF_LANGUAGES, is_trainee_source

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "lms" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
LOCALES = [code for code in LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[sdifgr]|%[-#0 +]*\d*(?:\.\d+)?[sdifgr]|\{\w*\}")


def read(path: Path, locale: str | None = None):
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def messages(catalog) -> dict:
    return {(message.context, message.id): message for message in catalog if message.id}


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    # The very command `make translations` runs (the Makefile's EXTRACT), so the test and the tool agree.
    make_line = next(line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("EXTRACT :="))
    arguments = make_line.split(":=", 1)[1].split()[1:]
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *arguments, "-o", str(out), "."],
                   cwd=ROOT, check=True, capture_output=True)
    return messages(read(out))


def where(message) -> set[str]:
    return {filename for filename, _line in message.locations}


def test_the_template_holds_exactly_what_the_code_says(fresh_template):
    committed = messages(read(TEMPLATE))
    added = sorted(str(key[1]) for key in fresh_template.keys() - committed.keys())  # a plural id is a tuple
    dropped = sorted(str(key[1]) for key in committed.keys() - fresh_template.keys())
    moved = sorted(str(key[1]) for key in fresh_template.keys() & committed.keys()
                   if where(fresh_template[key]) != where(committed[key]))
    assert not (added or dropped or moved), (
        f"lms/translations/messages.pot is stale; run `make translations`. New: {added[:5]}, "
        f"gone: {dropped[:5]}, used elsewhere now: {moved[:5]}")


@pytest.mark.parametrize("locale", LOCALES)
def test_each_catalogue_follows_the_template(locale):
    template = messages(read(TEMPLATE))
    catalogue = messages(read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale))
    missing = sorted(key[1] for key in template.keys() - catalogue.keys())
    assert not missing, f"{locale} lacks {len(missing)} messages of the template; run `make translations`: {missing[:5]}"


def required(message, locale: str) -> bool:
    return locale in STAFF_LANGUAGES or any(is_trainee_source(location) for location in where(message))


def is_translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_required_string_is_translated(locale):
    catalogue = read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    untranslated = [message for message in catalogue
                    if message.id and required(message, locale) and not is_translated(message)]
    sample = "\n".join(f"  {sorted(where(m))[0]}: {m.id if isinstance(m.id, str) else m.id[0]!r}"
                       for m in untranslated[:10])
    assert not untranslated, (
        f"{len(untranslated)} strings {LANGUAGES[locale].native_name} ({locale}) readers need are "
        f"untranslated or fuzzy, for example:\n{sample}")


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_the_english_ones(locale):
    catalogue = read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    wrong = []
    for message in catalogue:
        if not message.id or not is_translated(message):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        allowed = [placeholders(text) for text in ids]
        wrong += [(ids[0], text) for text in strings if placeholders(text) not in allowed]
    assert not wrong, f"{locale}: placeholders differ from the English: {wrong[:5]}"


def test_the_placeholder_check_catches_a_changed_name():
    assert placeholders("Hello %(name)s, 50%% done") == ["%(name)s"]
    assert placeholders("Xin chào %(ten)s") != placeholders("Hello %(name)s")
    assert placeholders("%(count)d of %(total)d") == placeholders("%(total)d 中的 %(count)d")
