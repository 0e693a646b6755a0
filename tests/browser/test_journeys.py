"""Journeys through the platform in a real browser, one role after another, as people would take them.

(a) A new trainee registers, asks to join an intake, is approved by the country coordinator, studies,
    takes the quizzes, submits the assignment, is graded by the instructor, completes the course,
    downloads the certificate and verifies it on the public page.
(b) The programme coordinator changes an allocation and downloads the PDF report.
(c) A country coordinator's approval is refused by the quota, with the message a person needs.
(d) Registering, asking to join and approving a request with the keyboard alone.
(e) An admin imports a course from a ZIP: the errors as path:line, then the plan, then applied.

Elements are found by their role and label, as a screen reader announces them. Every main page a
journey passes is checked with axe-core and photographed into test-artifacts/screenshots/. The
journeys share the session's server and database, so each one works with its own new accounts and
requests, on its own intake and country.
"""
import io
import re
import secrets
import unicodedata
from datetime import date, datetime, timezone
from pathlib import Path

import yaml
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import look, mailed_path, screenshot, sign_in, sign_out

COURSES = Path(__file__).resolve().parents[2] / "courses"
PASSWORD = "Fibre reaches every village by 2030"
SERIAL = re.compile(r"serial ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})")
# Who teaches is read from the intakes page; these are the demo instructors' sign-in addresses.
INSTRUCTOR_EMAILS = {"Zhang Hua": "instructor@demo.test", "Maria Lopez Reyes": "instructor2@demo.test"}
SMALL_PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
             b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")


def today() -> date:
    """Today for the server whichever clock it reads (local or UTC): the earlier of the two."""
    return min(date.today(), datetime.now(timezone.utc).date())


def new_email(who: str) -> str:
    return f"{who}.{secrets.token_hex(4)}@example.org"


# --- What the test knows from the course files (the answer key never reaches the page) ----------

def course_files(slug: str) -> tuple[dict, dict[str, dict]]:
    """The course manifest and its assessments by title."""
    folder = COURSES / slug
    manifest = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
    assessments = {}
    for path in sorted((folder / "assessments").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        assessments[spec["title"]] = spec
    return manifest, assessments


def required_lessons(slug: str) -> int:
    manifest, _ = course_files(slug)
    count = 0
    for module in manifest["modules"]:
        for name in module["lessons"]:
            text = (COURSES / slug / "lessons" / name).read_text(encoding="utf-8")
            front = yaml.safe_load(text.split("---")[1])
            count += front.get("required", True) is not False
    return count


def answer_correctly(page: Page, quiz: dict) -> None:
    """Answer every question of an attempt from the answer key, finding each by its prompt."""
    for question in quiz["questions"]:
        prompt = " ".join(question["prompt"].split())
        group = page.get_by_role("group").filter(has_text=prompt)
        expect(group).to_have_count(1)
        kind = question["type"]
        if kind in ("single", "multiple"):
            role = "radio" if kind == "single" else "checkbox"
            for option in question["options"]:
                if option.get("correct"):
                    group.get_by_role(role, name=option["text"].strip(), exact=True).check()
        elif kind == "true_false":
            group.get_by_role("radio", name="True" if question["answer"] else "False", exact=True).check()
        elif kind == "numeric":
            group.get_by_role("textbox", name="Your answer (a number)").fill(f"{question['answer']:g}")
        else:
            group.get_by_role("textbox", name="Your answer", exact=True).fill(question["answers"][0])


# --- Steps shared by the journeys ---------------------------------------------------------------

def register(page: Page, *, email: str, name: str, native: str, country: str, organisation: str,
             position: str, category: str = "Middle-level manager", gender: str = "Female") -> None:
    page.goto("/")
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", name="Create a trainee account", level=1)).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Full name (Latin script)").fill(name)
    page.get_by_label("Name in your own script (optional)").fill(native)
    page.get_by_label("Country").select_option(label=country)
    page.get_by_label("Organisation", exact=True).fill(organisation)
    page.get_by_label("Type of organisation").select_option(label="Ministry or regulator")
    page.get_by_label("Position").fill(position)
    page.get_by_label("Category").select_option(label=category)
    page.get_by_label("Gender (optional)").select_option(label=gender)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"We have sent a message to {email}")).to_be_visible()
    # She opens the link in the mail, confirms her address and signs in.
    page.goto(mailed_path(email, "/confirm/"))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_text("your address is confirmed")).to_be_visible()  # before leaving the page
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
    expect(page.get_by_text(native, exact=True)).to_be_visible()


