"""An instructor at a real day's work, in a real browser, at 1280 and 390 pixels wide.

(u) The instructor takes a whole intake's attendance in one save: a new session and changes to earlier ones.
(v) The instructor has the same work open on two pages, grades it in one, then saves the other: the second
    save is refused, naming who graded it, and keeps what was chosen there. Then the gradebook, by grade.

Every page passed is checked with axe-core and photographed into test-artifacts/screenshots/.
"""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import look, no_sideways_scroll, sign_in, sign_out

WIDTHS = {"wide": 1280, "narrow": 390}
INSTRUCTOR = "instructor@demo.test"  # Zhang Hua in the demo


def running_intakes(page: Page):
    """The table of intakes running now, on the instructor's home."""
    heading = page.get_by_role("heading", name="Running now", level=2)
    expect(heading).to_be_visible()
    return page.locator("h2#running + div table")


@pytest.mark.parametrize("size", WIDTHS)
def test_u_an_instructor_takes_a_whole_intakes_attendance_in_one_save(page: Page, size: str):
    page.set_viewport_size({"width": WIDTHS[size], "height": 900})
    sign_in(page, INSTRUCTOR)
    for heading in ("Running now", "Starting later", "Finished"):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    no_sideways_scroll(page)
    look(page, f"u01-instructor-home-{size}")

    running_intakes(page).get_by_role("link", name=re.compile("^Attendance ")).first.click()
    expect(page.get_by_role("heading", name="Attendance", level=1)).to_be_visible()
    sheet = page.get_by_role("table")
    expect(sheet.get_by_role("columnheader", name=re.compile("^Session 1"))).to_contain_text("09:00")
    no_sideways_scroll(page)
    look(page, f"u02-attendance-sheet-{size}")

    # Two earlier sessions changed and a new one recorded, then a single save.
    names = [name.strip() for name in sheet.get_by_role("rowheader").all_inner_texts()]
    first, second = [name for name in names if "\n" not in name][:2]  # two whose name alone tells them apart
    earlier = page.get_by_role("checkbox", name=f"{first} present at Session 1", exact=True)
    later = page.get_by_role("checkbox", name=f"{second} present at Session 2", exact=True)
    was_earlier, was_later = earlier.is_checked(), later.is_checked()
    earlier.set_checked(not was_earlier)
    later.set_checked(not was_later)
    title = f"Field visit ({size})"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("Place").fill("Rural exchange, 40 km north")
    if size == "wide":
        page.get_by_role("checkbox", name=f"{first} present at the new session", exact=True).check()
        page.get_by_role("checkbox", name=f"{second} present at the new session", exact=True).check()
        page.get_by_role("button", name="Save attendance").click()
    else:  # on a phone, the whole class at once
        page.get_by_role("button", name="All present at the new session, and save").click()
    expect(page.get_by_role("status").filter(has_text="Attendance saved for")).to_contain_text(
        re.compile(r"Attendance saved for \d+ sessions\."))

    sheet = page.get_by_role("table")
    added = sheet.get_by_role("columnheader", name=re.compile("^" + re.escape(title)))
    expect(added).to_contain_text("09:30")
    expect(added).to_contain_text("Rural exchange, 40 km north")
    expect(page.get_by_role("checkbox", name=f"{first} present at Session 1", exact=True)).to_be_checked(
        checked=not was_earlier)
    expect(page.get_by_role("checkbox", name=f"{second} present at Session 2", exact=True)).to_be_checked(
        checked=not was_later)
    expect(page.get_by_role("checkbox", name=f"{first} present at {title}", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name=f"{second} present at {title}", exact=True)).to_be_checked()
    no_sideways_scroll(page)
    look(page, f"u03-attendance-saved-{size}")

    # A new session without its title: the error is at the top and the ticks are kept.
    page.get_by_label("Start time").fill("14:00")
    page.get_by_role("checkbox", name=f"{first} present at the new session", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved.")
    expect(alert).to_contain_text("Please give the session a title.")
    assert alert.bounding_box()["y"] < page.get_by_role("table").bounding_box()["y"]
    expect(page.get_by_role("checkbox", name=f"{first} present at the new session", exact=True)).to_be_checked()
    no_sideways_scroll(page)
    look(page, f"u04-attendance-error-{size}")
    sign_out(page)


def choose_levels(page: Page, best: bool) -> None:
    """Chooses the best (or the weakest) level of every criterion of the rubric."""
    groups = page.locator("form fieldset")
    for number in range(groups.count()):
        radios = groups.nth(number).get_by_role("radio")
        (radios.first if best else radios.last).check()


@pytest.mark.parametrize("size", WIDTHS)
def test_v_an_instructor_meets_a_grading_conflict_between_two_pages(page: Page, size: str):
    page.set_viewport_size({"width": WIDTHS[size], "height": 900})
    sign_in(page, INSTRUCTOR)
    running_intakes(page).get_by_role("link", name=re.compile(r"^Grading queue \(\d+\) ")).first.click()
    expect(page.get_by_role("heading", name="Grading queue", level=1)).to_be_visible()
    work = page.get_by_role("link", name=re.compile("^Grade the work of ")).first
    trainee = work.inner_text().removeprefix("Grade the work of ").strip()
    work.click()
    first = page
    second = page.context.new_page()
    second.set_viewport_size({"width": WIDTHS[size], "height": 900})
    second.goto(first.url)

    choose_levels(first, best=True)
    first.get_by_label("Written feedback").fill("Thorough and well argued: a model answer.")
    first.get_by_role("button", name="Save the grade and return the work").click()
    expect(first.get_by_role("status")).to_have_text(f"Grade saved and returned to {trainee}.")

    # The other page still shows the work ungraded; its grader chooses differently and saves.
    choose_levels(second, best=False)
    stale_feedback = "Too thin on costs; please add the subsidy estimate."
    second.get_by_label("Written feedback").fill(stale_feedback)
    second.get_by_role("button", name="Save the grade and return the work").click()
    conflict = second.get_by_role("status").filter(has_text="graded this work")
    expect(conflict).to_contain_text(re.compile(r"^Zhang Hua graded this work on .+ time \(100%\) after you opened it"))
    expect(conflict).to_contain_text("Your grade was not saved")
    expect(second.get_by_label("Written feedback")).to_have_value(stale_feedback)
    groups = second.locator("form fieldset")
    for number in range(groups.count()):
        expect(groups.nth(number).get_by_role("radio").last).to_be_checked()
    expect(second.locator("ul.figures")).to_contain_text("100%")  # the grade now given, above the form
    no_sideways_scroll(second)
    look(second, f"v01-grading-conflict-{size}")
    second.close()

    # The gradebook, sorted by a column's heading: the order stays in the address, and the CSV follows it.
    first.get_by_role("navigation", name="This intake").get_by_role("link", name="Gradebook").click()
    expect(first.get_by_role("heading", name="Gradebook", level=1)).to_be_visible()
    first.get_by_role("columnheader", name="Weighted grade").get_by_role("link").click()
    first.get_by_role("columnheader", name=re.compile("^Weighted grade")).get_by_role("link").click()
    expect(first).to_have_url(re.compile(r"sort=-grade"))
    expect(first.get_by_role("columnheader", name=re.compile("^Weighted grade"))).to_have_attribute(
        "aria-sort", "descending")
    expect(first.get_by_role("link", name="Download as CSV")).to_have_attribute("href", re.compile(r"sort=-grade"))
    no_sideways_scroll(first)
    look(first, f"v02-gradebook-by-grade-{size}")
    sign_out(first)
