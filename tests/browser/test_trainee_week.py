"""A trainee's week on a poor link, in a real browser at 1280 and 390 pixels wide.

(w1) A long answer sent after her session was lost is kept: she signs in again, sees it and sends it.

Every page passed is checked with axe-core and photographed into test-artifacts/screenshots/.
"""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, look, no_sideways_scroll, sign_in

WIDTHS = {"wide": 1280, "narrow": 390}
RUNNING_COURSE = re.compile("^Universal Service for Rural and Remote Areas$")  # the link to her study page
ANSWER = " ".join(["Our province would tender two lots: the northern valleys, where a 4G site serves about 900 "
                   "people, and the islands, where satellite backhaul is the only choice."] * 12)  # ~2,000 characters


@pytest.mark.parametrize("size", WIDTHS)
def test_w1_a_long_answer_sent_after_the_session_was_lost_is_kept_and_sent_again(page: Page, context, size: str):
    page.set_viewport_size({"width": WIDTHS[size], "height": 900})
    sign_in(page, "trainee@demo.test")
    page.locator("main a[href^='/study/']").filter(has_text=RUNNING_COURSE).first.click()  # her running intake
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


QUIZ = "Defining and mapping the access gap: check your understanding"
GAP_QUESTION = "A village has 2,000 residents"


def test_w2_a_quiz_counts_down_takes_usd_9000_refuses_words_and_asks_before_submitting(page: Page):
    page.set_viewport_size({"width": WIDTHS["wide"], "height": 900})
    page.clock.install()  # the countdown runs on the page's clock, moved here instead of waited for
    sign_in(page, "trainee@demo.test")
    page.locator("main a[href^='/study/']").filter(has_text=RUNNING_COURSE).first.click()
    page.get_by_role("link", name=f"Quiz: {QUIZ}").click()
    page.get_by_role("button", name=re.compile("^(Start a new attempt|Continue)")).first.click()

    timer = page.get_by_role("timer")
    expect(timer).to_have_text(re.compile(r"^Time left: 1?\d:\d\d$"))
    expect(page.get_by_text("Reload this page to see the time left.")).to_be_hidden()
    before = timer.inner_text()
    page.clock.run_for(61_000)
    expect(timer).not_to_have_text(before)

    answer = page.get_by_role("group").filter(has_text=GAP_QUESTION).get_by_role("textbox")
    answer.fill("about nine thousand")
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_text(re.compile("“about nine thousand”, is not a number we can read. Enter a number such as "))
           ).to_be_visible()
    expect(answer).to_have_value("about nine thousand")  # refused on saving, kept to correct
    look(page, "w2-number-refused")

    answer.fill("USD 9,000")
    page.get_by_role("button", name="Save answers").click()
    expect(answer).to_have_value("9000")  # saved as read: the separator and the unit understood
    page.get_by_role("button", name="Submit for grading…").click()
    expect(page.get_by_role("heading", name="Submit this attempt?")).to_be_visible()
    look(page, "w2-confirm-submit")
    page.get_by_role("button", name="Submit for grading", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Your score: "))).to_be_visible()
    gap = page.locator("section, article, div.card").filter(has_text=GAP_QUESTION).last
    expect(gap).to_contain_text("2 of 2")


def test_w3_a_file_over_the_limit_is_refused_before_it_is_sent(page: Page):
    page.set_viewport_size({"width": WIDTHS["narrow"], "height": 900})
    sign_in(page, "trainee@demo.test")
    page.locator("main a[href^='/study/']").filter(has_text=RUNNING_COURSE).first.click()
    page.get_by_role("link", name="Assignment: A universal service programme for one province").click()
    files = page.get_by_label("Add files")
    expect(page.get_by_text(re.compile(r"each at most \d+ MB\. Accepted types: "))).to_be_visible()
    limit = int(files.get_attribute("data-max-bytes"))
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    files.set_input_files(files=[{"name": "site-survey.pdf", "mimeType": "application/pdf",
                                  "buffer": b"%PDF-1.4\n" + b"0" * limit}])
    expect(page.get_by_role("alert")).to_contain_text("Not sent: site-survey.pdf is larger than")
    assert files.evaluate("input => input.files.length") == 0
    look(page, "w3-file-too-large")
    assert posts == []


@pytest.mark.parametrize("size", WIDTHS)
def test_w4_the_home_lists_what_is_due_in_her_own_time_zone(page: Page, size: str):
    page.set_viewport_size({"width": WIDTHS[size], "height": 900})
    sign_in(page, "trainee@demo.test")
    due = page.get_by_role("region", name="What is due")
    expect(due.get_by_role("link", name=re.compile("^(Quiz|Assignment): ")).first).to_be_visible()
    expect(due.get_by_role("cell").first).to_contain_text("Ho Chi Minh City time")
    no_sideways_scroll(page)
    look(page, f"w4-due-{size}")
    try:
        # She travels to a workshop in Papua: her deadlines follow her zone.
        page.get_by_role("link", name="Nguyen Thi Minh Anh").click()
        page.get_by_label("Time zone").select_option("Asia/Jayapura")
        page.get_by_role("button", name="Save").first.click()
        expect(page.get_by_role("status").first).to_contain_text("time zone are saved")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
        expect(due.get_by_role("cell").first).to_contain_text("Jayapura time")
        due.get_by_role("link", name=re.compile("^(Quiz|Assignment): ")).first.click()
        expect(page.get_by_role("link", name=re.compile("^← "))).to_be_visible()  # back to the study page
    finally:
        page.goto("/profile")
        page.get_by_label("Time zone").select_option("Asia/Ho_Chi_Minh")
        page.get_by_role("button", name="Save").first.click()