def ask_to_join(page: Page, course: str, intake_prefix: str) -> None:
    """From the trainee's home page: open the course and ask to join its upcoming intake."""
    page.get_by_role("main").get_by_role("link", name=course, exact=True).first.click()
    expect(page.get_by_role("heading", name=course, level=1)).to_be_visible()
    page.get_by_role("button", name=re.compile("^Ask to join " + re.escape(intake_prefix))).click()
    expect(page.get_by_role("status")).to_contain_text(f"Your request to join {course} has been sent")
    row = page.get_by_role("row").filter(has_text=intake_prefix)
    expect(row.get_by_text("Requested", exact=True)).to_be_visible()


def open_request(page: Page, trainee: str) -> None:
    """A coordinator opens a trainee's request from the list of enrolments."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Enrolments").click()
    expect(page.get_by_role("heading", name=re.compile("^Enrolments"), level=1)).to_be_visible()
    page.get_by_role("link", name=f"Decide {trainee}", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^" + re.escape(trainee)), level=1)).to_be_visible()


def open_settings(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    page.get_by_role("main").get_by_role("link", name="Programme settings").click()
    expect(page.get_by_role("heading", name="Programme settings", level=1)).to_be_visible()


def least_allocation(page: Page, country: str) -> int:
    """The settings page's own statement of the lowest allocation a country may have."""
    hint = page.get_by_text(f"people already counted for {country}.")
    return int(re.search(r"At least (\d+)", hint.inner_text()).group(1))


def save_settings(page: Page, reason: str) -> None:
    page.get_by_label("Reason for the change (kept in the audit log)").fill(reason)
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("status")).to_have_text("The programme settings are saved.")


def assert_pdf(data: bytes, *texts: str) -> None:
    assert data.startswith(b"%PDF-"), data[:20]
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    content = unicodedata.normalize("NFC", " ".join(" ".join((page.extract_text() or "").split())
                                                   for page in reader.pages))
    for text in texts:
        assert unicodedata.normalize("NFC", text) in content, f"{text!r} not in the PDF"


# --- (a) From registration to a verified certificate ----------------------------------------------

