"""Staff at a real day's work, in a real browser, at 1280 and 390 pixels wide.

(s) A coordinator decides ten requests at once, filters the list, follows a trainee and takes the list away.
(t) An admin filters the audit log.

Every page passed is checked with axe-core and photographed into test-artifacts/screenshots/.
"""
import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import look, no_sideways_scroll, sign_in, sign_out

WIDTHS = {"wide": 1280, "narrow": 390}


def select_requests(page: Page, count: int) -> list[str]:
    """Tick the first `count` requests of the list; returns the names ticked."""
    boxes = page.get_by_role("checkbox", name=re.compile("^Select "))
    assert boxes.count() >= count, f"only {boxes.count()} requests to decide"
    names = []
    for number in range(count):
        box = boxes.nth(number)
        box.check()
        names.append(box.locator("xpath=ancestor::tr").get_by_role("link").first.inner_text().strip())
    return names


@pytest.mark.parametrize("size", WIDTHS)
def test_s_a_coordinator_decides_ten_requests_filters_follows_and_exports(page: Page, size: str):
    page.set_viewport_size({"width": WIDTHS[size], "height": 900})
    # Wide: Thailand's coordinator approves ten of her requests. Narrow: the programme coordinator puts ten
    # requests of other countries on the waiting list (no quota spent, so the other journeys are unaffected).
    who, decision, reason = (("th.coordinator@demo.test", "Approve: give a place", "Strong applications")
                             if size == "wide" else
                             ("coordinator@demo.test", "Put on the waiting list", "This intake is oversubscribed"))
    sign_in(page, who)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Enrolments").click()
    expect(page.get_by_role("heading", name=re.compile("^Enrolments"), level=1)).to_be_visible()
    if size == "narrow":
        page.get_by_label("Country").select_option(label="Indonesia")
        with page.expect_navigation():
            page.get_by_role("button", name="Show").click()
        if page.get_by_role("checkbox", name=re.compile("^Select ")).count() < 10:
            page.get_by_label("Country").select_option(label="Every country")
            with page.expect_navigation():
                page.get_by_role("button", name="Show").click()
    no_sideways_scroll(page)
    look(page, f"s01-enrolments-{size}")
    names = select_requests(page, 10)
    page.get_by_role("radio", name=decision).check()
    page.get_by_label("Reason (shown to each trainee)").fill(reason)
    page.get_by_role("button", name="Decide the selected requests").click()
    done = "Approved" if size == "wide" else "Put"
    messages = page.get_by_role("status")
    expect(messages.filter(has_text=re.compile(f"^{done} "))).to_have_count(10)
    for name in names:
        expect(messages.filter(has_text=f"{done} {name} ").first).to_be_visible()
    look(page, f"s02-after-deciding-ten-{size}")

    # Filter: the decided people under their new status, found by name.
    state = "Approved" if size == "wide" else "Waitlisted"
    page.get_by_role("navigation", name="Status").get_by_role("link", name=state, exact=True).click()
    page.get_by_label("Name or e-mail").fill(names[0].split()[0])
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"q="))
    expect(page.get_by_role("link", name=names[0], exact=True).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"\(filtered\)"))).to_be_visible()
    page.get_by_label("Sort by").select_option(label="Trainee ↓")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"sort=-name"))
    no_sideways_scroll(page)
    look(page, f"s03-filtered-{size}")

    # Take the list away, as filtered.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(row["Status"] == state for row in rows)
    assert names[0] in {row["Name"] for row in rows}
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    assert open(download.value.path(), "rb").read(2) == b"PK"

    # Follow one trainee.
    page.get_by_role("link", name=names[0], exact=True).first.click()
    expect(page.get_by_role("heading", name=re.compile("^" + re.escape(names[0])), level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Assessments")).to_be_visible()
    expect(page.get_by_text("required lessons done")).to_be_visible()
    no_sideways_scroll(page)
    look(page, f"s04-follow-trainee-{size}")
    if size == "narrow":
        page.get_by_role("link", name="Waiting list", exact=True).click()
        expect(page.get_by_role("heading", name=re.compile("^Waiting list"), level=1)).to_be_visible()
        expect(page.get_by_role("link", name=names[0], exact=True).first).to_be_visible()
        no_sideways_scroll(page)
        look(page, f"s05-waiting-list-{size}")
    sign_out(page)


@pytest.mark.parametrize("size", WIDTHS)
def test_t_an_admin_filters_the_audit_log(page: Page, size: str):
    page.set_viewport_size({"width": WIDTHS[size], "height": 900})
    sign_in(page, "admin@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    no_sideways_scroll(page)
    look(page, f"t01-audit-log-{size}")
    page.get_by_label("Action").select_option("certificate.revoked")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("1 row (filtered)")).to_be_visible()
    expect(page.get_by_role("cell", name="certificate.revoked")).to_have_count(1)
    page.get_by_label("Who").fill("nobody-by-this-name")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("0 rows (filtered)")).to_be_visible()
    page.get_by_label("Who").fill("")
    page.get_by_label("From").fill("2000-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"from=2000-01-01"))
    expect(page.get_by_role("cell", name="certificate.revoked")).to_have_count(1)
    look(page, f"t02-audit-log-filtered-{size}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these entries (CSV)").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert len(rows) == 2 and rows[1][2] == "certificate.revoked"
    sign_out(page)
