"""A trainee downloads her course to read offline, unzips it and opens it from the file system in Chromium:
no server, no request that fails, the site's stylesheet applied, the lessons linked to one another."""
import subprocess
import zipfile
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import BIN, ROOT, SERVED, assert_accessible, no_sideways_scroll, screenshot, sign_in
from tests.browser.test_pages import TRAINEE_PAGE_BUDGET, first_visit_bytes

COURSE = "universal-service-rural-remote"  # the demo trainee's active intake studies it


def test_a_downloaded_pack_opens_from_the_file_system_with_its_style_and_links(browser, live_server, tmp_path):
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "courses", "offline-packs", "--slug", COURSE],
                   cwd=ROOT, env=SERVED["env"], check=True, capture_output=True)
    context = browser.new_context(base_url=live_server, accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, "trainee@demo.test")
    page.get_by_role("row").filter(has_text="Active").get_by_role("link").first.click()
    section = page.get_by_role("region", name="Take this course offline")
    expect(section).to_contain_text("Quizzes and submitting your work stay online.")
    zip_link = section.get_by_role("link", name="Lessons as web pages (ZIP)")
    expect(section.get_by_text(" KB ·")).to_be_visible()  # its size beside the link
    screenshot(page, "trainee-intake-offline")
    transferred, _hosts = first_visit_bytes(context, page.url)
    assert transferred < TRAINEE_PAGE_BUDGET, f"the study page: {transferred} bytes"
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "trainee-intake-offline-390")
    no_sideways_scroll(page)
    with page.expect_download() as download:
        zip_link.click()
    saved = tmp_path / download.value.suggested_filename
    assert saved.name == f"{COURSE}-v1-en-offline.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        archive.extractall(tmp_path / "unzipped")
    [folder] = (tmp_path / "unzipped").iterdir()

    offline = browser.new_context(viewport={"width": 1280, "height": 900})  # no base URL: nothing but files
    reader = offline.new_page()
    failed, asked = [], []
    reader.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))
    reader.on("request", lambda request: asked.append(request.url))
    reader.goto((folder / "index.html").as_uri())
    brand = reader.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor")
    assert brand == "rgb(11, 83, 148)"  # app.css's --brand: the stylesheet beside the page applied
    screenshot(reader, "offline-index")
    reader.get_by_role("link", name="open online").first.wait_for()
    first_lesson = reader.locator("main ol a").first
    title = first_lesson.inner_text()
    first_lesson.click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(title)
    assert Path(reader.url.removeprefix("file://")).parent == folder
    assert reader.evaluate("getComputedStyle(document.querySelector('article.lesson')).backgroundColor") \
        == "rgb(255, 255, 255)"
    reader.get_by_role("link", name="→").click()  # the next lesson
    reader.wait_for_load_state("load")  # its stylesheet loaded before the page is left
    reader.get_by_role("link", name="All lessons").first.click()
    reader.wait_for_load_state("load")
    assert reader.url == (folder / "index.html").as_uri()
    reader.set_viewport_size({"width": 390, "height": 800})
    [first_page] = folder.glob("01-*.html")
    reader.goto(first_page.as_uri())
    screenshot(reader, "offline-lesson-390")
    no_sideways_scroll(reader)
    assert failed == [], failed
    assert asked and all(url.startswith("file://") for url in asked), asked
    # Checked apart: axe-core reads the stylesheets again itself, which a file:// page refuses it.
    checker = offline.new_page()
    for opened in (folder / "index.html", first_page):
        checker.goto(opened.as_uri())
        assert_accessible(checker)
    offline.close()
    context.close()