def test_a_trainee_goes_from_registration_to_a_verified_certificate(page: Page):
    slug, course = "broadband-infrastructure-planning", "Broadband Infrastructure Planning"
    intake_prefix = f"{course}: next run"
    _, assessments = course_files(slug)
    lessons = required_lessons(slug)
    quizzes = {title: spec for title, spec in assessments.items() if spec["kind"] == "quiz"}
    (assignment_title, assignment), = [(t, s) for t, s in assessments.items() if s["kind"] == "assignment"]
    name, native, email = "Dang Thu Trang", "Đặng Thu Trang", new_email("trang")

    # A new trainee from Viet Nam registers and asks to join the course's next (online) intake.
    register(page, email=email, name=name, native=native, country="Viet Nam",
             organisation="Authority of Telecommunications, Ha Noi", position="Head of network planning")
    look(page, "a01-trainee-home-new")
    ask_to_join(page, course, intake_prefix)
    look(page, "a02-course-requested")
    sign_out(page)

    # Viet Nam's coordinator approves the request.
    sign_in(page, "vn.coordinator@demo.test")
    look(page, "a03-country-coordinator-home")
    open_request(page, name)
    look(page, "a04-decide-request")
    page.get_by_role("radio", name="Approve: give a place").check()
    page.get_by_label("Reason (shown to the trainee)").fill("Network planning is central to the trainee's role.")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_role("status")).to_contain_text(f"Approved {name} for ")
    look(page, "a05-enrolments-after-decision")
    sign_out(page)

    # The programme coordinator moves the intake's first day to today, so it is running.
    sign_in(page, "coordinator@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Intakes").click()
    look(page, "a06-intakes")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=re.compile("^" + re.escape(intake_prefix))))
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(2)).to_have_text("Online")
    instructor = INSTRUCTOR_EMAILS[row.get_by_role("cell").nth(3).inner_text().strip()]
    row.get_by_role("link").click()
    look(page, "a07-intake-form")
    first_day = today()
    page.get_by_label("First day").fill(first_day.isoformat())
    page.get_by_role("button", name="Save the intake").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the intake")
    expect(row.get_by_role("cell").nth(1)).to_contain_text(f"{first_day.day} {first_day:%b %Y} –")
    sign_out(page)

    # The trainee opens the intake, studies the first lesson and marks it done.
    sign_in(page, email, PASSWORD)
    page.get_by_role("link", name=course, exact=True).first.click()
    expect(page.get_by_role("heading", name=course, level=1)).to_be_visible()
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    intake_url = page.url
    look(page, "a08-trainee-intake")
    page.get_by_role("link", name=re.compile("^Continue: ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planning a national and provincial fibre backbone")
    look(page, "a09-lesson")
    page.get_by_role("button", name="Mark as done and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Microwave and satellite backhaul")

    # Every quiz: start an attempt, answer, submit, read the result.
    for number, (title, quiz) in enumerate(quizzes.items()):
        page.goto(intake_url)
        if number == 0:
            expect(page.get_by_text(f"1/{lessons}", exact=True)).to_be_visible()  # the lesson counts as done
        page.get_by_role("link", name=f"Quiz: {title}").click()
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        if number == 0:
            look(page, "a10-quiz")
        page.get_by_role("button", name="Start a new attempt").click()
        expect(page.get_by_text("Attempt 1", exact=True)).to_be_visible()
        answer_correctly(page, quiz)
        if number == 0:
            look(page, "a11-quiz-attempt")
        page.get_by_role("button", name="Submit for grading…").click()
        expect(page.get_by_role("heading", name="Submit this attempt?")).to_be_visible()
        expect(page.get_by_text("Every question has an answer.")).to_be_visible()
        if number == 0:
            look(page, "a11b-quiz-confirm")
        page.get_by_role("button", name="Submit for grading", exact=True).click()
        expect(page.get_by_role("heading", name="Your score: 100%")).to_be_visible()
        expect(page.get_by_text("Passed", exact=True)).to_be_visible()
        if number == 0:
            look(page, "a12-quiz-result")

    # The assignment: a summary in the text box and the plan as a PDF.
    page.goto(intake_url)
    page.get_by_role("link", name=f"Assignment: {assignment_title}").click()
    expect(page.get_by_role("heading", name=assignment_title, level=1)).to_be_visible()
    page.get_by_label("Your answer").fill(
        "Summary: a 420 km fibre ring with two diverse routes, microwave backhaul for 38 hill sites until "
        "phase two, dig-once rules for the provincial road programme, and a hardened landing node.")
    page.get_by_label("Add files").set_input_files(
        files=[{"name": "provincial-plan.pdf", "mimeType": "application/pdf", "buffer": SMALL_PDF}])
    look(page, "a13-assignment")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Your work has been submitted for grading.")
    expect(page.get_by_role("link", name="provincial-plan.pdf")).to_be_visible()
    expect(page.get_by_text("waiting to be graded")).to_be_visible()
    sign_out(page)

    # The intake's instructor grades the work against the rubric, with feedback.
    sign_in(page, instructor)
    look(page, "a14-instructor-home")
    page.get_by_role("link", name=re.compile(r"^Grading queue \(1\) " + re.escape(intake_prefix))).click()
    expect(page.get_by_role("heading", name="Grading queue", level=1)).to_be_visible()
    look(page, "a15-grading-queue")
    page.get_by_role("link", name=f"Grade the work of {name}").click()
    expect(page.get_by_role("heading", name=assignment_title, level=1)).to_be_visible()
    with page.expect_download() as uploaded:
        page.get_by_role("link", name="Download provincial-plan.pdf").click()
    assert Path(uploaded.value.path()).read_bytes() == SMALL_PDF
    for criterion in assignment["rubric"]:
        best = max(criterion["levels"], key=lambda level: level["points"])
        group = page.get_by_role("group", name=criterion["criterion"])
        group.get_by_role("radio", name=re.compile("^" + re.escape(f"{best['label']} ({best['points']:g})"))).check()
    page.get_by_label("Written feedback").fill(
        "A coherent plan: the diverse ring and the phased microwave backhaul are well argued. "
        "Next time, test the sensitivity of the NPV to the discount rate.")
    look(page, "a16-grade-submission")
    page.get_by_role("button", name="Save the grade and return the work").click()
    expect(page.get_by_role("status")).to_have_text(f"Grade saved and returned to {name}.")
    expect(page.get_by_text("Nothing is waiting to be graded.")).to_be_visible()
    sign_out(page)

    # The trainee reads the grade and finishes the remaining lessons, which completes the course.
    sign_in(page, email, PASSWORD)
    page.get_by_role("link", name=course, exact=True).first.click()
    expect(page.get_by_text("graded: 100%")).to_be_visible()
    page.get_by_role("link", name=f"Assignment: {assignment_title}").click()
    expect(page.get_by_text("Graded: 100%")).to_be_visible()
    expect(page.get_by_text("Next time, test the sensitivity")).to_be_visible()
    page.goto(intake_url)
    page.get_by_role("link", name=re.compile("^Continue: ")).click()
    for _ in range(lessons - 1):
        with page.expect_navigation():
            page.get_by_role("button", name="Mark as done and continue").click()
        if re.search(r"/study/\d+/(quizzes|assignments)/", page.url):
            # After a module's last lesson come its quiz or assignment (done already): back to the study
            # page and on to the next module.
            page.get_by_role("link", name=re.compile("^← ")).click()
            page.get_by_role("link", name=re.compile("^Continue: ")).click()
    expect(page.get_by_role("status")).to_have_text("You have completed the course. Congratulations!")
    expect(page.get_by_text(re.compile(r"You completed this course on .* with a grade of 100%"))).to_be_visible()
    look(page, "a17-course-completed")

    # The certificate is on the home page: download it and note its serial.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    certificate = page.get_by_role("link", name=f"{course} (PDF)")
    expect(certificate).to_be_visible()
    look(page, "a18-trainee-home-certificate")
    serial = SERIAL.search(page.get_by_role("main").inner_text()).group(1)
    with page.expect_download() as download:
        certificate.click()
    assert download.value.suggested_filename == f"certificate-{serial}.pdf"
    assert_pdf(Path(download.value.path()).read_bytes(), "CERTIFICATE OF COMPLETION", "结业证书", name, native, course,
               serial)
    sign_out(page)

    # Anyone can check the certificate on the public verification page.
    page.goto(f"/verify/{serial}")
    expect(page.get_by_role("status")).to_contain_text("Valid certificate")
    details = page.get_by_role("table")
    expect(details.get_by_role("row", name=re.compile("^Serial"))).to_contain_text(serial)
    expect(details.get_by_role("row", name=re.compile("^Name"))).to_contain_text(native)
    expect(details.get_by_role("row", name=re.compile("^Course"))).to_contain_text(course)
    look(page, "a19-verify-certificate")


# --- (b) The programme coordinator changes an allocation and downloads the report ----------------

def test_b_programme_coordinator_changes_an_allocation_and_downloads_the_report(page: Page):
    country = "Indonesia"
    sign_in(page, "coordinator@demo.test")
    look(page, "b01-programme-coordinator-home")
    open_settings(page)
    look(page, "b02-programme-settings")
    allocation = page.get_by_role("group", name="Allocation per country").get_by_label(country, exact=True)
    before = int(allocation.input_value())
    after = max(before - 5, least_allocation(page, country))
    assert after < before, "the demo programme leaves room to lower Indonesia's allocation"
    allocation.fill(str(after))
    save_settings(page, "Indonesia asked to move five places to the next programme.")
    expect(allocation).to_have_value(str(after))
    expect(page.get_by_role("row").filter(has_text="Indonesia asked to move five places")).to_have_count(1)

    page.get_by_role("link", name="Progress toward the target").click()
    expect(page.get_by_role("heading", name=re.compile("^Progress toward the target"), level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=country))
    expect(row.get_by_role("cell").first).to_have_text(str(after))
    look(page, "b03-quota-dashboard")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert_pdf(Path(download.value.path()).read_bytes(), country)


# --- (c) An approval refused by the quota ---------------------------------------------------------

def test_c_an_approval_beyond_the_quota_is_refused_with_a_useful_message(page: Page):
    country, course = "Thailand", "Leading Telecom Organisations and Building Human Capacity"
    name, native, email = "Ratchanee Kaewmanee", "รัชนี แก้วมณี", new_email("ratchanee")
    register(page, email=email, name=name, native=native, country=country,
             organisation="National Broadcasting and Telecommunications Commission", position="Senior engineer",
             category="Technician")
    ask_to_join(page, course, f"{course}: next run")
    sign_out(page)

    # The programme coordinator lowers Thailand's allocation to the people already holding a place.
    sign_in(page, "coordinator@demo.test")
    open_settings(page)
    allocation = page.get_by_role("group", name="Allocation per country").get_by_label(country, exact=True)
    original, least = int(allocation.input_value()), least_allocation(page, country)
    allocation.fill(str(least))
    save_settings(page, "Thailand's remaining places move to next year's budget.")
    sign_out(page)

    # Thailand's coordinator tries to approve the request.
    sign_in(page, "th.coordinator@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Enrolments").click()
    expect(page.get_by_text("places left to give")).to_have_text("0 places left to give")
    open_request(page, name)
    places = page.get_by_role("row", name=re.compile("^Country's places"))
    expect(places).to_contain_text(f"{least} of {least} in use")
    page.get_by_role("radio", name="Approve: give a place").check()
    page.get_by_role("button", name="Save the decision").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_have_count(1)  # said once, not repeated by the form's error summary
    expect(refusal).to_contain_text(f"{country} has used all {least} places of its allocation")
    expect(refusal).to_contain_text("Put the request on the waiting list")
    expect(refusal).to_contain_text("ask a programme coordinator to approve it beyond the quota")
    look(page, "c01-approval-refused")

    # Nothing changed: the request still waits, and the country's places are as they were.
    expect(page.get_by_role("row", name=re.compile("^Status"))).to_contain_text("Requested")
    expect(places).to_contain_text(f"{least} of {least} in use")
    page.get_by_role("link", name="Enrolments").first.click()
    expect(page.get_by_role("link", name=f"Decide {name}")).to_be_visible()
    sign_out(page)

    # The programme coordinator gives the places back, so the session's other journeys are unaffected.
    sign_in(page, "coordinator@demo.test")
    open_settings(page)
    page.get_by_role("group", name="Allocation per country").get_by_label(country, exact=True).fill(str(original))
    save_settings(page, "Thailand's places restored.")


# --- (d) The keyboard alone ----------------------------------------------------------------------

def has_focus(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab, as a keyboard user does, until the target has the focus."""
    target.wait_for()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if has_focus(target):
            return
    raise AssertionError(f"Tab never reached {target}")


def skip_to_content(page: Page) -> None:
    """The first Tab of a page lands on the skip link; Enter moves on to the page's own content."""
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")


def chosen(select: Locator) -> str:
    return select.evaluate("element => element.selectedOptions[0].text")


def test_d_registering_asking_and_approving_with_the_keyboard_alone(page: Page):
    course = "Telecom Regulation and Policy Dialogue"
    name, native, email = "Bui Minh Khoa", "Bùi Minh Khoa", new_email("khoa")
    keyboard = page.keyboard
    page.goto("/")

    # Register.
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Register"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Create a trainee account", level=1)).to_be_visible()
    skip_to_content(page)
    fields = [("E-mail", email), ("Full name (Latin script)", name), ("Name in your own script (optional)", native),
              ("Country", "Viet"), ("Organisation", "Ministry of Information and Communications"),
              ("Type of organisation", "Min"), ("Position", "Radio network engineer"), ("Category", "Tech"), ("Gender (optional)", "M"),
              ("Password", PASSWORD), ("Repeat the password", PASSWORD)]
    for label, typed in fields:
        keyboard.press("Tab")
        # The next field has the focus: asked of the document, as tab_to does, not of the window's own focus,
        # which a busy machine can take from a headless page for a moment.
        assert has_focus(page.get_by_label(label, exact=True)), f"Tab did not lead to {label}"
        keyboard.type(typed)
    assert chosen(page.get_by_label("Country")) == "Viet Nam"
    assert chosen(page.get_by_label("Category")) == "Technician"
    assert chosen(page.get_by_label("Type of organisation")) == "Ministry or regulator"
    assert chosen(page.get_by_label("Gender (optional)")) == "Male"
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Create account")).to_be_focused()
    screenshot(page, "d01-register-with-keyboard")
    keyboard.press("Enter")
    expect(page.get_by_text(f"We have sent a message to {email}")).to_be_visible()
    # The link in her mail, then the confirmation and the sign-in, by keyboard.
    page.goto(mailed_path(email, "/confirm/"))
    tab_to(page, page.get_by_role("button", name="Confirm my address"))
    keyboard.press("Enter")
    expect(page.get_by_text("your address is confirmed")).to_be_visible()  # the confirmation leads to sign-in
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    tab_to(page, page.get_by_label("E-mail"))
    keyboard.type(email)
    tab_to(page, page.get_by_label("Password"))
    keyboard.type(PASSWORD)
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()

    # Ask to join the course's next intake.
    tab_to(page, page.get_by_role("main").get_by_role("link", name=course, exact=True).first)
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name=course, level=1)).to_be_visible()
    tab_to(page, page.get_by_role("button", name=re.compile("^Ask to join " + re.escape(f"{course}: next run"))))
    keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Your request to join {course} has been sent")
    tab_to(page, page.get_by_role("button", name="Sign out"))
    keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("You have signed out on this device.")

    # Viet Nam's coordinator signs in and approves it.
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    skip_to_content(page)
    keyboard.press("Tab")
    expect(page.get_by_label("E-mail")).to_be_focused()
    keyboard.type("vn.coordinator@demo.test")
    keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    keyboard.type("demo-password")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Requests waiting for your decision")).to_be_visible()
    tab_to(page, page.get_by_role("link", name=name, exact=True))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^" + re.escape(name)), level=1)).to_be_visible()
    approve = page.get_by_role("radio", name="Approve: give a place")
    tab_to(page, approve)
    keyboard.press("Space")
    expect(approve).to_be_checked()
    keyboard.press("Tab")
    expect(page.get_by_label("Reason (shown to the trainee)")).to_be_focused()
    keyboard.type("Regulatory work is the trainee's daily job.")
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save the decision")).to_be_focused()
    screenshot(page, "d02-decide-with-keyboard")
    keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Approved {name} for ")
    tab_to(page, page.get_by_role("navigation", name="Status").get_by_role("link", name="Approved"))
    keyboard.press("Enter")
    expect(page.get_by_role("row").filter(has_text=name).filter(has_text=course)).to_have_count(1)


