"""An admin at a real day's work, in a real browser, at 1280 and 390 pixels wide.

(u) An admin invites Cambodia's new country coordinator (a mistake first, corrected without retyping),
finds her on the filtered user list, reads the invitation in the outbox and finds it in the audit log;
the coordinator chooses her password from the mailed link and signs in.

Every page passed is checked with axe-core and photographed into test-artifacts/screenshots/.
"""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import mailed_path, sign_in, sign_out
from tests.browser.test_staff_journeys import WIDTHS, look, no_sideways_scroll


@pytest.mark.parametrize("size", WIDTHS)
def test_u_an_admin_invites_a_country_coordinator_and_finds_the_invitation(page: Page, size: str):
    page.set_viewport_size({"width": WIDTHS[size], "height": 900})
    email = f"sokha.{size}@example.org"
    name = f"Sokha Chan {size.title()}"
    sign_in(page, "admin@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Invite a person").click()
    expect(page.get_by_role("heading", name="Invite a person", level=1)).to_be_visible()
    no_sideways_scroll(page)
    look(page, f"u01-invite-{size}")

    # Forgetting the country is explained next to it, and what was typed stays.
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Full name (Latin script)").fill(name)
    page.get_by_label("Name in the person's own script (optional)").fill("សុខា ចាន់")
    page.get_by_label("Role").select_option(label="Country coordinator")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("Trainees and country coordinators need a country.")
    expect(page.get_by_label("E-mail")).to_have_value(email)
    expect(page.get_by_label("Name in the person's own script (optional)")).to_have_value("សុខា ចាន់")
    no_sideways_scroll(page)
    look(page, f"u02-invite-error-{size}")
    page.get_by_label("Country", exact=True).select_option(label="Cambodia")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text(f"the invitation to {email} will be sent")).to_be_visible()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_text("no password chosen yet")).to_be_visible()
    expect(page.get_by_role("button", name="Send a new invitation")).to_be_visible()
    no_sideways_scroll(page)
    look(page, f"u03-invited-{size}")

    # The user list, filtered by country and role, shows her waiting for her password.
    page.get_by_role("link", name="All users").click()
    page.get_by_label("Country").select_option(label="Cambodia")
    page.get_by_label("Role").select_option(label="Country coordinator")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"role=country_coordinator"))
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("invited, no password yet")
    no_sideways_scroll(page)
    look(page, f"u04-users-filtered-{size}")

    # The outbox holds the invitation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").click()
    page.get_by_role("row").filter(has_text=email).get_by_role(
        "link", name="Your account on the ASEAN-China telecom training platform").click()
    expect(page.get_by_text("Aroon Admin has created your account")).to_be_visible()
    expect(page.get_by_text(re.compile(r"/invitation/"))).to_be_visible()
    no_sideways_scroll(page)
    look(page, f"u05-outbox-invitation-{size}")

    # The audit log, filtered by who and what, finds it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").select_option("user.invited")
    page.get_by_label("Who").fill("Aroon")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"action=user.invited"))
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("user.invited")
    no_sideways_scroll(page)
    look(page, f"u06-audit-invitation-{size}")
    sign_out(page)

    # She chooses her password from the mail and signs in as Cambodia's coordinator.
    page.goto(mailed_path(email, "/invitation/"))
    expect(page.get_by_role("heading", name="Choose your password", level=1)).to_be_visible()
    no_sideways_scroll(page)
    look(page, f"u07-choose-password-{size}")
    page.get_by_label("Password", exact=True).fill("Cambodia's new coordinator 2026")
    page.get_by_label("Repeat the password").fill("Cambodia's new coordinator 2026")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text("Your password is set")).to_be_visible()
    sign_in(page, email, "Cambodia's new coordinator 2026")
    sign_out(page)
