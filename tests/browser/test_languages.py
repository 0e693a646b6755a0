"""A trainee's path in English and again in Khmer and Thai: every string she reads comes from her catalogue.

The check reads the catalogue itself: on the Khmer pages, any required trainee string whose English
text still shows is reported with the page it was on. Screenshots at 1280 and 390 pixels wide are
left in test-artifacts/screenshots/.
"""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page

from lms.core.i18n import LANGUAGES, is_trainee_source
from tests.browser.conftest import DEMO_PASSWORD, assert_accessible, screenshot

TRANSLATIONS = Path(__file__).resolve().parents[2] / "lms" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def english_the_reader_should_not_see(code: str) -> dict[str, str]:
    """The trainee strings of `code`'s catalogue, English text to its translation ('' if none yet).

    Only whole strings without placeholders are looked for, and only those at least two words long, so a
    word that happens to be the same in both languages ("OK", a brand) is not taken for a miss.
    """
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale=code)
    wanted = {}
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple) or PLACEHOLDER.search(message.id):
            continue
        if len(message.id.split()) < 2 or not any(is_trainee_source(f) for f, _line in message.locations):
            continue
        if message.string != message.id:
            wanted[message.id] = message.string
    return wanted


# The page's text without course content marked as written in another language (a course not yet
# translated into hers shows its English titles, said so and marked with lang="en").
TEXT_IN_PAGE_LANGUAGE = """() => {
    const body = document.body.cloneNode(true), own = document.documentElement.lang;
    body.querySelectorAll('[lang]').forEach(e => { if (e.lang !== own) e.remove(); });
    document.documentElement.appendChild(body);
    const text = body.innerText;
    body.remove();
    return text;
}"""


def untranslated_on(page: Page, wanted: dict[str, str]) -> list[str]:
    text = " ".join(page.evaluate(TEXT_IN_PAGE_LANGUAGE).split())
    return sorted(english for english in wanted if english in text)


def path_of_a_trainee(page: Page):
    """The pages a trainee passes, signed out then signed in (the demo trainee)."""
    yield "sign-in", "/login"
    yield "register", "/register"
    yield "courses", "/courses"
    page.goto("/login")
    page.locator("#email").fill("trainee@demo.test")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form.stacked [type=submit]").click()
    yield "home", "/"
    yield "profile", "/profile"
    yield "verify", "/verify"


@pytest.mark.parametrize("code", ["en", "km", "th"])
def test_a_trainees_path_reads_in_her_language(browser, live_server, code):
    language = LANGUAGES[code]
    wanted = english_the_reader_should_not_see(code) if code != "en" else {}
    context = browser.new_context(base_url=live_server, locale=language.tag,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    misses = []
    try:
        for name, path in path_of_a_trainee(page):
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language.tag
            misses += [f"{path}: {english!r}" for english in untranslated_on(page, wanted)]
            screenshot(page, f"language-{code}-{name}")
            assert_accessible(page)
            page.set_viewport_size({"width": 390, "height": 844})
            screenshot(page, f"language-{code}-{name}-390")
            page.set_viewport_size({"width": 1280, "height": 900})
    finally:
        context.close()
    assert not misses, f"{len(misses)} English strings on a {language.native_name} trainee's pages:\n" + \
        "\n".join(misses[:25])


def test_the_footer_switch_changes_the_language_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto("/courses")
        page.locator("#language-switch").select_option("th")
        page.locator("form.language-switch button").click()
        assert page.url.endswith("/courses")
        assert page.locator("html").get_attribute("lang") == "th"
    finally:
        context.close()