def test_e_an_admin_imports_a_course_from_a_zip_after_reading_the_errors_and_the_plan(page: Page, tmp_path):
    import zipfile

    from tests.catalogue.course_tree import write_course

    slug = f"web-import-{secrets.token_hex(3)}"
    folder = write_course(tmp_path, slug)

    def archive(name: str) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    out.write(file, f"{slug}/{file.relative_to(folder).as_posix()}")
        return path

    manifest = folder / "course.yaml"
    good = manifest.read_text(encoding="utf-8")
    manifest.write_text(good.replace("hours: 10", "hours: ten"), encoding="utf-8")
    broken = archive("broken.zip")
    manifest.write_text(good, encoding="utf-8")
    fixed = archive("fixed.zip")

    sign_in(page, "admin@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import a course").click()
    expect(page.get_by_role("heading", name="Import a course", level=1)).to_be_visible()
    look(page, "e1-import")

    # An invalid course: the problem with its path and line, nothing imported.
    page.get_by_label("Course archive (.zip)").set_input_files(str(broken))
    page.get_by_role("button", name="Check the archive").click()
    expect(page.get_by_role("alert")).to_contain_text(f"{slug}/course.yaml:6: 'hours' must be a whole number")
    look(page, "e2-import-errors")

    # The corrected course: the plan, then applied.
    page.get_by_label("Course archive (.zip)").set_input_files(str(fixed))
    page.get_by_role("button", name="Check the archive").click()
    expect(page.get_by_role("heading", name="The plan")).to_be_visible()
    expect(page.get_by_text(f"{slug}: new course, version 1")).to_be_visible()
    look(page, "e3-import-plan")
    page.get_by_role("button", name="Apply this plan").click()
    expect(page.get_by_role("heading", name="Versions of Test Course", level=1)).to_be_visible()
    expect(page.get_by_text("Imported: 1 new, 0 with a new version, 0 unchanged.")).to_be_visible()
    expect(page.get_by_role("heading", name="Version 1 current")).to_be_visible()
    look(page, "e4-course-versions")
