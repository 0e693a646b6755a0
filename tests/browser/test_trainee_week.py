"""A trainee's week on a poor link, in a real browser at 1280 and 390 pixels wide.

(w1) A long answer sent after her session was lost is kept: she signs in again, sees it and sends it.

Every page passed is checked with axe-core and photographed into test-artifacts/screenshots/.
"""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, look, sign_in

WIDTHS = {"wide": 1280, "narrow": 390}
ANSWER = " ".join(["Our province would tender two lots: the northern valleys, where a 4G site serves about 900 "
                   "people, and the islands, where satellite backhaul is the only choice."] * 12)  # ~2,000 characters


@pytest.mark.parametrize("size", WIDTHS)
def test_w1_a_long_answer_sent_after_the_session_was_lost_is_kept_and_sent_again(page: Page, context, size: str):
    page.set_viewport_size({"width": WIDTHS[size], "height": 900})
    sign_in(page, "trainee@demo.test")
    page.locator("main a[href^='/study/']").filter(has_text="Universal Service").first.click()  # her running intake
    page.get_by_role("link", name="Assignment: A universal service programme for one province").click()
    answer = page.get_by_label("Your answer")
    answer.fill(f"{size}: {ANSWER}")
    context.clear_cookies()  # the session is lost while she writes (a shared computer, a browser that restarted)
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("What you typed is kept")
    page.get_by_label("E-mail").fill("trainee@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Send your form again", level=1)).to_be_visible()
    expect(page.get_by_label(re.compile("^What you typed"))).to_have_value(f"{size}: {ANSWER}")
    look(page, f"w1-kept-answer-{size}")
    page.get_by_role("button", name="Send it again").click()
    expect(page.get_by_role("status").first).to_contain_text("draft is saved")
    expect(page.get_by_label("Your answer")).to_have_value(f"{size}: {ANSWER}")
    look(page, f"w1-answer-saved-{size}")
