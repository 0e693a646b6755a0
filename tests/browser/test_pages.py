"""Every main page: accessible (axe-core), light enough for a slow link, nothing from another host,
and usable with JavaScript turned off."""
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in

TRAINEE_PAGE_BUDGET = 100 * 1024  # bytes a first visit may transfer

PUBLIC_PAGES = {"front": "/", "catalogue": "/courses", "course": "/courses/universal-service-rural-remote",
                "sign-in": "/login", "register": "/register", "forgot-password": "/forgot-password"}


def first_visit_bytes(context, url: str) -> tuple[int, set[str]]:
    """Bytes transferred (headers and bodies) by a first visit with an empty cache, and the hosts asked."""
    page = context.new_page()
    sizes, hosts = [], set()

    def count(response):
        hosts.add(urlsplit(response.url).netloc)
        request_sizes = response.request.sizes()
        sizes.append(request_sizes["responseHeadersSize"] + request_sizes["responseBodySize"])

    page.on("response", count)
    page.goto(url, wait_until="load")
    page.close()
    return sum(sizes), hosts


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_are_accessible_light_and_local(context, live_server, name):
    page = context.new_page()
    page.goto(PUBLIC_PAGES[name])
    screenshot(page, f"public-{name}")
    assert_accessible(page)
    transferred, hosts = first_visit_bytes(context, PUBLIC_PAGES[name])
    assert transferred < TRAINEE_PAGE_BUDGET, f"{name}: {transferred} bytes"
    assert hosts == {urlsplit(live_server).netloc}


def test_trainee_pages_are_accessible_light_and_local(browser, live_server):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    sign_in(page, "trainee@demo.test")
    pages = {"trainee-home": "/"}
    page.get_by_role("row").filter(has_text="Active").get_by_role("link").first.click()
    pages["trainee-intake"] = page.url
    page.get_by_role("link", name="Continue:").click()
    pages["trainee-lesson"] = page.url
    page.goto(pages["trainee-intake"])
    page.get_by_role("link", name="Quiz:").first.click()
    pages["trainee-quiz"] = page.url
    page.goto(pages["trainee-intake"])
    page.get_by_role("link", name="Assignment:").first.click()
    pages["trainee-assignment"] = page.url
    pages.update({"trainee-profile": "/profile", "trainee-work-details": "/profile/work",
                  "trainee-name-correction": "/profile/name"})
    for name, url in pages.items():
        page.goto(url)
        screenshot(page, name)
        assert_accessible(page)
        transferred, hosts = first_visit_bytes(context, url)
        assert transferred < TRAINEE_PAGE_BUDGET, f"{name}: {transferred} bytes"
        assert hosts == {urlsplit(live_server).netloc}, hosts
    context.close()


def test_pages_work_with_javascript_turned_off(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "trainee@demo.test")
    page.get_by_role("link", name="Courses").click()
    page.get_by_label("Subject").select_option("regulation")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Telecom Regulation and Policy Dialogue")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    context.close()
